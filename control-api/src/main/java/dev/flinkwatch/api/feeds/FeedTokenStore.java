package dev.flinkwatch.api.feeds;

import dev.flinkwatch.api.db.Jdbc;
import dev.flinkwatch.api.tenants.ApiKeys;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Feed tokens in PostgreSQL ({@code feed_tokens}): the secret is shown once at creation and only
 * its SHA-256 is stored, as for API keys. Every operation but {@link #resolve} is tenant-scoped; a
 * token of a deleted monitor resolves to nothing.
 */
public final class FeedTokenStore {
    /** How feed tokens start, so they are told apart from API keys ({@code fwk_}). */
    public static final String TOKEN_PREFIX = "fwf_";

    private final DataSource dataSource;

    public FeedTokenStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * A feed as listed.
     *
     * @param monitorId the monitor whose alerts it shows; null for all of the tenant's
     * @param prefix the token's first characters, to tell feeds apart
     */
    public record Feed(UUID id, UUID monitorId, String prefix, Instant createdAt) {}

    /** A new feed with its token: the token is handed out here once and never again. */
    public record Created(Feed feed, String token) {
        @Override
        public String toString() {
            return "FeedTokenStore.Created{" + feed + "}";
        }
    }

    /** What a live token grants: the feed of one tenant, of one monitor or (null) of all. */
    public record Grant(UUID feedId, UUID tenantId, UUID monitorId, Instant createdAt) {}

    /**
     * Creates a feed of the tenant's alerts, or of one of its live monitors.
     *
     * @return empty when the monitor is not one of the tenant's live monitors
     */
    public Optional<Created> create(UUID tenantId, UUID monitorIdOrNull) throws SQLException {
        UUID id = UUID.randomUUID();
        ApiKeys.Generated token = ApiKeys.generate(TOKEN_PREFIX);
        return Jdbc.inTransaction(
                dataSource,
                c -> {
                    if (monitorIdOrNull != null) {
                        // FOR SHARE: a delete of the monitor waits for this insert, or wins
                        try (PreparedStatement ps =
                                c.prepareStatement(
                                        "SELECT 1 FROM monitors WHERE id = ? AND tenant_id = ?"
                                                + " AND deleted_at IS NULL FOR SHARE")) {
                            ps.setObject(1, monitorIdOrNull);
                            ps.setObject(2, tenantId);
                            try (ResultSet rs = ps.executeQuery()) {
                                if (!rs.next()) {
                                    return Optional.empty();
                                }
                            }
                        }
                    }
                    try (PreparedStatement ps =
                            c.prepareStatement(
                                    "INSERT INTO feed_tokens (id, tenant_id, monitor_id,"
                                            + " token_hash, prefix) VALUES (?, ?, ?, ?, ?)"
                                            + " RETURNING created_at")) {
                        ps.setObject(1, id);
                        ps.setObject(2, tenantId);
                        ps.setObject(3, monitorIdOrNull);
                        ps.setBytes(4, token.hash());
                        ps.setString(5, token.displayPrefix());
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            return Optional.of(
                                    new Created(
                                            new Feed(
                                                    id,
                                                    monitorIdOrNull,
                                                    token.displayPrefix(),
                                                    Jdbc.instant(rs, "created_at")),
                                            token.secret()));
                        }
                    }
                });
    }

    /**
     * A page of the tenant's live feeds in id order (revoked ones and those of deleted monitors are
     * left out).
     *
     * @param after the last id of the previous page, or null for the first page
     */
    public List<Feed> list(UUID tenantId, UUID after, int limit) throws SQLException {
        String sql =
                "SELECT f.id, f.monitor_id, f.prefix, f.created_at FROM feed_tokens f"
                        + " LEFT JOIN monitors m ON m.id = f.monitor_id AND m.tenant_id = f.tenant_id"
                        + " WHERE f.tenant_id = ? AND f.revoked_at IS NULL"
                        + " AND (f.monitor_id IS NULL OR m.deleted_at IS NULL)"
                        + (after == null ? "" : " AND f.id > ?")
                        + " ORDER BY f.id LIMIT ?";
        return Jdbc.withConnection(
                dataSource,
                c -> {
                    try (PreparedStatement ps = c.prepareStatement(sql)) {
                        int i = 1;
                        ps.setObject(i++, tenantId);
                        if (after != null) {
                            ps.setObject(i++, after);
                        }
                        ps.setInt(i, limit);
                        List<Feed> feeds = new ArrayList<>();
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                feeds.add(
                                        new Feed(
                                                rs.getObject("id", UUID.class),
                                                rs.getObject("monitor_id", UUID.class),
                                                rs.getString("prefix"),
                                                Jdbc.instant(rs, "created_at")));
                            }
                        }
                        return feeds;
                    }
                });
    }

    /**
     * Revokes one of the tenant's feeds: its URL stops working at once.
     *
     * @return false when the tenant has no such live feed
     */
    public boolean revoke(UUID tenantId, UUID feedId) throws SQLException {
        return Jdbc.withConnection(
                dataSource,
                c -> {
                    try (PreparedStatement ps =
                            c.prepareStatement(
                                    "UPDATE feed_tokens SET revoked_at = now()"
                                            + " WHERE id = ? AND tenant_id = ? AND revoked_at IS NULL")) {
                        ps.setObject(1, feedId);
                        ps.setObject(2, tenantId);
                        return ps.executeUpdate() == 1;
                    }
                });
    }

    /**
     * What a token grants: nothing when it is unknown or revoked, or its monitor was deleted.
     * Looked up by hash only (an index lookup on a 256-bit secret: no timing oracle to exploit).
     */
    public Optional<Grant> resolve(String token) throws SQLException {
        byte[] hash = ApiKeys.sha256(token);
        return Jdbc.withConnection(
                dataSource,
                c -> {
                    try (PreparedStatement ps =
                            c.prepareStatement(
                                    "SELECT f.id, f.tenant_id, f.monitor_id, f.created_at"
                                            + " FROM feed_tokens f LEFT JOIN monitors m"
                                            + " ON m.id = f.monitor_id AND m.tenant_id = f.tenant_id"
                                            + " WHERE f.token_hash = ? AND f.revoked_at IS NULL"
                                            + " AND (f.monitor_id IS NULL OR m.deleted_at IS NULL)")) {
                        ps.setBytes(1, hash);
                        try (ResultSet rs = ps.executeQuery()) {
                            if (!rs.next()) {
                                return Optional.empty();
                            }
                            return Optional.of(
                                    new Grant(
                                            rs.getObject("id", UUID.class),
                                            rs.getObject("tenant_id", UUID.class),
                                            rs.getObject("monitor_id", UUID.class),
                                            Jdbc.instant(rs, "created_at")));
                        }
                    }
                });
    }
}
