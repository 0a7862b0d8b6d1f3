package dev.flinkwatch.delivery;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Tenants' signing secrets, encrypted in {@code webhook_secrets}. A tenant without one gets one on
 * first use; {@link #rotate} replaces it and keeps the old one valid for a grace period.
 */
public final class WebhookSecrets {
    private final DataSource db;
    private final SecretBox box;

    public WebhookSecrets(DataSource db, SecretBox box) {
        this.db = db;
        this.box = box;
    }

    private static String aad(UUID tenantId) {
        return "webhook-secret:" + tenantId;
    }

    /** The secrets that sign a message now: current first, then the previous one in its grace. */
    public List<String> signingSecrets(UUID tenantId) throws SQLException {
        try (Connection c = db.getConnection()) {
            List<String> secrets = read(c, tenantId);
            if (!secrets.isEmpty()) {
                return secrets;
            }
            try (PreparedStatement ps =
                    c.prepareStatement(
                            "INSERT INTO webhook_secrets (tenant_id, secret_ciphertext) VALUES (?, ?)"
                                    + " ON CONFLICT (tenant_id) DO NOTHING")) {
                ps.setObject(1, tenantId);
                ps.setBytes(2, box.encrypt(WebhookSigner.newSecret(), aad(tenantId)));
                ps.executeUpdate();
            }
            return read(c, tenantId);
        }
    }

    /**
     * Replaces the tenant's secret; the old one keeps signing for {@code grace}. Returns the new
     * secret (shown to the tenant once).
     */
    public String rotate(UUID tenantId, Duration grace) throws SQLException {
        String secret = WebhookSigner.newSecret();
        byte[] ciphertext = box.encrypt(secret, aad(tenantId));
        try (Connection c = db.getConnection();
                PreparedStatement ps =
                        c.prepareStatement(
                                "INSERT INTO webhook_secrets (tenant_id, secret_ciphertext)"
                                        + " VALUES (?, ?) ON CONFLICT (tenant_id) DO UPDATE SET"
                                        + " previous_ciphertext = webhook_secrets.secret_ciphertext,"
                                        + " previous_valid_until = ?,"
                                        + " secret_ciphertext = EXCLUDED.secret_ciphertext,"
                                        + " rotated_at = now()")) {
            ps.setObject(1, tenantId);
            ps.setBytes(2, ciphertext);
            ps.setTimestamp(3, Timestamp.from(Instant.now().plus(grace)));
            ps.executeUpdate();
        }
        return secret;
    }

    private List<String> read(Connection c, UUID tenantId) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT secret_ciphertext, previous_ciphertext,"
                                + " previous_valid_until > now()"
                                + " FROM webhook_secrets WHERE tenant_id = ?")) {
            ps.setObject(1, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                List<String> secrets = new ArrayList<>(2);
                if (rs.next()) {
                    secrets.add(box.decrypt(rs.getBytes(1), aad(tenantId)));
                    if (rs.getBytes(2) != null && rs.getBoolean(3)) {
                        secrets.add(box.decrypt(rs.getBytes(2), aad(tenantId)));
                    }
                }
                return secrets;
            }
        }
    }
}
