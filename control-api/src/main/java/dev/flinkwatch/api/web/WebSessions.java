package dev.flinkwatch.api.web;

import dev.flinkwatch.api.db.Jdbc;
import dev.flinkwatch.api.tenants.ApiKeys;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Web app sessions in PostgreSQL ({@code web_sessions}): a random 256-bit id in the cookie, its
 * SHA-256 in the row. A session is valid while its API key is live and neither its idle nor its
 * absolute expiry has passed.
 */
public final class WebSessions {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int ID_BYTES = 32;
    // last_seen_at is written at most this often: a page view is a read, not a row update
    private static final Duration TOUCH_EVERY = Duration.ofMinutes(1);

    private final DataSource dataSource;
    private final Duration idle;
    private final Duration absolute;

    public WebSessions(DataSource dataSource, Duration idle, Duration absolute) {
        this.dataSource = dataSource;
        this.idle = idle;
        this.absolute = absolute;
    }

    /** A signed-in session: whose it is and the token its forms carry. */
    public record Session(UUID tenantId, UUID keyId, String csrfToken) {}

    /** A new session: the cookie value (shown once, to the browser) and the session. */
    public record Started(String cookieValue, Session session) {}

    /** Starts a session for a live key; also deletes the expired sessions of every tenant. */
    public Started start(UUID tenantId, UUID keyId) throws SQLException {
        String cookie = randomToken();
        String csrf = randomToken();
        Jdbc.inTransaction(
                dataSource,
                c -> {
                    try (PreparedStatement ps =
                            c.prepareStatement(
                                    "DELETE FROM web_sessions WHERE created_at < now() - ?::interval"
                                            + " OR last_seen_at < now() - ?::interval")) {
                        ps.setString(1, absolute.toSeconds() + " seconds");
                        ps.setString(2, idle.toSeconds() + " seconds");
                        ps.executeUpdate();
                    }
                    try (PreparedStatement ps =
                            c.prepareStatement(
                                    "INSERT INTO web_sessions (id_hash, tenant_id, key_id,"
                                            + " csrf_token) VALUES (?, ?, ?, ?)")) {
                        ps.setBytes(1, ApiKeys.sha256(cookie));
                        ps.setObject(2, tenantId);
                        ps.setObject(3, keyId);
                        ps.setString(4, csrf);
                        return ps.executeUpdate();
                    }
                });
        return new Started(cookie, new Session(tenantId, keyId, csrf));
    }

    /** The live session of a cookie value; empty when unknown, expired or its key was revoked. */
    public Optional<Session> find(String cookieValue) throws SQLException {
        if (cookieValue == null || cookieValue.length() != 43) {
            return Optional.empty();
        }
        byte[] hash = ApiKeys.sha256(cookieValue);
        return Jdbc.withConnection(
                dataSource,
                c -> {
                    Session session;
                    boolean stale;
                    try (PreparedStatement ps =
                            c.prepareStatement(
                                    "SELECT w.tenant_id, w.key_id, w.csrf_token,"
                                            + " w.last_seen_at < now() - ?::interval AS stale"
                                            + " FROM web_sessions w JOIN api_keys k"
                                            + " ON k.id = w.key_id AND k.revoked_at IS NULL"
                                            + " WHERE w.id_hash = ?"
                                            + " AND w.last_seen_at >= now() - ?::interval"
                                            + " AND w.created_at >= now() - ?::interval")) {
                        ps.setString(1, TOUCH_EVERY.toSeconds() + " seconds");
                        ps.setBytes(2, hash);
                        ps.setString(3, idle.toSeconds() + " seconds");
                        ps.setString(4, absolute.toSeconds() + " seconds");
                        try (ResultSet rs = ps.executeQuery()) {
                            if (!rs.next()) {
                                return Optional.<Session>empty();
                            }
                            session =
                                    new Session(
                                            rs.getObject(1, UUID.class),
                                            rs.getObject(2, UUID.class),
                                            rs.getString(3));
                            stale = rs.getBoolean(4);
                        }
                    }
                    if (stale) {
                        try (PreparedStatement ps =
                                c.prepareStatement(
                                        "UPDATE web_sessions SET last_seen_at = now()"
                                                + " WHERE id_hash = ?")) {
                            ps.setBytes(1, hash);
                            ps.executeUpdate();
                        }
                    }
                    return Optional.of(session);
                });
    }

    /** Ends a session (sign-out); unknown values are ignored. */
    public void end(String cookieValue) throws SQLException {
        if (cookieValue == null) {
            return;
        }
        Jdbc.withConnection(
                dataSource,
                c -> {
                    try (PreparedStatement ps =
                            c.prepareStatement("DELETE FROM web_sessions WHERE id_hash = ?")) {
                        ps.setBytes(1, ApiKeys.sha256(cookieValue));
                        return ps.executeUpdate();
                    }
                });
    }

    /** 256 random bits, base64url without padding (43 characters). */
    static String randomToken() {
        byte[] bytes = new byte[ID_BYTES];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
