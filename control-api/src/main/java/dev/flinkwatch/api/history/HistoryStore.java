package dev.flinkwatch.api.history;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.flinkwatch.api.db.Jdbc;
import dev.flinkwatch.api.http.Cursor;
import dev.flinkwatch.api.http.Page;
import dev.flinkwatch.model.AlertKind;
import dev.flinkwatch.model.CheckOutcome;
import dev.flinkwatch.model.ModelCodec;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * What the pipeline wrote: alerts and check runs, newest first, paged by a (time, id) cursor so
 * rows with equal times are neither skipped nor repeated. Every query is scoped to one tenant and
 * to live monitors.
 */
public final class HistoryStore {
    private static final String ALERTS =
            "SELECT a.alert_key, a.kind, a.monitor_id, m.name AS monitor_name, a.source_url,"
                    + " a.detected_at, a.reason, a.excerpt, a.diff, a.created_at,"
                    // The run that raised it: an alert is detected when its check finishes.
                    + " (SELECT c.id FROM check_runs c WHERE c.monitor_id = a.monitor_id"
                    + " AND c.tenant_id = a.tenant_id AND c.source_url = a.source_url"
                    + " AND c.finished_at = a.detected_at ORDER BY c.id LIMIT 1) AS check_id,"
                    // Joined at read time: delivery rows have no foreign key to alerts (they may
                    // be written first). 'sending' is an internal lease and shows as pending.
                    + " (SELECT coalesce(json_agg(json_build_object('channel', d.channel,"
                    + " 'status', CASE d.status WHEN 'sending' THEN 'pending' ELSE d.status END,"
                    + " 'attempts', d.attempts, 'lastHttpStatus', d.last_http_status,"
                    + " 'lastError', d.last_error, 'deliveredAt',"
                    + " to_char(d.delivered_at AT TIME ZONE 'UTC',"
                    + " 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'))"
                    + " ORDER BY d.channel), '[]') FROM deliveries d"
                    + " WHERE d.tenant_id = a.tenant_id AND d.alert_key = a.alert_key)"
                    + " AS deliveries,"
                    + " a.detected_at AS feed_time, a.id AS feed_id"
                    + " FROM alerts a JOIN monitors m"
                    + " ON m.id = a.monitor_id AND m.tenant_id = a.tenant_id"
                    + " WHERE a.tenant_id = ? AND m.deleted_at IS NULL";
    private static final String CHECKS =
            "SELECT c.id, c.source_url, c.scheduled_at, c.started_at, c.finished_at, c.outcome,"
                    + " c.http_status, c.content_hash, c.error_code, c.error_message,"
                    + " c.latency_ms, c.diff, c.screenshot IS NOT NULL AS has_screenshot,"
                    + " c.finished_at AS feed_time, c.id AS feed_id"
                    + " FROM check_runs c WHERE c.tenant_id = ? AND c.monitor_id = ?";
    private static final String SCREENSHOT =
            "SELECT c.screenshot FROM check_runs c JOIN monitors m"
                    + " ON m.id = c.monitor_id AND m.tenant_id = c.tenant_id"
                    + " WHERE c.id = ? AND c.tenant_id = ? AND m.deleted_at IS NULL";

    private final DataSource dataSource;

    public HistoryStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The tenant's alerts, optionally of one monitor and no older than {@code since}. */
    public Page<AlertView> alerts(
            UUID tenantId, UUID monitorIdOrNull, Instant sinceOrNull, String cursor, int limit)
            throws SQLException {
        List<Object> params = new ArrayList<>(List.of(tenantId));
        StringBuilder sql = new StringBuilder(ALERTS);
        if (monitorIdOrNull != null) {
            sql.append(" AND a.monitor_id = ?");
            params.add(monitorIdOrNull);
        }
        if (sinceOrNull != null) {
            sql.append(" AND a.detected_at >= ?");
            params.add(Jdbc.timestamptz(sinceOrNull));
        }
        return newestFirst(
                sql.toString(),
                "a.detected_at",
                "a.id",
                params,
                cursor,
                limit,
                rs ->
                        new AlertView(
                                rs.getString("alert_key"),
                                AlertKind.valueOf(rs.getString("kind")),
                                rs.getObject("monitor_id", UUID.class),
                                rs.getString("monitor_name"),
                                rs.getString("source_url"),
                                Jdbc.instant(rs, "detected_at"),
                                rs.getString("reason"),
                                rs.getString("excerpt"),
                                rs.getString("diff"),
                                (Long) rs.getObject("check_id"),
                                Jdbc.instant(rs, "created_at"),
                                deliveries(rs.getString("deliveries"))));
    }

    private static final TypeReference<List<AlertView.DeliveryStatus>> DELIVERIES =
            new TypeReference<>() {};

    private static List<AlertView.DeliveryStatus> deliveries(String json) throws SQLException {
        try {
            return ModelCodec.mapper().readValue(json, DELIVERIES);
        } catch (JsonProcessingException e) {
            throw new SQLException("unreadable delivery status", e);
        }
    }

    /** A monitor's stored check runs. */
    public Page<CheckView> checks(UUID tenantId, UUID monitorId, String cursor, int limit)
            throws SQLException {
        return newestFirst(
                CHECKS,
                "c.finished_at",
                "c.id",
                List.of(tenantId, monitorId),
                cursor,
                limit,
                rs ->
                        new CheckView(
                                rs.getLong("id"),
                                rs.getString("source_url"),
                                Jdbc.instant(rs, "scheduled_at"),
                                Jdbc.instant(rs, "started_at"),
                                Jdbc.instant(rs, "finished_at"),
                                CheckOutcome.valueOf(rs.getString("outcome")),
                                (Integer) rs.getObject("http_status"),
                                rs.getString("content_hash"),
                                rs.getString("error_code"),
                                rs.getString("error_message"),
                                rs.getLong("latency_ms"),
                                rs.getString("diff"),
                                rs.getBoolean("has_screenshot")
                                        ? CheckView.screenshotPath(rs.getLong("id"))
                                        : null));
    }

    /** The JPEG screenshot of one of the tenant's checks, if it has one (and it is kept). */
    public Optional<byte[]> screenshot(UUID tenantId, long checkId) throws SQLException {
        return Jdbc.withConnection(
                dataSource,
                c -> {
                    try (PreparedStatement ps = c.prepareStatement(SCREENSHOT)) {
                        ps.setLong(1, checkId);
                        ps.setObject(2, tenantId);
                        try (ResultSet rs = ps.executeQuery()) {
                            return rs.next()
                                    ? Optional.ofNullable(rs.getBytes(1))
                                    : Optional.empty();
                        }
                    }
                });
    }

    @FunctionalInterface
    private interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /**
     * Runs a feed query (which selects {@code feed_time} and {@code feed_id}) newest first, after
     * the cursor's position.
     */
    private <T> Page<T> newestFirst(
            String select,
            String timeColumn,
            String idColumn,
            List<Object> params,
            String cursor,
            int limit,
            RowMapper<T> mapper)
            throws SQLException {
        List<Object> all = new ArrayList<>(params);
        StringBuilder sql = new StringBuilder(select);
        if (cursor != null) {
            List<String> parts = Cursor.decode(cursor, 2);
            try {
                all.add(Jdbc.timestamptz(Instant.parse(parts.get(0))));
                all.add(Long.parseLong(parts.get(1)));
            } catch (DateTimeParseException | NumberFormatException e) {
                throw Cursor.invalid();
            }
            sql.append(" AND (")
                    .append(timeColumn)
                    .append(", ")
                    .append(idColumn)
                    .append(") < (?, ?)");
        }
        sql.append(" ORDER BY ")
                .append(timeColumn)
                .append(" DESC, ")
                .append(idColumn)
                .append(" DESC LIMIT ?");
        all.add(limit + 1);
        return Jdbc.withConnection(
                dataSource,
                c -> {
                    try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                        for (int i = 0; i < all.size(); i++) {
                            ps.setObject(i + 1, all.get(i));
                        }
                        List<T> items = new ArrayList<>();
                        List<String> positions = new ArrayList<>();
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                items.add(mapper.map(rs));
                                positions.add(
                                        Cursor.encode(
                                                Jdbc.instant(rs, "feed_time").toString(),
                                                Long.toString(rs.getLong("feed_id"))));
                            }
                        }
                        if (items.size() <= limit) {
                            return new Page<>(items, null);
                        }
                        return new Page<>(items.subList(0, limit), positions.get(limit - 1));
                    }
                });
    }
}
