package dev.flinkwatch.api.tenants;

import dev.flinkwatch.api.db.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/** Tenants and their API keys in PostgreSQL. */
public final class TenantStore {
    private final DataSource dataSource;

    public TenantStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** A key as issued: its id, and the secret to hand out once. */
    public record IssuedKey(UUID keyId, UUID tenantId, ApiKeys.Generated key) {}

    /** Creates a tenant with a first key, in one transaction. */
    public IssuedKey createTenant(String name, Integer monitorQuota) throws SQLException {
        UUID tenantId = UUID.randomUUID();
        return Jdbc.inTransaction(
                dataSource,
                c -> {
                    try (PreparedStatement ps =
                            c.prepareStatement(
                                    "INSERT INTO tenants (id, name, monitor_quota) VALUES (?, ?, ?)")) {
                        ps.setObject(1, tenantId);
                        ps.setString(2, name);
                        ps.setObject(3, monitorQuota);
                        ps.executeUpdate();
                    }
                    return insertKey(c, tenantId);
                });
    }

    /** Issues another key for an existing tenant; empty when there is no such tenant. */
    public Optional<IssuedKey> issueKey(UUID tenantId) throws SQLException {
        return Jdbc.inTransaction(
                dataSource,
                c -> {
                    try (PreparedStatement ps =
                            c.prepareStatement("SELECT 1 FROM tenants WHERE id = ? FOR SHARE")) {
                        ps.setObject(1, tenantId);
                        try (ResultSet rs = ps.executeQuery()) {
                            if (!rs.next()) {
                                return Optional.empty();
                            }
                        }
                    }
                    return Optional.of(insertKey(c, tenantId));
                });
    }

    /**
     * Revokes a key (idempotent). With a tenant, only that tenant's keys are found.
     *
     * @return false when no such key exists (for that tenant)
     */
    public boolean revokeKey(UUID keyId, UUID tenantIdOrNull) throws SQLException {
        return Jdbc.withConnection(
                dataSource,
                c -> {
                    try (PreparedStatement ps =
                            c.prepareStatement(
                                    "UPDATE api_keys SET revoked_at = coalesce(revoked_at, now())"
                                            + " WHERE id = ? AND (?::uuid IS NULL OR tenant_id = ?)")) {
                        ps.setObject(1, keyId);
                        ps.setObject(2, tenantIdOrNull);
                        ps.setObject(3, tenantIdOrNull);
                        return ps.executeUpdate() == 1;
                    }
                });
    }

    /** The tenant that owns a live (unrevoked) key with this hash. */
    public Optional<UUID> tenantForKeyHash(byte[] keyHash) throws SQLException {
        return Jdbc.withConnection(
                dataSource,
                c -> {
                    try (PreparedStatement ps =
                            c.prepareStatement(
                                    "SELECT tenant_id FROM api_keys"
                                            + " WHERE key_hash = ? AND revoked_at IS NULL")) {
                        ps.setBytes(1, keyHash);
                        try (ResultSet rs = ps.executeQuery()) {
                            return rs.next()
                                    ? Optional.of(rs.getObject(1, UUID.class))
                                    : Optional.empty();
                        }
                    }
                });
    }

    /** A live key: its id and its tenant. */
    public record KeyOwner(UUID keyId, UUID tenantId) {}

    /** The live (unrevoked) key with this hash, with its tenant. */
    public Optional<KeyOwner> keyForHash(byte[] keyHash) throws SQLException {
        return Jdbc.withConnection(
                dataSource,
                c -> {
                    try (PreparedStatement ps =
                            c.prepareStatement(
                                    "SELECT id, tenant_id FROM api_keys"
                                            + " WHERE key_hash = ? AND revoked_at IS NULL")) {
                        ps.setBytes(1, keyHash);
                        try (ResultSet rs = ps.executeQuery()) {
                            return rs.next()
                                    ? Optional.of(
                                            new KeyOwner(
                                                    rs.getObject(1, UUID.class),
                                                    rs.getObject(2, UUID.class)))
                                    : Optional.empty();
                        }
                    }
                });
    }

    /** A key as listed: never its secret, only the display prefix. */
    public record KeyInfo(UUID id, String prefix, Instant createdAt, Instant revokedAt) {}

    /** The tenant's keys, newest first (at most 1000: keys are few). */
    public List<KeyInfo> keys(UUID tenantId) throws SQLException {
        return Jdbc.withConnection(
                dataSource,
                c -> {
                    try (PreparedStatement ps =
                            c.prepareStatement(
                                    "SELECT id, prefix, created_at, revoked_at FROM api_keys"
                                            + " WHERE tenant_id = ?"
                                            + " ORDER BY created_at DESC, id LIMIT 1000")) {
                        ps.setObject(1, tenantId);
                        List<KeyInfo> keys = new ArrayList<>();
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                keys.add(
                                        new KeyInfo(
                                                rs.getObject("id", UUID.class),
                                                rs.getString("prefix"),
                                                Jdbc.instant(rs, "created_at"),
                                                Jdbc.instant(rs, "revoked_at")));
                            }
                        }
                        return keys;
                    }
                });
    }

    private static IssuedKey insertKey(Connection c, UUID tenantId) throws SQLException {
        UUID keyId = UUID.randomUUID();
        ApiKeys.Generated key = ApiKeys.generate();
        try (PreparedStatement ps =
                c.prepareStatement(
                        "INSERT INTO api_keys (id, tenant_id, key_hash, prefix) VALUES (?, ?, ?, ?)")) {
            ps.setObject(1, keyId);
            ps.setObject(2, tenantId);
            ps.setBytes(3, key.hash());
            ps.setString(4, key.displayPrefix());
            ps.executeUpdate();
        }
        return new IssuedKey(keyId, tenantId, key);
    }
}
