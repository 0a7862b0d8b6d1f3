package dev.flinkwatch.api.monitors;

import dev.flinkwatch.api.channels.MonitorChannels;
import dev.flinkwatch.api.db.Jdbc;
import dev.flinkwatch.api.http.ApiException;
import dev.flinkwatch.api.http.ItemProblem;
import dev.flinkwatch.api.outbox.Outbox;
import dev.flinkwatch.model.CheckOutcome;
import dev.flinkwatch.model.ModelCodec;
import dev.flinkwatch.model.MonitorEvent;
import dev.flinkwatch.model.MonitorSpec;
import dev.flinkwatch.model.MonitorStatus;
import dev.flinkwatch.model.Notify;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;

/**
 * Monitors in PostgreSQL. Every query is scoped to one tenant; deleted monitors (soft delete) are
 * invisible. Every change writes the monitor row and its outbox event in one transaction, with the
 * monitor row locked first, so versions and outbox order agree.
 */
public final class MonitorStore {
    private static final String VIEW_COLUMNS =
            "SELECT m.spec::text AS spec, m.version, m.status, m.created_at, m.updated_at,"
                    + " s.last_check_at, s.last_outcome, s.last_error, s.consecutive_failures,"
                    + " s.last_change_at"
                    + " FROM monitors m LEFT JOIN monitor_status s"
                    + " ON s.monitor_id = m.id AND s.tenant_id = m.tenant_id";

    private static final String INSERT =
            "INSERT INTO monitors (id, tenant_id, version, name, status, interval_seconds, spec)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?::jsonb)";

    private final DataSource dataSource;
    private final int defaultQuota;
    private final MonitorChannels channels;

    /**
     * @param defaultQuota live monitors per tenant unless the tenant row sets its own
     * @param channels turns {@code notify} into what is stored (channel ids only)
     */
    public MonitorStore(DataSource dataSource, int defaultQuota, MonitorChannels channels) {
        this.dataSource = dataSource;
        this.defaultQuota = defaultQuota;
        this.channels = channels;
    }

    /**
     * Stores a new monitor (version 1) and its upsert event.
     *
     * @throws ApiException 409 quota_exceeded when the tenant has no room left
     */
    public MonitorView create(MonitorSpec requested) throws SQLException {
        return Jdbc.inTransaction(
                dataSource,
                c -> {
                    int quota = lockQuota(c, requested.tenantId());
                    if (countLive(c, requested.tenantId()) >= quota) {
                        throw new ApiException(
                                409,
                                "quota_exceeded",
                                "the tenant already has its maximum of " + quota + " monitors");
                    }
                    MonitorSpec spec =
                            requested.withNotification(channels.resolve(c, requested, null));
                    MonitorView created;
                    try (PreparedStatement ps =
                            c.prepareStatement(INSERT + " RETURNING created_at, updated_at")) {
                        bindInsert(ps, spec);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            created =
                                    MonitorView.of(
                                            spec,
                                            Jdbc.instant(rs, "created_at"),
                                            Jdbc.instant(rs, "updated_at"),
                                            MonitorView.LiveState.NEVER_CHECKED);
                        }
                    }
                    Outbox.append(c, MonitorEvent.upsert(spec));
                    return created;
                });
    }

    /** What {@link #createAll} did: the monitors, and whether they existed already. */
    public record Created(List<MonitorView> monitors, boolean replayed) {}

    /**
     * Stores new monitors (version 1) of one tenant and their upsert events in one transaction, as
     * JDBC batches: all of them or none.
     *
     * @param beyond with ids derived from an idempotency key, the id an item after the last would
     *     have (null without a key): when all ids exist already with the same names and sources,
     *     and {@code beyond} does not, this is a retry, and the live ones among them are returned,
     *     nothing written
     * @throws ApiException 409 {@code quota_exceeded} when they do not all fit; 409 {@code
     *     idempotency_key_reused} when some of the ids exist but do not answer this request
     */
    public Created createAll(UUID tenantId, List<MonitorSpec> specs, UUID beyond)
            throws SQLException {
        return Jdbc.inTransaction(
                dataSource,
                c -> {
                    int quota = lockQuota(c, tenantId);
                    Array ids =
                            c.createArrayOf("uuid", specs.stream().map(MonitorSpec::id).toArray());
                    if (beyond != null) {
                        int existing = countIds(c, tenantId, ids);
                        boolean longer =
                                countIds(
                                                c,
                                                tenantId,
                                                c.createArrayOf("uuid", new Object[] {beyond}))
                                        > 0;
                        List<MonitorView> stored =
                                existing == specs.size() && !longer
                                        ? findAll(c, tenantId, ids, specs)
                                        : List.of();
                        if (existing == specs.size() && !longer && sameRequest(stored, specs)) {
                            return new Created(stored, true);
                        }
                        if (existing > 0 || longer) {
                            throw new ApiException(
                                    409,
                                    "idempotency_key_reused",
                                    "this Idempotency-Key was used for a different request");
                        }
                    }
                    int live = countLive(c, tenantId);
                    if (live + specs.size() > quota) {
                        throw new ApiException(
                                409,
                                "quota_exceeded",
                                "the tenant has "
                                        + live
                                        + " of its maximum of "
                                        + quota
                                        + " monitors; "
                                        + specs.size()
                                        + " more do not fit");
                    }
                    Instant now;
                    try (PreparedStatement ps = c.prepareStatement("SELECT now() AS now");
                            ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        now = Jdbc.instant(rs, "now"); // what the rows' created_at default to
                    }
                    List<MonitorSpec> stored = withChannels(c, specs);
                    List<MonitorView> created = new ArrayList<>(specs.size());
                    List<MonitorEvent> events = new ArrayList<>(specs.size());
                    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                        for (MonitorSpec spec : stored) {
                            bindInsert(ps, spec);
                            ps.addBatch();
                            created.add(
                                    MonitorView.of(
                                            spec, now, now, MonitorView.LiveState.NEVER_CHECKED));
                            events.add(MonitorEvent.upsert(spec));
                        }
                        ps.executeBatch();
                    }
                    Outbox.appendNew(c, events);
                    return new Created(created, false);
                });
    }

    /**
     * The specs as stored: each item's notify resolved as a single create resolves it (a legacy
     * webhook URL becomes an encrypted implicit channel); every item's channel problems are
     * reported, under the item's index, and nothing is kept.
     */
    private List<MonitorSpec> withChannels(Connection c, List<MonitorSpec> specs)
            throws SQLException {
        List<MonitorSpec> stored = new ArrayList<>(specs.size());
        List<ItemProblem> problems = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            MonitorSpec spec = specs.get(i);
            try {
                stored.add(spec.withNotification(channels.resolve(c, spec, null)));
            } catch (ApiException e) {
                if (e.fields().isEmpty()) {
                    throw e;
                }
                int index = i;
                e.fields()
                        .forEach((field, why) -> problems.add(new ItemProblem(index, field, why)));
            }
        }
        if (!problems.isEmpty()) {
            throw ApiException.itemValidation("monitors", problems);
        }
        return stored;
    }

    public Optional<MonitorView> find(UUID tenantId, UUID id) throws SQLException {
        return Jdbc.withConnection(dataSource, c -> find(c, tenantId, id));
    }

    public boolean exists(UUID tenantId, UUID id) throws SQLException {
        return Jdbc.withConnection(
                dataSource,
                c -> {
                    try (PreparedStatement ps =
                            c.prepareStatement(
                                    "SELECT 1 FROM monitors WHERE id = ? AND tenant_id = ?"
                                            + " AND deleted_at IS NULL")) {
                        ps.setObject(1, id);
                        ps.setObject(2, tenantId);
                        try (ResultSet rs = ps.executeQuery()) {
                            return rs.next();
                        }
                    }
                });
    }

    /**
     * A page of the tenant's live monitors in id order.
     *
     * @param after the last id of the previous page, or null for the first page
     * @param limit at most this many; one more is read to know whether another page exists
     */
    public List<MonitorView> list(UUID tenantId, UUID after, int limit) throws SQLException {
        return list(tenantId, after, limit, MonitorQuery.ALL);
    }

    /**
     * Which monitors a list shows (the web app's search and status filter).
     *
     * @param text matched case-insensitively against the name and the sources' URLs; null or blank
     *     for all
     * @param state null for all
     */
    public record MonitorQuery(String text, State state) {
        public static final MonitorQuery ALL = new MonitorQuery(null, null);

        /** A monitor's state as the list filters it. */
        public enum State {
            ACTIVE,
            PAUSED,
            /** the last check failed (consecutive failures above 0) */
            FAILING,
            /** not checked yet */
            NEW
        }

        String condition() {
            String sql = "";
            if (text != null && !text.isBlank()) {
                sql +=
                        " AND (m.name ILIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM"
                                + " jsonb_array_elements(m.spec->'sources') src"
                                + " WHERE src->>'url' ILIKE ? ESCAPE '\\'))";
            }
            if (state != null) {
                sql +=
                        switch (state) {
                            case ACTIVE -> " AND m.status = 'active'";
                            case PAUSED -> " AND m.status = 'paused'";
                            case FAILING -> " AND s.consecutive_failures > 0";
                            case NEW -> " AND s.last_check_at IS NULL";
                        };
            }
            return sql;
        }

        int bind(PreparedStatement ps, int i) throws SQLException {
            if (text != null && !text.isBlank()) {
                String like =
                        "%"
                                + text.strip()
                                        .replace("\\", "\\\\")
                                        .replace("%", "\\%")
                                        .replace("_", "\\_")
                                + "%";
                ps.setString(i++, like);
                ps.setString(i++, like);
            }
            return i;
        }
    }

    /** {@link #list(UUID, UUID, int)} of the monitors a query selects. */
    public List<MonitorView> list(UUID tenantId, UUID after, int limit, MonitorQuery query)
            throws SQLException {
        String sql =
                VIEW_COLUMNS
                        + " WHERE m.tenant_id = ? AND m.deleted_at IS NULL"
                        + query.condition()
                        + (after == null ? "" : " AND m.id > ?")
                        + " ORDER BY m.id LIMIT ?";
        return Jdbc.withConnection(
                dataSource,
                c -> {
                    try (PreparedStatement ps = c.prepareStatement(sql)) {
                        int i = 1;
                        ps.setObject(i++, tenantId);
                        i = query.bind(ps, i);
                        if (after != null) {
                            ps.setObject(i++, after);
                        }
                        ps.setInt(i, limit);
                        List<MonitorView> views = new ArrayList<>();
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                views.add(view(rs));
                            }
                        }
                        return views;
                    }
                });
    }

    /**
     * Applies a change to a live monitor. When the result differs from the stored spec, the version
     * goes up by one and an upsert event is written; an identical result is a no-op.
     *
     * @param change gets the stored spec, returns the wanted one (id, tenant, version kept)
     * @return the monitor after the change; empty when there is no such live monitor
     */
    public Optional<MonitorView> update(UUID tenantId, UUID id, UnaryOperator<MonitorSpec> change)
            throws SQLException {
        return Jdbc.inTransaction(
                dataSource,
                c -> {
                    Optional<MonitorSpec> current = lockLive(c, tenantId, id);
                    if (current.isEmpty()) {
                        return Optional.empty();
                    }
                    MonitorSpec changed = change.apply(current.get());
                    MonitorSpec wanted =
                            changed.withNotification(
                                    channels.resolve(c, changed, current.get().notification()));
                    if (!wanted.equals(current.get())) {
                        MonitorSpec next = wanted.withVersion(current.get().version() + 1);
                        try (PreparedStatement ps =
                                c.prepareStatement(
                                        "UPDATE monitors SET version = ?, name = ?, status = ?,"
                                                + " interval_seconds = ?, spec = ?::jsonb,"
                                                + " updated_at = now() WHERE id = ?")) {
                            ps.setLong(1, next.version());
                            ps.setString(2, next.name());
                            ps.setString(3, next.status().json());
                            ps.setInt(4, next.intervalSeconds());
                            ps.setString(5, json(next));
                            ps.setObject(6, id);
                            ps.executeUpdate();
                        }
                        Outbox.append(c, MonitorEvent.upsert(next));
                    }
                    return find(c, tenantId, id);
                });
    }

    /**
     * Soft-deletes a live monitor: its version goes up by one and a delete event is written.
     *
     * @return false when there is no such live monitor
     */
    public boolean delete(UUID tenantId, UUID id) throws SQLException {
        return Jdbc.inTransaction(
                dataSource,
                c -> {
                    Optional<MonitorSpec> current = lockLive(c, tenantId, id);
                    if (current.isEmpty()) {
                        return false;
                    }
                    long version = current.get().version() + 1;
                    try (PreparedStatement ps =
                            c.prepareStatement(
                                    "UPDATE monitors SET version = ?, deleted_at = now(),"
                                            + " updated_at = now() WHERE id = ?")) {
                        ps.setLong(1, version);
                        ps.setObject(2, id);
                        ps.executeUpdate();
                    }
                    Outbox.append(c, MonitorEvent.delete(id, tenantId, version));
                    channels.deleted(c, tenantId, id);
                    return true;
                });
    }

    /**
     * Locks the tenant row and returns its monitor quota. The lock serializes this tenant's
     * creates, so a count taken next is exact; NO KEY UPDATE leaves foreign-key checks on the row
     * unblocked.
     */
    private int lockQuota(Connection c, UUID tenantId) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT coalesce(monitor_quota, ?) FROM tenants"
                                + " WHERE id = ? FOR NO KEY UPDATE")) {
            ps.setInt(1, defaultQuota);
            ps.setObject(2, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw ApiException.unauthorized("the tenant no longer exists");
                }
                return rs.getInt(1);
            }
        }
    }

    private static void bindInsert(PreparedStatement ps, MonitorSpec spec) throws SQLException {
        ps.setObject(1, spec.id());
        ps.setObject(2, spec.tenantId());
        ps.setLong(3, spec.version());
        ps.setString(4, spec.name());
        ps.setString(5, spec.status().json());
        ps.setInt(6, spec.intervalSeconds());
        ps.setString(7, json(spec));
    }

    /** Rows with these ids, deleted ones included: a deleted monitor's id is still taken. */
    private static int countIds(Connection c, UUID tenantId, Array ids) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT count(*) FROM monitors WHERE tenant_id = ? AND id = ANY(?)")) {
            ps.setObject(1, tenantId);
            ps.setArray(2, ids);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /**
     * Whether stored monitors answer these specs: same name and sources at the same ids. A retry
     * carries the same items; a different request under a used key does not (later edits of other
     * fields do not matter).
     */
    private static boolean sameRequest(List<MonitorView> stored, List<MonitorSpec> specs) {
        Map<UUID, MonitorSpec> byId = new HashMap<>();
        specs.forEach(s -> byId.put(s.id(), s));
        for (MonitorView v : stored) {
            MonitorSpec asked = byId.get(v.id());
            if (!asked.name().equals(v.name()) || !asked.sources().equals(v.sources())) {
                return false;
            }
        }
        return true;
    }

    /** The live ones of these monitors, in the order of {@code order}. */
    private static List<MonitorView> findAll(
            Connection c, UUID tenantId, Array ids, List<MonitorSpec> order) throws SQLException {
        Map<UUID, MonitorView> byId = new HashMap<>();
        try (PreparedStatement ps =
                c.prepareStatement(
                        VIEW_COLUMNS
                                + " WHERE m.tenant_id = ? AND m.id = ANY(?)"
                                + " AND m.deleted_at IS NULL")) {
            ps.setObject(1, tenantId);
            ps.setArray(2, ids);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    MonitorView v = view(rs);
                    byId.put(v.id(), v);
                }
            }
        }
        List<MonitorView> views = new ArrayList<>();
        for (MonitorSpec spec : order) {
            MonitorView v = byId.get(spec.id());
            if (v != null) {
                views.add(v);
            }
        }
        return views;
    }

    /**
     * Moves up to {@code limit} legacy plaintext {@code notify.webhookUrl}s (rows written before
     * channels existed) into implicit channels: a live monitor's spec is rewritten with the channel
     * id, its version goes up and an upsert is queued, so the pipeline gets the cleaned spec; a
     * deleted monitor's URL is just dropped. Published outbox rows of the monitor (which carry the
     * URL) are deleted. Idempotent; rows another instance is migrating are skipped.
     *
     * @return the number of monitors migrated; 0 when none is left
     */
    public int migrateLegacyWebhooks(int limit) throws SQLException {
        return Jdbc.inTransaction(
                dataSource,
                c -> {
                    List<MonitorSpec> legacy = new ArrayList<>();
                    List<Boolean> deleted = new ArrayList<>();
                    try (PreparedStatement ps =
                            c.prepareStatement(
                                    "SELECT spec::text AS spec, version, status,"
                                            + " deleted_at IS NOT NULL AS deleted FROM monitors"
                                            + " WHERE spec->'notify'->>'webhookUrl' IS NOT NULL"
                                            + " LIMIT ? FOR UPDATE SKIP LOCKED")) {
                        ps.setInt(1, limit);
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                legacy.add(spec(rs));
                                deleted.add(rs.getBoolean("deleted"));
                            }
                        }
                    }
                    for (int i = 0; i < legacy.size(); i++) {
                        MonitorSpec spec = legacy.get(i);
                        MonitorSpec next =
                                deleted.get(i)
                                        ? spec.withNotification(
                                                new Notify(null, spec.notification().channels()))
                                        : spec.withNotification(channels.resolve(c, spec, null))
                                                .withVersion(spec.version() + 1);
                        try (PreparedStatement ps =
                                c.prepareStatement(
                                        "UPDATE monitors SET version = ?, spec = ?::jsonb,"
                                                + " updated_at = now() WHERE id = ?")) {
                            ps.setLong(1, next.version());
                            ps.setString(2, json(next));
                            ps.setObject(3, next.id());
                            ps.executeUpdate();
                        }
                        if (!deleted.get(i)) {
                            Outbox.append(c, MonitorEvent.upsert(next));
                        }
                        try (PreparedStatement ps =
                                c.prepareStatement(
                                        "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox"
                                                + " WHERE monitor_id = ? AND version < ?"
                                                + " AND published_at IS NOT NULL"
                                                + " FOR UPDATE SKIP LOCKED)")) {
                            ps.setObject(1, next.id());
                            // a deleted monitor gets no new row: all its published rows go
                            ps.setLong(2, next.version() + (deleted.get(i) ? 1 : 0));
                            ps.executeUpdate();
                        }
                    }
                    return legacy.size();
                });
    }

    private static int countLive(Connection c, UUID tenantId) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT count(*) FROM monitors WHERE tenant_id = ? AND deleted_at IS NULL")) {
            ps.setObject(1, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static Optional<MonitorSpec> lockLive(Connection c, UUID tenantId, UUID id)
            throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT spec::text AS spec, version, status FROM monitors"
                                + " WHERE id = ? AND tenant_id = ? AND deleted_at IS NULL"
                                + " FOR UPDATE")) {
            ps.setObject(1, id);
            ps.setObject(2, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(spec(rs)) : Optional.empty();
            }
        }
    }

    private static Optional<MonitorView> find(Connection c, UUID tenantId, UUID id)
            throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        VIEW_COLUMNS
                                + " WHERE m.id = ? AND m.tenant_id = ? AND m.deleted_at IS NULL")) {
            ps.setObject(1, id);
            ps.setObject(2, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(view(rs)) : Optional.empty();
            }
        }
    }

    /** The stored spec; the version and status columns are authoritative. */
    private static MonitorSpec spec(ResultSet rs) throws SQLException {
        MonitorSpec stored =
                ModelCodec.decodePlain(
                        rs.getString("spec").getBytes(StandardCharsets.UTF_8), MonitorSpec.class);
        return stored.withVersion(rs.getLong("version"))
                .withStatus(MonitorStatus.valueOf(rs.getString("status").toUpperCase(Locale.ROOT)));
    }

    private static MonitorView view(ResultSet rs) throws SQLException {
        String outcome = rs.getString("last_outcome");
        return MonitorView.of(
                spec(rs),
                Jdbc.instant(rs, "created_at"),
                Jdbc.instant(rs, "updated_at"),
                new MonitorView.LiveState(
                        Jdbc.instant(rs, "last_check_at"),
                        outcome == null ? null : CheckOutcome.valueOf(outcome),
                        rs.getString("last_error"),
                        rs.getInt("consecutive_failures"),
                        Jdbc.instant(rs, "last_change_at")));
    }

    private static String json(MonitorSpec spec) {
        return new String(ModelCodec.toJsonBytes(spec), StandardCharsets.UTF_8);
    }
}
