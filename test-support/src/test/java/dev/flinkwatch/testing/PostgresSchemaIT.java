package dev.flinkwatch.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkwatch.schema.SchemaMigrations;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The migrations apply to a real PostgreSQL and the constraints hold. */
class PostgresSchemaIT {
    private static TestPostgres.Database db;

    @BeforeAll
    static void migrate() {
        db = TestPostgres.newMigratedDatabase();
    }

    @Test
    void migrationsCreateEveryTableAndAreIdempotent() throws Exception {
        List<String> tables = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection();
                ResultSet rs =
                        c.createStatement()
                                .executeQuery(
                                        "SELECT table_name FROM information_schema.tables"
                                                + " WHERE table_schema = 'public'"
                                                + " AND table_name <> 'flyway_schema_history'"
                                                + " ORDER BY table_name")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        assertThat(tables)
                .contains(
                        "alerts",
                        "api_keys",
                        "check_runs",
                        "monitor_status",
                        "monitors",
                        "outbox",
                        "tenants");
        assertThat(SchemaMigrations.migrate(db.dataSource()).migrationsExecuted).isZero();
    }

    @Test
    void timeColumnsAreTimestampWithTimeZone() throws Exception {
        try (Connection c = db.dataSource().getConnection();
                ResultSet rs =
                        c.createStatement()
                                .executeQuery(
                                        "SELECT table_name, column_name, data_type"
                                                + " FROM information_schema.columns"
                                                + " WHERE table_schema = 'public'"
                                                + " AND table_name <> 'flyway_schema_history'"
                                                + " AND (column_name LIKE '%\\_at')")) {
            int n = 0;
            while (rs.next()) {
                n++;
                assertThat(rs.getString(3))
                        .as(rs.getString(1) + "." + rs.getString(2))
                        .isEqualTo("timestamp with time zone");
            }
            assertThat(n).isGreaterThan(10);
        }
    }

    @Test
    void duplicateAlertKeyIsRejected() throws Exception {
        UUID tenant = tenant();
        UUID monitor = monitor(tenant);
        try (Connection c = db.dataSource().getConnection()) {
            insertAlert(c, "key-1", monitor, tenant);
            assertThatThrownBy(() -> insertAlert(c, "key-1", monitor, tenant))
                    .isInstanceOf(SQLException.class)
                    .satisfies(
                            e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("23505"));
            // the pipeline's idempotent insert: a replayed alert is a no-op, not an error
            try (PreparedStatement ps =
                    c.prepareStatement(
                            "INSERT INTO alerts (alert_key, kind, monitor_id, tenant_id,"
                                    + " source_url, detected_at, reason)"
                                    + " VALUES (?, 'CONDITION_MET', ?, ?, 'https://a.example/', now(), 'r')"
                                    + " ON CONFLICT (alert_key) DO NOTHING")) {
                ps.setString(1, "key-1");
                ps.setObject(2, monitor);
                ps.setObject(3, tenant);
                assertThat(ps.executeUpdate()).isZero();
            }
        }
    }

    @Test
    void foreignKeysAreEnforced() throws Exception {
        UUID tenant = tenant();
        UUID otherTenant = tenant();
        UUID monitor = monitor(tenant);
        try (Connection c = db.dataSource().getConnection()) {
            // a monitor of a tenant that does not exist
            assertThatThrownBy(() -> monitor(UUID.randomUUID())).satisfies(e -> assertFk(e));
            // an alert of a monitor that does not exist
            assertThatThrownBy(() -> insertAlert(c, "k2", UUID.randomUUID(), tenant))
                    .satisfies(e -> assertFk(e));
            // an alert attached to another tenant's monitor: the composite key refuses it
            assertThatThrownBy(() -> insertAlert(c, "k3", monitor, otherTenant))
                    .satisfies(e -> assertFk(e));
            // an API key of an unknown tenant
            assertThatThrownBy(
                            () -> {
                                try (PreparedStatement ps =
                                        c.prepareStatement(
                                                "INSERT INTO api_keys (id, tenant_id, key_hash, prefix)"
                                                        + " VALUES (?, ?, ?, 'fw_')")) {
                                    ps.setObject(1, UUID.randomUUID());
                                    ps.setObject(2, UUID.randomUUID());
                                    ps.setBytes(3, new byte[32]);
                                    ps.executeUpdate();
                                }
                            })
                    .satisfies(e -> assertFk(e));
        }
    }

    @Test
    void checkConstraintsRejectBadValues() throws Exception {
        UUID tenant = tenant();
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            assertThatThrownBy(
                            () ->
                                    s.executeUpdate(
                                            "INSERT INTO monitors (id, tenant_id, version, name, status,"
                                                    + " interval_seconds, spec) VALUES (gen_random_uuid(), '"
                                                    + tenant
                                                    + "', 1, 'n', 'sleeping', 60, '{}')"))
                    .isInstanceOf(SQLException.class)
                    .satisfies(
                            e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("23514"));
        }
    }

    private static void assertFk(Throwable e) {
        assertThat(e).isInstanceOf(SQLException.class);
        assertThat(((SQLException) e).getSQLState()).isEqualTo("23503");
    }

    private static UUID tenant() throws SQLException {
        UUID id = UUID.randomUUID();
        try (Connection c = db.dataSource().getConnection();
                PreparedStatement ps =
                        c.prepareStatement("INSERT INTO tenants (id, name) VALUES (?, 'acme')")) {
            ps.setObject(1, id);
            ps.executeUpdate();
        }
        return id;
    }

    private static UUID monitor(UUID tenant) throws SQLException {
        UUID id = UUID.randomUUID();
        try (Connection c = db.dataSource().getConnection();
                PreparedStatement ps =
                        c.prepareStatement(
                                "INSERT INTO monitors (id, tenant_id, version, name, status,"
                                        + " interval_seconds, spec) VALUES (?, ?, 1, 'm', 'active', 60, '{}')")) {
            ps.setObject(1, id);
            ps.setObject(2, tenant);
            ps.executeUpdate();
        }
        return id;
    }

    private static void insertAlert(Connection c, String key, UUID monitor, UUID tenant)
            throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "INSERT INTO alerts (alert_key, kind, monitor_id, tenant_id, source_url,"
                                + " detected_at, reason)"
                                + " VALUES (?, 'CONDITION_MET', ?, ?, 'https://a.example/', now(), 'r')")) {
            ps.setString(1, key);
            ps.setObject(2, monitor);
            ps.setObject(3, tenant);
            ps.executeUpdate();
        }
    }
}
