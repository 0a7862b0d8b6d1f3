package dev.flinkwatch.api.outbox;

import dev.flinkwatch.model.ModelCodec;
import dev.flinkwatch.model.MonitorEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Appends monitor events to the transactional outbox. Callers append in the transaction that
 * changes the monitor row, after locking that row, so a monitor's outbox ids increase with its
 * versions.
 */
public final class Outbox {
    private Outbox() {}

    public static void append(Connection c, MonitorEvent event) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "INSERT INTO outbox (monitor_id, tenant_id, version, event_type, payload)"
                                + " VALUES (?, ?, ?, ?, ?)")) {
            ps.setObject(1, event.monitorId());
            ps.setObject(2, event.tenantId());
            ps.setLong(3, event.version());
            ps.setString(4, event.type().json());
            ps.setBytes(5, ModelCodec.encode(event));
            ps.executeUpdate();
        }
    }
}
