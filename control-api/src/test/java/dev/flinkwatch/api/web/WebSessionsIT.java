package dev.flinkwatch.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkwatch.api.tenants.TenantStore;
import dev.flinkwatch.testing.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Sessions on real PostgreSQL: the cookie finds its session, the database holds only the id's hash,
 * and idle expiry, absolute expiry, sign-out and a revoked key each end it. Expiry is reached by
 * moving the row's times back, not by waiting.
 */
class WebSessionsIT {
    private final TestPostgres.Database db = TestPostgres.newMigratedDatabase();
    private final TenantStore tenants = new TenantStore(db.dataSource());
    private final WebSessions sessions =
            new WebSessions(db.dataSource(), Duration.ofMinutes(30), Duration.ofHours(8));

    @Test
    void aSessionLivesUntilIdleOrAbsoluteExpirySignOutOrItsKeyIsRevoked() throws Exception {
        TenantStore.IssuedKey key = tenants.createTenant("t", null);
        WebSessions.Started started = sessions.start(key.tenantId(), key.keyId());
        assertThat(started.cookieValue()).hasSize(43);
        assertThat(sessions.find(started.cookieValue()))
                .hasValueSatisfying(s -> assertThat(s.tenantId()).isEqualTo(key.tenantId()));
        assertThat(sessions.find(started.cookieValue() + "x")).isEmpty();
        assertThat(sessions.find(null)).isEmpty();
        assertThat(
                        count(
                                "SELECT count(*) FROM web_sessions WHERE csrf_token = '"
                                        + started.session().csrfToken()
                                        + "'"))
                .isEqualTo(1);

        WebSessions.Started idle = sessions.start(key.tenantId(), key.keyId());
        age(idle, "last_seen_at", "31 minutes");
        assertThat(sessions.find(idle.cookieValue())).isEmpty();

        WebSessions.Started old = sessions.start(key.tenantId(), key.keyId());
        age(old, "created_at", "9 hours");
        assertThat(sessions.find(old.cookieValue())).isEmpty();

        // a used session moves its idle expiry (written at most once a minute)
        WebSessions.Started used = sessions.start(key.tenantId(), key.keyId());
        age(used, "last_seen_at", "20 minutes");
        assertThat(sessions.find(used.cookieValue())).isPresent();
        assertThat(
                        count(
                                "SELECT count(*) FROM web_sessions WHERE last_seen_at > now() - interval '1 minute'"
                                        + " AND csrf_token = '"
                                        + used.session().csrfToken()
                                        + "'"))
                .isEqualTo(1);

        sessions.end(started.cookieValue());
        assertThat(sessions.find(started.cookieValue())).isEmpty();

        tenants.revokeKey(key.keyId(), key.tenantId());
        assertThat(sessions.find(used.cookieValue())).isEmpty();

        // a new sign-in clears expired rows of everyone
        TenantStore.IssuedKey other = tenants.createTenant("u", null);
        sessions.start(other.tenantId(), other.keyId());
        assertThat(
                        count(
                                "SELECT count(*) FROM web_sessions WHERE created_at < now() - interval '8 hours'"))
                .isZero();
    }

    private void age(WebSessions.Started s, String column, String by) throws Exception {
        try (Connection c = db.dataSource().getConnection();
                PreparedStatement ps =
                        c.prepareStatement(
                                "UPDATE web_sessions SET "
                                        + column
                                        + " = now() - ?::interval WHERE csrf_token = ?")) {
            ps.setString(1, by);
            ps.setString(2, s.session().csrfToken());
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }

    private long count(String sql) throws Exception {
        try (Connection c = db.dataSource().getConnection();
                var rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
