package dev.flinkwatch.api.outbox;

import dev.flinkwatch.model.ModelCodec;
import dev.flinkwatch.model.MonitorEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * Appends monitor events to the transactional outbox. Callers append in the transaction that
 * changes the monitor row, after locking that row, so a monitor's outbox ids increase with its
 * versions.
 *
 * <p>An appended event supersedes the monitor's older unpublished events: they are marked done
 * ({@code superseded}) and never sent, because the topic is compacted by monitor id and consumers
 * keep the newest version. So a monitor has about one pending row however fast it changes, and
 * pause/resume churn cannot fill the relay's window ahead of other tenants. Rows a relay holds
 * right now are skipped, not waited for (a write never waits for Kafka); the relay sends them, in
 * order, before the new one.
 */
public final class Outbox {
    private static final String INSERT =
            "INSERT INTO outbox (monitor_id, tenant_id, version, event_type, payload)"
                    + " VALUES (?, ?, ?, ?, ?)";

    private Outbox() {}

    public static void append(Connection c, MonitorEvent event) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "UPDATE outbox SET published_at = now(), superseded = true WHERE id IN"
                                + " (SELECT id FROM outbox WHERE monitor_id = ?"
                                + " AND published_at IS NULL FOR UPDATE SKIP LOCKED)")) {
            ps.setObject(1, event.monitorId());
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            bind(ps, event);
            ps.executeUpdate();
        }
    }

    /**
     * Appends the first events of monitors created in this transaction, as one JDBC batch: such a
     * monitor has no older row to supersede.
     */
    public static void appendNew(Connection c, List<MonitorEvent> events) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            for (MonitorEvent event : events) {
                bind(ps, event);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void bind(PreparedStatement ps, MonitorEvent event) throws SQLException {
        ps.setObject(1, event.monitorId());
        ps.setObject(2, event.tenantId());
        ps.setLong(3, event.version());
        ps.setString(4, event.type().json());
        ps.setBytes(5, ModelCodec.encode(event));
    }
}
