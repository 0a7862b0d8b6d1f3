package dev.flinkwatch.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;

/**
 * The tenants' notification channels ({@code channels} table). Every query is scoped to one tenant
 * (except the delivery bookkeeping by channel id). Settings are encrypted with {@link SecretBox}
 * under associated data that binds them to the tenant and the channel, and decrypted only here.
 */
public final class ChannelStore {
    /** Largest per-channel template override, in UTF-8 bytes (the column's CHECK agrees). */
    public static final int MAX_TEMPLATE_BYTES = 8192;

    /** The receiver of every email channel: the one SMTP server from configuration. */
    public static final String SMTP_RECEIVER = "smtp";

    /**
     * The receiver of every telegram channel: the one bot API from configuration (its base URL is
     * an option, so no host is named here).
     */
    public static final String TELEGRAM_RECEIVER = "telegram";

    private static final String COLUMNS =
            "id, tenant_id, name, type, settings_ciphertext, receiver, template, enabled,"
                    + " disabled_reason, disabled_at, failing_since, implicit, monitor_id,"
                    + " created_at, updated_at";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DataSource db;
    private final SecretBox box;

    public ChannelStore(DataSource db, SecretBox box) {
        this.db = db;
        this.box = box;
    }

    /** What a tenant says a channel is; the store adds id, bookkeeping and the receiver. */
    public record Draft(
            String name,
            ChannelType type,
            ChannelSettings settings,
            String template,
            boolean enabled) {}

    /** A stored channel with its settings decrypted: never log or return {@link #settings}. */
    public record Channel(
            UUID id,
            UUID tenantId,
            Draft draft,
            String receiver,
            String disabledReason,
            Instant disabledAt,
            Instant failingSince,
            boolean implicit,
            UUID monitorId,
            Instant createdAt,
            Instant updatedAt) {
        public String name() {
            return draft.name();
        }

        public ChannelType type() {
            return draft.type();
        }

        public ChannelSettings settings() {
            return draft.settings();
        }

        public boolean enabled() {
            return draft.enabled();
        }
    }

    static String aad(UUID tenantId, UUID channelId) {
        return "channel-settings:" + tenantId + ":" + channelId;
    }

    /**
     * Who a channel delivers to, not secret: {@code host:port} of its URL, {@link #SMTP_RECEIVER}
     * for email, {@link #TELEGRAM_RECEIVER} for telegram. The unit of per-receiver caps.
     */
    public static String receiverOf(ChannelType type, ChannelSettings settings) {
        return switch (type) {
            case EMAIL -> SMTP_RECEIVER;
            case TELEGRAM -> TELEGRAM_RECEIVER;
            default -> DeliveryStore.receiverOf(settings.url());
        };
    }

    public Channel create(UUID tenantId, Draft draft) throws SQLException {
        try (Connection c = db.getConnection()) {
            return insert(c, tenantId, UUID.randomUUID(), draft, null);
        }
    }

    public Optional<Channel> get(UUID tenantId, UUID id) throws SQLException {
        try (Connection c = db.getConnection()) {
            return find(c, tenantId, id, false);
        }
    }

    /**
     * A page of the tenant's channels in id order.
     *
     * @param after the last id of the previous page, or null for the first page
     */
    public List<Channel> list(UUID tenantId, UUID after, int limit) throws SQLException {
        String sql =
                "SELECT "
                        + COLUMNS
                        + " FROM channels WHERE tenant_id = ?"
                        + (after == null ? "" : " AND id > ?")
                        + " ORDER BY id LIMIT ?";
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            ps.setObject(i++, tenantId);
            if (after != null) {
                ps.setObject(i++, after);
            }
            ps.setInt(i, limit);
            return read(ps);
        }
    }

    /**
     * Replaces a channel with what {@code change} makes of its current draft. Enabling a disabled
     * channel clears its disabled reason and failure run.
     *
     * @return the channel after the change; empty when the tenant has no such channel
     */
    public Optional<Channel> update(UUID tenantId, UUID id, UnaryOperator<Draft> change)
            throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                Optional<Channel> current = find(c, tenantId, id, true);
                if (current.isPresent()) {
                    write(c, current.get(), change.apply(current.get().draft()));
                }
                Optional<Channel> updated = find(c, tenantId, id, false);
                c.commit();
                return updated;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * @return false when the tenant has no such channel
     */
    public boolean delete(UUID tenantId, UUID id) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("DELETE FROM channels WHERE id = ? AND tenant_id = ?")) {
            ps.setObject(1, id);
            ps.setObject(2, tenantId);
            return ps.executeUpdate() > 0;
        }
    }

    /**
     * The enabled channels among {@code ids} that are the tenant's, decrypted, in the order of
     * {@code ids}; unknown, foreign and disabled ids are left out.
     */
    public List<Channel> forDelivery(UUID tenantId, List<UUID> ids) throws SQLException {
        try (Connection c = db.getConnection()) {
            return forDelivery(c, tenantId, ids);
        }
    }

    /** {@link #forDelivery(UUID, List)} on the caller's connection (and transaction). */
    public List<Channel> forDelivery(Connection c, UUID tenantId, List<UUID> ids)
            throws SQLException {
        if (ids.isEmpty()) {
            return List.of();
        }
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT "
                                + COLUMNS
                                + " FROM channels WHERE tenant_id = ? AND id = ANY (?)"
                                + " AND enabled")) {
            ps.setObject(1, tenantId);
            ps.setArray(2, c.createArrayOf("uuid", ids.toArray()));
            Map<UUID, Channel> byId = new HashMap<>();
            for (Channel channel : read(ps)) {
                byId.put(channel.id(), channel);
            }
            List<Channel> ordered = new ArrayList<>();
            for (UUID id : new LinkedHashSet<>(ids)) {
                if (byId.containsKey(id)) {
                    ordered.add(byId.get(id));
                }
            }
            return ordered;
        }
    }

    /**
     * Disables a channel (e.g. its receiver answered 410, or it failed for too long) with a reason
     * the tenant sees. Returns false when the tenant has no such enabled channel.
     */
    public boolean disable(UUID tenantId, UUID id, String reason) throws SQLException {
        try (Connection c = db.getConnection()) {
            return disable(c, tenantId, id, reason);
        }
    }

    /** {@link #disable(UUID, UUID, String)} on the caller's connection (and transaction). */
    public boolean disable(Connection c, UUID tenantId, UUID id, String reason)
            throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "UPDATE channels SET enabled = false, disabled_reason = ?,"
                                + " disabled_at = now(), updated_at = now()"
                                + " WHERE id = ? AND tenant_id = ? AND enabled")) {
            ps.setString(1, reason);
            ps.setObject(2, id);
            ps.setObject(3, tenantId);
            return ps.executeUpdate() > 0;
        }
    }

    /**
     * The channels of these ids, decrypted, whatever their tenant or state (the dispatcher checks
     * each delivery's tenant and the enabled flag): one query per dispatch round.
     */
    public Map<UUID, Channel> byIds(Collection<UUID> ids) throws SQLException {
        Map<UUID, Channel> byId = new HashMap<>();
        if (ids.isEmpty()) {
            return byId;
        }
        try (Connection c = db.getConnection();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT " + COLUMNS + " FROM channels WHERE id = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("uuid", ids.toArray()));
            for (Channel channel : read(ps)) {
                byId.put(channel.id(), channel);
            }
        }
        return byId;
    }

    /** A delivery to this channel failed finally: starts its failure run unless one is running. */
    public void failed(UUID id, Instant now) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement ps =
                        c.prepareStatement(
                                "UPDATE channels SET failing_since = ? WHERE id = ?"
                                        + " AND failing_since IS NULL")) {
            ps.setTimestamp(1, Timestamp.from(now));
            ps.setObject(2, id);
            ps.executeUpdate();
        }
    }

    /** A delivery to this channel succeeded: ends its failure run. */
    public void succeeded(UUID id) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement ps =
                        c.prepareStatement(
                                "UPDATE channels SET failing_since = NULL WHERE id = ?"
                                        + " AND failing_since IS NOT NULL")) {
            ps.setObject(1, id);
            ps.executeUpdate();
        }
    }

    /**
     * The ids among {@code ids} that are not channels of the tenant (unknown or another tenant's:
     * the caller cannot tell which), in the order given.
     */
    public List<UUID> notTheTenants(Connection c, UUID tenantId, List<UUID> ids)
            throws SQLException {
        if (ids.isEmpty()) {
            return List.of();
        }
        List<UUID> known = new ArrayList<>();
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT id FROM channels WHERE tenant_id = ? AND id = ANY (?)"
                                + " FOR KEY SHARE")) {
            ps.setObject(1, tenantId);
            ps.setArray(2, c.createArrayOf("uuid", ids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    known.add(rs.getObject(1, UUID.class));
                }
            }
        }
        return ids.stream().filter(id -> !known.contains(id)).toList();
    }

    /** The id of a monitor's implicit webhook channel, if it has one. */
    public Optional<UUID> implicitOf(Connection c, UUID tenantId, UUID monitorId)
            throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT id FROM channels WHERE tenant_id = ? AND monitor_id = ?"
                                + " AND implicit")) {
            ps.setObject(1, tenantId);
            ps.setObject(2, monitorId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getObject(1, UUID.class)) : Optional.empty();
            }
        }
    }

    /**
     * Stores {@code url} as the monitor's implicit webhook channel (created, or its URL replaced),
     * in the caller's transaction; returns the channel id.
     */
    public UUID putImplicit(Connection c, UUID tenantId, UUID monitorId, String url)
            throws SQLException {
        Draft draft =
                new Draft(
                        "webhook of monitor " + monitorId,
                        ChannelType.WEBHOOK,
                        ChannelSettings.ofUrl(url),
                        null,
                        true);
        Optional<UUID> existing = implicitOf(c, tenantId, monitorId);
        if (existing.isEmpty()) {
            return insert(c, tenantId, UUID.randomUUID(), draft, monitorId).id();
        }
        Channel current = find(c, tenantId, existing.get(), true).orElseThrow();
        write(
                c,
                current,
                new Draft(
                        current.name(),
                        ChannelType.WEBHOOK,
                        draft.settings(),
                        current.draft().template(),
                        current.enabled()));
        return current.id();
    }

    /** Deletes the monitor's implicit channel, if any, in the caller's transaction. */
    public void deleteImplicit(Connection c, UUID tenantId, UUID monitorId) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "DELETE FROM channels WHERE tenant_id = ? AND monitor_id = ? AND implicit")) {
            ps.setObject(1, tenantId);
            ps.setObject(2, monitorId);
            ps.executeUpdate();
        }
    }

    private Channel insert(Connection c, UUID tenantId, UUID id, Draft draft, UUID monitorId)
            throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "INSERT INTO channels (id, tenant_id, name, type, settings_ciphertext,"
                                + " receiver, template, enabled, implicit, monitor_id)"
                                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                                + " RETURNING "
                                + COLUMNS)) {
            ps.setObject(1, id);
            ps.setObject(2, tenantId);
            ps.setString(3, draft.name());
            ps.setString(4, draft.type().jsonName());
            ps.setBytes(5, box.encrypt(json(draft.settings()), aad(tenantId, id)));
            ps.setString(6, receiverOf(draft.type(), draft.settings()));
            ps.setString(7, draft.template());
            ps.setBoolean(8, draft.enabled());
            ps.setBoolean(9, monitorId != null);
            ps.setObject(10, monitorId);
            return read(ps).get(0);
        }
    }

    private void write(Connection c, Channel current, Draft wanted) throws SQLException {
        boolean reenabled = wanted.enabled() && !current.enabled();
        try (PreparedStatement ps =
                c.prepareStatement(
                        "UPDATE channels SET name = ?, type = ?, settings_ciphertext = ?,"
                                + " receiver = ?, template = ?, enabled = ?,"
                                + " disabled_reason = CASE WHEN ? THEN NULL ELSE disabled_reason END,"
                                + " disabled_at = CASE WHEN ? THEN NULL"
                                + "   WHEN NOT ? AND disabled_at IS NULL THEN now()"
                                + "   ELSE disabled_at END,"
                                + " failing_since = CASE WHEN ? THEN NULL ELSE failing_since END,"
                                + " updated_at = now() WHERE id = ? AND tenant_id = ?")) {
            ps.setString(1, wanted.name());
            ps.setString(2, wanted.type().jsonName());
            ps.setBytes(
                    3, box.encrypt(json(wanted.settings()), aad(current.tenantId(), current.id())));
            ps.setString(4, receiverOf(wanted.type(), wanted.settings()));
            ps.setString(5, wanted.template());
            ps.setBoolean(6, wanted.enabled());
            ps.setBoolean(7, reenabled);
            ps.setBoolean(8, reenabled);
            ps.setBoolean(9, wanted.enabled());
            ps.setBoolean(10, reenabled);
            ps.setObject(11, current.id());
            ps.setObject(12, current.tenantId());
            ps.executeUpdate();
        }
    }

    private Optional<Channel> find(Connection c, UUID tenantId, UUID id, boolean lock)
            throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT "
                                + COLUMNS
                                + " FROM channels WHERE id = ? AND tenant_id = ?"
                                + (lock ? " FOR UPDATE" : ""))) {
            ps.setObject(1, id);
            ps.setObject(2, tenantId);
            List<Channel> rows = read(ps);
            return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
        }
    }

    private List<Channel> read(PreparedStatement ps) throws SQLException {
        List<Channel> channels = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                channels.add(fromRow(rs));
            }
        }
        return channels;
    }

    private Channel fromRow(ResultSet rs) throws SQLException {
        UUID id = rs.getObject("id", UUID.class);
        UUID tenantId = rs.getObject("tenant_id", UUID.class);
        ChannelSettings settings =
                settings(box.decrypt(rs.getBytes("settings_ciphertext"), aad(tenantId, id)));
        return new Channel(
                id,
                tenantId,
                new Draft(
                        rs.getString("name"),
                        ChannelType.fromJson(rs.getString("type")),
                        settings,
                        rs.getString("template"),
                        rs.getBoolean("enabled")),
                rs.getString("receiver"),
                rs.getString("disabled_reason"),
                instant(rs, "disabled_at"),
                instant(rs, "failing_since"),
                rs.getBoolean("implicit"),
                rs.getObject("monitor_id", UUID.class),
                instant(rs, "created_at"),
                instant(rs, "updated_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    private static String json(ChannelSettings settings) {
        try {
            return JSON.writeValueAsString(settings);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("channel settings are not serializable");
        }
    }

    private static ChannelSettings settings(String json) {
        try {
            return JSON.readValue(json, ChannelSettings.class);
        } catch (JsonProcessingException e) {
            // Never include the (decrypted) text in the error.
            throw new IllegalStateException("stored channel settings are not readable");
        }
    }
}
