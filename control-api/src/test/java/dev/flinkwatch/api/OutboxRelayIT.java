package dev.flinkwatch.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.flinkwatch.api.ApiHarness.Tenant;
import dev.flinkwatch.api.MonitorsTopic.Entry;
import dev.flinkwatch.api.channels.MonitorChannels;
import dev.flinkwatch.api.monitors.MonitorStore;
import dev.flinkwatch.delivery.ChannelStore;
import dev.flinkwatch.delivery.SecretBox;
import dev.flinkwatch.model.ModelCodec;
import dev.flinkwatch.model.MonitorSpec;
import dev.flinkwatch.model.MonitorStatus;
import dev.flinkwatch.testing.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Two API instances on one database relay the same outbox concurrently (FOR UPDATE SKIP LOCKED)
 * while clients change the same monitors through both: each monitor's versions reach the topic in
 * order, ending with its newest. And churn on one monitor does not hold up other tenants' events.
 */
class OutboxRelayIT {
    @Test
    void twoInstancesRelayingConcurrentlyKeepEveryMonitorsVersionsInOrder() throws Exception {
        try (ApiHarness first = ApiHarness.start(b -> b.relayBatchSize(7));
                ApiHarness second =
                        ApiHarness.startOn(first.db, first.topic, b -> b.relayBatchSize(7))) {
            Tenant tenant = first.createTenant("Busy");
            List<UUID> monitors = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                monitors.add(
                        UUID.fromString(
                                first.createMonitor(
                                                tenant,
                                                ApiHarness.monitorBody(
                                                        "busy " + i, "https://busy.example/" + i))
                                        .get("id")
                                        .asText()));
            }
            ExecutorService clients = Executors.newFixedThreadPool(6);
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                long seed = t;
                work.add(
                        clients.submit(
                                () -> {
                                    Random random = new Random(seed);
                                    for (int i = 0; i < 25; i++) {
                                        ApiHarness via = random.nextBoolean() ? first : second;
                                        UUID id = monitors.get(random.nextInt(monitors.size()));
                                        String action = random.nextBoolean() ? "pause" : "resume";
                                        int status =
                                                via.send(
                                                                "POST",
                                                                "/v1/monitors/" + id + "/" + action,
                                                                tenant.auth(),
                                                                null)
                                                        .status();
                                        assertThat(status).isEqualTo(200);
                                    }
                                    return null;
                                }));
            }
            for (Future<?> f : work) {
                f.get();
            }
            clients.shutdown();
            UUID deleted = monitors.get(0);
            assertThat(
                            second.send("DELETE", "/v1/monitors/" + deleted, tenant.auth(), null)
                                    .status())
                    .isEqualTo(204);

            Map<UUID, Long> finalVersions = new java.util.HashMap<>();
            for (UUID id : monitors) {
                finalVersions.put(
                        id,
                        id.equals(deleted)
                                ? deletedVersion(first, id)
                                : first.get("/v1/monitors/" + id, tenant)
                                        .json()
                                        .get("version")
                                        .asLong());
            }
            Map<UUID, List<Entry>> topic =
                    MonitorsTopic.read(
                            first.topic,
                            seen ->
                                    monitors.stream()
                                            .allMatch(
                                                    id ->
                                                            MonitorsTopic.converged(
                                                                    seen.get(id),
                                                                    finalVersions.get(id),
                                                                    id.equals(deleted))),
                            Duration.ofMinutes(2));
            for (UUID id : monitors) {
                List<Entry> distinct = MonitorsTopic.distinctInOrder(topic.get(id));
                boolean gone = id.equals(deleted);
                assertThat(MonitorsTopic.expected(finalVersions.get(id), gone))
                        .as("monitor %s: in order, nothing invented", id)
                        .containsAll(distinct);
                assertThat(MonitorsTopic.converged(distinct, finalVersions.get(id), gone))
                        .as("monitor %s ends in its newest state: %s", id, distinct)
                        .isTrue();
            }
        }
    }

    /**
     * 5,000 pause/resume changes of one monitor are written while no relay runs (the worst case: a
     * relay that was down), then another tenant creates a monitor. The outbox holds one row per
     * monitor, so the first relay round publishes both: the other tenant's event is not queued
     * behind the churn, and the churned monitor's one record is its newest version.
     */
    @Test
    void churnOnOneMonitorDoesNotDelayAnotherTenantsEvent() throws Exception {
        int churn = 5_000;
        UUID churned;
        Tenant busy;
        Tenant other;
        TestPostgres.Database db;
        String topic;
        try (ApiHarness setup = ApiHarness.start(b -> {})) {
            db = setup.db;
            topic = setup.topic;
            busy = setup.createTenant("Churn");
            other = setup.createTenant("Bystander");
            churned =
                    UUID.fromString(
                            setup.createMonitor(
                                            busy,
                                            ApiHarness.monitorBody(
                                                    "churn", "https://churn.example/"))
                                    .get("id")
                                    .asText());
            await().atMost(Duration.ofMinutes(1)).until(() -> pending(db) == 0);
        }
        // The API's own write path, with its relay stopped. Commits without waiting for the
        // WAL flush: 5,000 fsyncs would only measure the disk.
        HikariConfig hikari = new HikariConfig();
        hikari.setDataSource(db.dataSource());
        hikari.setMaximumPoolSize(1);
        hikari.setConnectionInitSql("SET synchronous_commit = off");
        MonitorSpec bystander;
        try (HikariDataSource unsynced = new HikariDataSource(hikari)) {
            MonitorStore store =
                    new MonitorStore(
                            unsynced,
                            10,
                            new MonitorChannels(
                                    new ChannelStore(
                                            unsynced,
                                            SecretBox.fromKeysetJson(ApiHarness.KEYSET))));
            for (int i = 0; i < churn; i++) {
                MonitorStatus status = i % 2 == 0 ? MonitorStatus.PAUSED : MonitorStatus.ACTIVE;
                assertThat(store.update(busy.id(), churned, m -> m.withStatus(status))).isPresent();
            }
            bystander = bystanderSpec(other);
            store.create(bystander);
        }
        long churnedVersion = 1 + churn;
        assertThat(pending(db)).as("one pending row per monitor").isEqualTo(2);

        try (ApiHarness relay = ApiHarness.startOn(db, topic, b -> b.relayBatchSize(500))) {
            Map<UUID, List<Entry>> seen =
                    MonitorsTopic.read(
                            topic,
                            s ->
                                    s.containsKey(bystander.id())
                                            && MonitorsTopic.converged(
                                                    s.get(churned), churnedVersion, false),
                            Duration.ofMinutes(2));
            assertThat(MonitorsTopic.distinctInOrder(seen.get(bystander.id())))
                    .containsExactly(new Entry("upsert", 1));
            assertThat(MonitorsTopic.distinctInOrder(seen.get(churned)))
                    .as("the churn reached the topic as its newest state only")
                    .containsExactly(new Entry("upsert", 1), new Entry("upsert", churnedVersion));
            assertThat(publishedAt(db, bystander.id(), 1))
                    .as("both published in the first relay round (one transaction)")
                    .isEqualTo(publishedAt(db, churned, churnedVersion));
            assertThat(superseded(db, churned)).isEqualTo(churn - 1);
        }
    }

    private static MonitorSpec bystanderSpec(Tenant other) throws Exception {
        ObjectNode body =
                (ObjectNode)
                        ModelCodec.mapper()
                                .readTree(
                                        ApiHarness.monitorBody(
                                                "bystander", "https://other.example/"));
        body.put("id", UUID.randomUUID().toString())
                .put("tenantId", other.id().toString())
                .put("version", 1)
                .put("status", "active");
        return ModelCodec.decodePlain(
                body.toString().getBytes(StandardCharsets.UTF_8), MonitorSpec.class);
    }

    private static long pending(TestPostgres.Database db) throws SQLException {
        return queryLong(db, "SELECT count(*) FROM outbox WHERE published_at IS NULL");
    }

    private static long superseded(TestPostgres.Database db, UUID monitor) throws SQLException {
        return queryLong(
                db, "SELECT count(*) FROM outbox WHERE superseded AND monitor_id = ?", monitor);
    }

    private static Object publishedAt(TestPostgres.Database db, UUID monitor, long version)
            throws SQLException {
        try (Connection c = db.dataSource().getConnection();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT published_at FROM outbox"
                                        + " WHERE monitor_id = ? AND version = ? AND NOT superseded")) {
            ps.setObject(1, monitor);
            ps.setLong(2, version);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("published row %s v%d", monitor, version).isTrue();
                return rs.getObject(1, java.time.OffsetDateTime.class);
            }
        }
    }

    private static long deletedVersion(ApiHarness api, UUID monitor) throws SQLException {
        return queryLong(api.db, "SELECT version FROM monitors WHERE id = ?", monitor);
    }

    private static long queryLong(TestPostgres.Database db, String sql, Object... params)
            throws SQLException {
        try (Connection c = db.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
