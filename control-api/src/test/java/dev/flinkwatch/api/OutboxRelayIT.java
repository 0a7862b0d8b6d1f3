package dev.flinkwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkwatch.api.ApiHarness.Tenant;
import dev.flinkwatch.api.MonitorsTopic.Entry;
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
 * while clients change the same monitors through both: each monitor's versions still reach the
 * topic complete and in order.
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
                                ? -1L
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
                                                            seen.containsKey(id)
                                                                    && seen.get(id)
                                                                            .get(
                                                                                    seen.get(id)
                                                                                                    .size()
                                                                                            - 1)
                                                                            .equals(
                                                                                    id.equals(
                                                                                                    deleted)
                                                                                            ? Entry
                                                                                                    .TOMBSTONE
                                                                                            : new Entry(
                                                                                                    "upsert",
                                                                                                    finalVersions
                                                                                                            .get(
                                                                                                                    id)))),
                            Duration.ofMinutes(2));
            for (UUID id : monitors) {
                List<Entry> distinct = MonitorsTopic.distinctInOrder(topic.get(id));
                boolean gone = id.equals(deleted);
                long last =
                        gone ? distinct.get(distinct.size() - 2).version() : finalVersions.get(id);
                assertThat(distinct)
                        .as("monitor %s", id)
                        .containsExactlyElementsOf(MonitorsTopic.expected(last, gone));
            }
        }
    }
}
