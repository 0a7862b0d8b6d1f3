package dev.flinkwatch.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkwatch.model.Alert;
import java.io.IOException;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code deliveries} table: the durable queue (due rows are claimed with {@code SKIP LOCKED},
 * so instances share the work) and the status the API shows.
 */
public final class DeliveryStore {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryStore.class);

    /** The channel of a monitor's {@code notify.webhookUrl} (the implicit webhook channel). */
    public static final String NOTIFY_WEBHOOK = "notify.webhookUrl";

    private static final int MAX_ERROR_CHARS = 500;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DataSource db;
    private final SecretBox box;
    private final String apiBaseUrl;
    private final ChannelStore channels;
    private final MessageRenderer renderer = new MessageRenderer();

    public DeliveryStore(DataSource db, SecretBox box, String apiBaseUrl) {
        this.db = db;
        this.box = box;
        this.apiBaseUrl = apiBaseUrl;
        this.channels = new ChannelStore(db, box);
    }

    public ChannelStore channels() {
        return channels;
    }

    /**
     * A claimed delivery, ready for one attempt.
     *
     * @param channelId the channel delivered to, or null for a legacy {@code notify.webhookUrl} row
     * @param targetUrl the legacy row's webhook URL, or null for a channel row (the dispatcher
     *     reads the channel's settings at the attempt)
     */
    public record Claimed(
            long id,
            String alertKey,
            UUID tenantId,
            UUID monitorId,
            String receiver,
            UUID channelId,
            String targetUrl,
            byte[] payload,
            int attempts,
            Instant deliverBy) {}

    static String targetAad(UUID tenantId, String alertKey, String channel) {
        return "delivery-target:" + tenantId + ":" + alertKey + ":" + channel;
    }

    /**
     * Queues the deliveries of these alerts in one transaction, one row per alert and enabled
     * channel of its monitor ({@code notify.channels}), each message rendered now so every retry
     * sends the same bytes; alerts already queued are skipped. Returns the number of rows added.
     */
    public int enqueue(Collection<Alert> alerts, Duration window) throws SQLException {
        int added = 0;
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement target =
                            c.prepareStatement(
                                    "SELECT name, spec->'notify'->>'webhookUrl',"
                                            + " spec->'notify'->'channels' FROM monitors"
                                            + " WHERE id = ? AND tenant_id = ?");
                    PreparedStatement insert =
                            c.prepareStatement(
                                    "INSERT INTO deliveries (alert_key, channel, channel_id,"
                                            + " tenant_id, monitor_id, receiver,"
                                            + " target_ciphertext, payload, status,"
                                            + " next_attempt_at, deliver_by) VALUES (?, ?, ?, ?,"
                                            + " ?, ?, ?, ?, 'pending', now(), now() +"
                                            + " ?::interval) ON CONFLICT (alert_key, channel) DO"
                                            + " NOTHING")) {
                String interval = window.toMillis() + " milliseconds";
                for (Alert alert : alerts) {
                    target.setObject(1, alert.monitorId());
                    target.setObject(2, alert.tenantId());
                    String name;
                    String legacyUrl;
                    String channelsJson;
                    try (ResultSet rs = target.executeQuery()) {
                        if (!rs.next()) {
                            continue; // the monitor is gone (or never was the tenant's)
                        }
                        name = rs.getString(1);
                        legacyUrl = rs.getString(2);
                        channelsJson = rs.getString(3);
                    }
                    AlertMessageContext message = AlertMessageContext.of(alert, name, apiBaseUrl);
                    if (legacyUrl != null) {
                        // A spec stored before channels existed and not yet migrated by the API.
                        bind(insert, alert, NOTIFY_WEBHOOK, null, receiverOf(legacyUrl), interval);
                        insert.setBytes(
                                7,
                                box.encrypt(
                                        legacyUrl,
                                        targetAad(
                                                alert.tenantId(),
                                                alert.alertId(),
                                                NOTIFY_WEBHOOK)));
                        insert.setBytes(
                                8, renderer.render(ChannelType.WEBHOOK, null, message).payload());
                        added += insert.executeUpdate();
                    }
                    for (ChannelStore.Channel channel :
                            channels.forDelivery(c, alert.tenantId(), channelIds(channelsJson))) {
                        MessageRenderer.Rendered rendered =
                                renderer.render(
                                        channel.type(), channel.draft().template(), message);
                        if (rendered.templateError() != null) {
                            LOG.warn(
                                    "event=delivery_template_failed monitorId={} channelId={}"
                                            + " error={}",
                                    alert.monitorId(),
                                    channel.id(),
                                    rendered.templateError());
                        }
                        bind(
                                insert,
                                alert,
                                channel.id().toString(),
                                channel.id(),
                                channel.receiver(),
                                interval);
                        insert.setBytes(7, null);
                        insert.setBytes(8, rendered.payload());
                        added += insert.executeUpdate();
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        return added;
    }

    private static void bind(
            PreparedStatement insert,
            Alert alert,
            String channel,
            UUID channelId,
            String receiver,
            String interval)
            throws SQLException {
        insert.setString(1, alert.alertId());
        insert.setString(2, channel);
        insert.setObject(3, channelId);
        insert.setObject(4, alert.tenantId());
        insert.setObject(5, alert.monitorId());
        insert.setString(6, receiver);
        insert.setString(9, interval);
    }

    /** A monitor's {@code notify.channels} ids (the API writes and checks them). */
    private static List<UUID> channelIds(String channelsJson) {
        if (channelsJson == null) {
            return List.of();
        }
        try {
            return List.of(JSON.readValue(channelsJson, UUID[].class));
        } catch (IOException | RuntimeException e) {
            return List.of(); // not written by the API
        }
    }

    /**
     * Who an URL delivers to, {@code host:port} lower-cased ("invalid" when it has no host): the
     * unit of the per-receiver concurrency cap.
     */
    static String receiverOf(String url) {
        try {
            URI uri = URI.create(url);
            if (uri.getHost() == null) {
                return "invalid";
            }
            int port =
                    uri.getPort() >= 0
                            ? uri.getPort()
                            : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
            return uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
        } catch (IllegalArgumentException e) {
            return "invalid";
        }
    }

    /**
     * Claims up to {@code limit} due deliveries whose receiver is not in {@code skipReceivers},
     * counting the attempt; a claim is a lease of {@code lease}, after which another instance (or
     * this one after a restart) may claim the row again.
     */
    public List<Claimed> claim(int limit, Collection<String> skipReceivers, Duration lease)
            throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement ps =
                        c.prepareStatement(
                                "UPDATE deliveries d SET status = 'sending', attempts = attempts +"
                                        + " 1, next_attempt_at = now() + ?::interval WHERE id IN"
                                        + " (SELECT id FROM deliveries WHERE status IN ('pending',"
                                        + " 'sending') AND next_attempt_at <= now() AND receiver <>"
                                        + " ALL (?) ORDER BY next_attempt_at LIMIT ? FOR UPDATE SKIP"
                                        + " LOCKED) RETURNING id, alert_key, tenant_id, monitor_id,"
                                        + " receiver, target_ciphertext, payload, attempts, deliver_by,"
                                        + " channel, channel_id")) {
            ps.setString(1, lease.toMillis() + " milliseconds");
            ps.setArray(2, c.createArrayOf("text", skipReceivers.toArray()));
            ps.setInt(3, limit);
            List<Claimed> claimed = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    UUID tenantId = rs.getObject(3, UUID.class);
                    String alertKey = rs.getString(2);
                    byte[] target = rs.getBytes(6);
                    claimed.add(
                            new Claimed(
                                    rs.getLong(1),
                                    alertKey,
                                    tenantId,
                                    rs.getObject(4, UUID.class),
                                    rs.getString(5),
                                    rs.getObject(11, UUID.class),
                                    target == null
                                            ? null
                                            : box.decrypt(
                                                    target,
                                                    targetAad(
                                                            tenantId, alertKey, rs.getString(10))),
                                    rs.getBytes(7),
                                    rs.getInt(8),
                                    rs.getTimestamp(9).toInstant()));
                }
            }
            return claimed;
        }
    }

    /** Gives a claimed row back untried (its receiver was busy): the attempt is not counted. */
    public void release(long id) throws SQLException {
        update(
                "UPDATE deliveries SET status = 'pending', attempts = attempts - 1,"
                        + " next_attempt_at = now() WHERE id = ? AND status = 'sending'",
                ps -> ps.setLong(1, id));
    }

    public void delivered(long id, int httpStatus) throws SQLException {
        update(
                "UPDATE deliveries SET status = 'delivered', delivered_at = now(),"
                        + " last_http_status = ?, last_error = NULL WHERE id = ?",
                ps -> {
                    ps.setInt(1, httpStatus);
                    ps.setLong(2, id);
                });
    }

    public void retryAt(long id, Instant at, AttemptResult result) throws SQLException {
        update(
                "UPDATE deliveries SET status = 'pending', next_attempt_at = ?,"
                        + " last_http_status = ?, last_error = ? WHERE id = ?",
                ps -> {
                    ps.setTimestamp(1, Timestamp.from(at));
                    ps.setObject(2, result.httpStatus());
                    ps.setString(3, errorText(result.error(), result.message()));
                    ps.setLong(4, id);
                });
    }

    public void failed(long id, Integer httpStatus, DeliveryError error, String message)
            throws SQLException {
        update(
                "UPDATE deliveries SET status = 'failed', last_http_status = ?, last_error = ?"
                        + " WHERE id = ?",
                ps -> {
                    ps.setObject(1, httpStatus);
                    ps.setString(2, errorText(error, message));
                    ps.setLong(3, id);
                });
    }

    /**
     * Disables a tenant's channel, fails its pending deliveries and leaves the tenant a notice, in
     * one transaction. Returns false when the channel was already disabled (or is gone): another
     * attempt got there first, and the tenant is told once.
     */
    public boolean disableChannel(UUID tenantId, UUID channelId, String reason)
            throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (!channels.disable(c, tenantId, channelId, reason)) {
                    c.rollback();
                    return false;
                }
                try (PreparedStatement fail =
                                c.prepareStatement(
                                        "UPDATE deliveries SET status = 'failed', last_error = ?"
                                                + " WHERE channel_id = ? AND tenant_id = ? AND"
                                                + " status = 'pending'");
                        PreparedStatement notice =
                                c.prepareStatement(
                                        "INSERT INTO tenant_notices (tenant_id, kind, channel_id,"
                                                + " message) VALUES (?, 'CHANNEL_DISABLED', ?,"
                                                + " ?)")) {
                    fail.setString(1, errorText(DeliveryError.CHANNEL_DISABLED, reason));
                    fail.setObject(2, channelId);
                    fail.setObject(3, tenantId);
                    fail.executeUpdate();
                    notice.setObject(1, tenantId);
                    notice.setObject(2, channelId);
                    notice.setString(3, "channel " + channelId + " was disabled: " + reason);
                    notice.executeUpdate();
                }
                c.commit();
                return true;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    static String errorText(DeliveryError error, String message) {
        String text = error.name() + (message == null ? "" : ": " + message);
        return text.length() > MAX_ERROR_CHARS ? text.substring(0, MAX_ERROR_CHARS) : text;
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private void update(String sql, Binder binder) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            ps.executeUpdate();
        }
    }
}
