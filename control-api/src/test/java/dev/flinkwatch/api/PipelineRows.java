package dev.flinkwatch.api;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Writes the rows the pipeline writes (status, alerts, check runs), as the pipeline's SQL would.
 */
final class PipelineRows {
    private PipelineRows() {}

    static void status(DataSource db, UUID monitor, UUID tenant, Instant checkedAt)
            throws SQLException {
        execute(
                db,
                "INSERT INTO monitor_status (monitor_id, tenant_id, last_check_at, last_outcome,"
                        + " last_error, consecutive_failures, last_change_at)"
                        + " VALUES (?, ?, ?, 'ERROR', 'TIMEOUT: no answer in 10 s', 2, ?)",
                monitor,
                tenant,
                Timestamp.from(checkedAt),
                Timestamp.from(checkedAt.minusSeconds(600)));
    }

    static void alert(DataSource db, UUID monitor, UUID tenant, String key, Instant detectedAt)
            throws SQLException {
        alert(db, monitor, tenant, key, detectedAt, "CONDITION_MET", "price 45 < 50", null);
    }

    /**
     * An alert of the widget source, e.g. raised by the {@link #checkRun} finished at that time.
     */
    static void alert(
            DataSource db,
            UUID monitor,
            UUID tenant,
            String key,
            Instant detectedAt,
            String kind,
            String reason,
            String diff)
            throws SQLException {
        execute(
                db,
                "INSERT INTO alerts (alert_key, kind, monitor_id, tenant_id, source_url,"
                        + " detected_at, reason, excerpt, diff)"
                        + " VALUES (?, ?, ?, ?, 'https://shop.example/widget', ?, ?,"
                        + " 'Price: $45', ?)",
                key,
                kind,
                monitor,
                tenant,
                Timestamp.from(detectedAt),
                reason,
                diff);
    }

    /** A delivered row as the delivery component writes it (no foreign key to alerts). */
    static void delivered(
            DataSource db, UUID monitor, UUID tenant, String alertKey, Instant deliveredAt)
            throws SQLException {
        execute(
                db,
                "INSERT INTO deliveries (alert_key, channel, tenant_id, monitor_id, receiver,"
                        + " target_ciphertext, payload, status, attempts, next_attempt_at,"
                        + " deliver_by, last_http_status, delivered_at)"
                        + " VALUES (?, 'notify.webhookUrl', ?, ?, 'hooks.example:443', '\\x00',"
                        + " '\\x00', 'delivered', 2, now(), now(), 204, ?)",
                alertKey,
                tenant,
                monitor,
                Timestamp.from(deliveredAt));
    }

    static void checkRun(DataSource db, UUID monitor, UUID tenant, Instant finishedAt)
            throws SQLException {
        execute(
                db,
                "INSERT INTO check_runs (monitor_id, tenant_id, source_url, scheduled_at,"
                        + " started_at, finished_at, outcome, http_status, content_hash,"
                        + " latency_ms, diff)"
                        + " VALUES (?, ?, 'https://shop.example/widget', ?, ?, ?, 'CHANGED', 200,"
                        + " 'abc123', 120, '- $55\n+ $45')",
                monitor,
                tenant,
                Timestamp.from(finishedAt.minusMillis(500)),
                Timestamp.from(finishedAt.minusMillis(200)),
                Timestamp.from(finishedAt));
    }

    /** A CHANGED check run with a screenshot, as the pipeline writes it; returns its id. */
    static long checkRunWithScreenshot(
            DataSource db, UUID monitor, UUID tenant, Instant finishedAt, byte[] jpeg)
            throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement ps =
                        c.prepareStatement(
                                "INSERT INTO check_runs (monitor_id, tenant_id, source_url,"
                                        + " scheduled_at, finished_at, outcome, latency_ms, diff,"
                                        + " screenshot) VALUES (?, ?, 'https://shop.example/js',"
                                        + " ?, ?, 'CHANGED', 900, '- a\n+ b', ?) RETURNING id")) {
            ps.setObject(1, monitor);
            ps.setObject(2, tenant);
            ps.setTimestamp(3, Timestamp.from(finishedAt.minusSeconds(1)));
            ps.setTimestamp(4, Timestamp.from(finishedAt));
            ps.setBytes(5, jpeg);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void execute(DataSource db, String sql, Object... params) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.executeUpdate();
        }
    }
}
