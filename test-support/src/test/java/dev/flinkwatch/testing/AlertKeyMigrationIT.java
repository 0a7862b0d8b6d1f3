package dev.flinkwatch.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkwatch.schema.SchemaMigrations;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/** Alerts written under the 0.1 schema (content-hash keys) still read after the V3 migration. */
class AlertKeyMigrationIT {
    @Test
    void oldContentHashKeysStillReadAndNewRowsUseTheEpisodeScheme() throws Exception {
        TestPostgres.Database db = TestPostgres.newEmptyDatabase();
        Flyway.configure()
                .dataSource(db.dataSource())
                .locations(SchemaMigrations.LOCATION)
                .target("2")
                .load()
                .migrate();
        UUID tenant = UUID.randomUUID();
        UUID monitor = UUID.randomUUID();
        try (Connection c = db.dataSource().getConnection();
                Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO tenants (id, name) VALUES ('" + tenant + "', 't')");
            st.executeUpdate(
                    "INSERT INTO monitors (id, tenant_id, version, name, status, interval_seconds,"
                            + " spec) VALUES ('"
                            + monitor
                            + "', '"
                            + tenant
                            + "', 1, 'm', 'active', 300, '{}')");
            insert(c, "0123456789abcdef0123456789abcdef", monitor, tenant, "2026-11-01T10:00Z");
            insert(c, "fedcba9876543210fedcba9876543210", monitor, tenant, "2026-11-02T10:00Z");
        }

        assertThat(SchemaMigrations.migrate(db.dataSource()).migrationsExecuted)
                .isGreaterThanOrEqualTo(1);

        try (Connection c = db.dataSource().getConnection()) {
            insert(c, "00000000000000000000000000000003", monitor, tenant, "2026-12-01T10:00Z");
            List<String> rows = new ArrayList<>();
            try (PreparedStatement ps =
                            c.prepareStatement(
                                    "SELECT alert_key, kind, reason, key_scheme FROM alerts"
                                            + " WHERE tenant_id = ? ORDER BY detected_at DESC, id"
                                            + " DESC");
                    ResultSet rs = prepared(ps, tenant).executeQuery()) {
                while (rs.next()) {
                    rows.add(
                            rs.getString(1)
                                    + " "
                                    + rs.getString(2)
                                    + " "
                                    + rs.getString(3)
                                    + " "
                                    + rs.getInt(4));
                }
            }
            assertThat(rows)
                    .containsExactly(
                            "00000000000000000000000000000003 CONDITION_MET r 2",
                            "fedcba9876543210fedcba9876543210 CONDITION_MET r 1",
                            "0123456789abcdef0123456789abcdef CONDITION_MET r 1");
        }
    }

    private static PreparedStatement prepared(PreparedStatement ps, UUID tenant) throws Exception {
        ps.setObject(1, tenant);
        return ps;
    }

    private static void insert(Connection c, String key, UUID monitor, UUID tenant, String at)
            throws Exception {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "INSERT INTO alerts (alert_key, kind, monitor_id, tenant_id, source_url,"
                                + " detected_at, reason) VALUES (?, 'CONDITION_MET', ?, ?,"
                                + " 'https://a.example/', ?::timestamptz, 'r')")) {
            ps.setString(1, key);
            ps.setObject(2, monitor);
            ps.setObject(3, tenant);
            ps.setString(4, at);
            ps.executeUpdate();
        }
    }
}
