package dev.flinkwatch.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flinkwatch.api.ApiHarness.Tenant;
import dev.flinkwatch.testing.TestKafka;
import dev.flinkwatch.testing.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Deleted monitors are purged after the retention period, with their status, checks, alerts,
 * deliveries and outbox rows, and only once their delete event and tombstone are on the topic.
 */
class MonitorPurgeIT {
    private static final List<String> DEPENDENT_TABLES =
            List.of("monitor_status", "check_runs", "alerts", "deliveries", "outbox");

    @Test
    void deletedMonitorsArePurgedWithTheirRowsAfterTheRetention() throws Exception {
        try (ApiHarness api =
                ApiHarness.start(
                        b ->
                                b.deletedMonitorRetention(Duration.ofSeconds(1))
                                        .purgeInterval(Duration.ofMillis(100))
                                        .purgeBatchSize(2))) {
            DataSource db = api.db.dataSource();
            Tenant tenant = api.createTenant("Purged");
            List<UUID> monitors = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                UUID id = monitorWithHistory(api, tenant, i);
                monitors.add(id);
            }
            UUID kept = monitors.get(0);
            List<UUID> deleted = monitors.subList(1, monitors.size());
            for (UUID id : deleted) {
                assertThat(api.send("DELETE", "/v1/monitors/" + id, tenant.auth(), null).status())
                        .isEqualTo(204);
            }

            await().atMost(Duration.ofMinutes(1)).until(() -> liveRows(db, deleted) == 0);
            for (UUID id : deleted) {
                for (String table : DEPENDENT_TABLES) {
                    assertThat(rows(db, table, "monitor_id", id))
                            .as("%s of %s", table, id)
                            .isZero();
                }
            }
            assertThat(api.get("/v1/monitors/" + kept, tenant).status()).isEqualTo(200);
            for (String table : List.of("monitor_status", "check_runs", "alerts", "deliveries")) {
                assertThat(rows(db, table, "monitor_id", kept))
                        .as("%s of the live one", table)
                        .isOne();
            }
            Map<UUID, List<MonitorsTopic.Entry>> topic =
                    MonitorsTopic.read(
                            api.topic,
                            seen ->
                                    deleted.stream()
                                            .allMatch(
                                                    id ->
                                                            MonitorsTopic.converged(
                                                                    seen.get(id), 2, true)),
                            Duration.ofMinutes(1));
            for (UUID id : deleted) {
                assertThat(MonitorsTopic.converged(topic.get(id), 2, true)).as("%s", id).isTrue();
            }
            assertThat(metric(api, "flinkwatch_monitors_purged_total")).isEqualTo(4);
        }
    }

    @Test
    void aDeletedMonitorIsKeptUntilItsDeleteEventIsPublished() throws Exception {
        TestPostgres.Database database = TestPostgres.newMigratedDatabase();
        String topic = TestKafka.uniqueTopic("monitors");
        TestKafka.createTopic(topic, 3, false);
        DataSource db = database.dataSource();
        UUID id;
        try (ApiHarness noKafka =
                ApiHarness.startOn(
                        database,
                        topic,
                        b ->
                                b.kafkaBootstrapServers("127.0.0.1:1")
                                        .deletedMonitorRetention(Duration.ZERO)
                                        .purgeInterval(Duration.ofMillis(100)))) {
            Tenant tenant = noKafka.createTenant("Unpublished");
            id = monitorWithHistory(noKafka, tenant, 0);
            assertThat(noKafka.send("DELETE", "/v1/monitors/" + id, tenant.auth(), null).status())
                    .isEqualTo(204);
            double runs = metric(noKafka, "flinkwatch_monitors_purge_runs_total");
            await().atMost(Duration.ofMinutes(1))
                    .until(
                            () ->
                                    metric(noKafka, "flinkwatch_monitors_purge_runs_total")
                                            >= runs + 3);
            assertThat(rows(db, "monitors", "id", id))
                    .as("kept while its delete is pending")
                    .isOne();
            assertThat(rows(db, "alerts", "monitor_id", id)).isOne();
        }
        try (ApiHarness withKafka =
                ApiHarness.startOn(
                        database,
                        topic,
                        b ->
                                b.deletedMonitorRetention(Duration.ZERO)
                                        .purgeInterval(Duration.ofMillis(100)))) {
            await().atMost(Duration.ofMinutes(1)).until(() -> rows(db, "monitors", "id", id) == 0);
            Map<UUID, List<MonitorsTopic.Entry>> seen =
                    MonitorsTopic.read(
                            topic,
                            s -> MonitorsTopic.converged(s.get(id), 2, true),
                            Duration.ofMinutes(1));
            assertThat(MonitorsTopic.converged(seen.get(id), 2, true))
                    .as("the tombstone is on the topic: %s", seen.get(id))
                    .isTrue();
            for (String table : DEPENDENT_TABLES) {
                assertThat(rows(db, table, "monitor_id", id)).as(table).isZero();
            }
        }
    }

    /** A monitor (version 1) with one row in each table the pipeline and delivery write. */
    private static UUID monitorWithHistory(ApiHarness api, Tenant tenant, int i)
            throws SQLException {
        UUID id =
                UUID.fromString(
                        api.createMonitor(
                                        tenant,
                                        ApiHarness.monitorBody(
                                                "purge " + i, "https://purge.example/" + i))
                                .get("id")
                                .asText());
        DataSource db = api.db.dataSource();
        Instant at = Instant.now();
        PipelineRows.status(db, id, tenant.id(), at);
        PipelineRows.alert(db, id, tenant.id(), "alert-" + id, at);
        PipelineRows.checkRun(db, id, tenant.id(), at);
        PipelineRows.delivered(db, id, tenant.id(), "alert-" + id, at);
        return id;
    }

    private static long liveRows(DataSource db, List<UUID> ids) throws SQLException {
        long n = 0;
        for (UUID id : ids) {
            n += rows(db, "monitors", "id", id);
        }
        return n;
    }

    private static long rows(DataSource db, String table, String column, UUID id)
            throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT count(*) FROM " + table + " WHERE " + column + " = ?")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static double metric(ApiHarness api, String name) {
        return api.send("GET", "/metrics", Map.of(), null)
                .body()
                .lines()
                .filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }
}
