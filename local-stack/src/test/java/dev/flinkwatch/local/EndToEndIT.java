package dev.flinkwatch.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flinkwatch.testing.LocalSite;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole platform in-process, driven over REST like a user: tenant and monitors created against
 * a local site, pages changed, alerts read back; pause, resume and delete; then a stop and a start
 * on the same data directory, after which monitors continue from their checkpointed baselines (no
 * FIRST again) and no alert is raised twice.
 */
class EndToEndIT {
    private static final int INTERVAL = 3;
    // generous bounds for a loaded CI machine: the lateness the product promises is measured in
    // the pipeline's own timestamps (HostileTenantIT), not by this test's wall clock
    private static final Duration PATIENCE = Duration.ofSeconds(90);

    @TempDir Path dataDir;

    static Configuration options(Path dataDir) {
        Configuration options = new Configuration();
        options.set(LocalStackOptions.API_PORT, 0);
        options.set(LocalStackOptions.DASHBOARD_PORT, 0);
        options.set(LocalStackOptions.DATA_DIR, dataDir.toString());
        options.set(LocalStackOptions.ADMIN_TOKEN, "end-to-end-admin-token");
        options.set(LocalStackOptions.MIN_INTERVAL_SECONDS, 1);
        options.set(LocalStackOptions.FETCH_ALLOW_PRIVATE, true);
        return options;
    }

    private static String monitor(String name, String url, String condition) {
        return "{\"name\":\""
                + name
                + "\",\"sources\":[{\"url\":\""
                + url
                + "\"}],"
                + "\"intervalSeconds\":"
                + INTERVAL
                + ",\"condition\":"
                + condition
                + "}";
    }

    @Test
    void restInAlertsOutAcrossPauseResumeDeleteAndARestart() throws Exception {
        try (LocalSite site = LocalSite.start()) {
            site.page("/stock", "<p>Sold out</p>");
            site.page("/news", "<p>Story one</p>");
            site.page("/paused", "<p>p1</p>");
            site.page("/deleted", "<p>d1</p>");

            LocalStack stack = LocalStack.start(options(dataDir));
            StackClient api;
            String stock;
            String news;
            String paused;
            String deleted;
            Set<String> alertsBeforeRestart;
            try {
                stack.awaitReady(Duration.ofSeconds(120));
                api = new StackClient(stack.apiUrl());
                assertThat(api.status("/readyz")).isEqualTo(200);
                api.createTenant(stack.adminToken(), "e2e");
                stock =
                        api.post(
                                        "/v1/monitors",
                                        monitor(
                                                "stock",
                                                site.url("/stock"),
                                                "{\"type\":\"contains\",\"text\":\"In stock\"}"),
                                        201)
                                .path("id")
                                .asText();
                news =
                        api.post(
                                        "/v1/monitors",
                                        monitor(
                                                "news",
                                                site.url("/news"),
                                                "{\"type\":\"any_change\"}"),
                                        201)
                                .path("id")
                                .asText();
                paused =
                        api.post(
                                        "/v1/monitors",
                                        monitor(
                                                "paused",
                                                site.url("/paused"),
                                                "{\"type\":\"any_change\"}"),
                                        201)
                                .path("id")
                                .asText();
                deleted =
                        api.post(
                                        "/v1/monitors",
                                        monitor(
                                                "deleted",
                                                site.url("/deleted"),
                                                "{\"type\":\"any_change\"}"),
                                        201)
                                .path("id")
                                .asText();
                for (String id : List.of(stock, news, paused, deleted)) {
                    awaitOutcome(api, id, "FIRST", "UNCHANGED");
                }
                assertThat(api.get("/v1/alerts").path("items")).isEmpty();

                // pause one, delete one, then change every page
                api.post("/v1/monitors/" + paused + "/pause", "", 200);
                api.delete("/v1/monitors/" + deleted);
                awaitNoRequests(site, "/paused"); // both events reached the pipeline
                awaitNoRequests(site, "/deleted");
                int pausedHits = site.hits("/paused");
                int deletedHits = site.hits("/deleted");
                site.page("/stock", "<p>In stock now</p>");
                site.page("/news", "<p>Story two</p>");
                site.page("/paused", "<p>p2</p>");
                site.page("/deleted", "<p>d2</p>");

                await().atMost(PATIENCE)
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> alertMonitors(api).containsAll(Set.of(stock, news)));
                Thread.sleep(2L * INTERVAL * 1000);
                assertThat(alertMonitors(api)).containsExactlyInAnyOrder(stock, news);
                assertThat(site.hits("/paused")).isEqualTo(pausedHits);
                assertThat(site.hits("/deleted")).isLessThanOrEqualTo(deletedHits + 1);
                assertThat(api.status("/v1/monitors/" + deleted)).isEqualTo(404);
                assertThat(api.get("/v1/monitors/" + paused).path("status").asText())
                        .isEqualTo("paused");

                // resume: the paused monitor checks again and sees its page changed
                api.post("/v1/monitors/" + paused + "/resume", "", 200);
                await().atMost(PATIENCE)
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> alertMonitors(api).contains(paused));
                alertsBeforeRestart = alertIds(api);
                assertThat(alertsBeforeRestart).hasSize(3);
                Thread.sleep(6_000); // at least one checkpoint after the last alert
            } finally {
                stack.close();
            }

            // same data directory: the pipeline resumes from its latest checkpoint
            Instant restart = Instant.now();
            LocalStack again = LocalStack.start(options(dataDir));
            try {
                again.awaitReady(Duration.ofSeconds(120));
                assertThat(again.restoredFrom())
                        .as("restored from a retained checkpoint")
                        .isNotNull();
                for (String id : List.of(stock, news, paused)) {
                    // checked again after the restart, against the old baseline: never FIRST
                    await().atMost(Duration.ofSeconds(60))
                            .pollInterval(Duration.ofMillis(300))
                            .until(() -> checkedSince(api, again, id, restart));
                }
                for (String id : List.of(stock, news, paused)) {
                    assertThat(statusOf(api, again, id).path("lastOutcome").asText())
                            .isEqualTo("UNCHANGED");
                }
                Thread.sleep(2L * INTERVAL * 1000);
                assertThat(alertIdsVia(api, again)).isEqualTo(alertsBeforeRestart);

                // and it still works: a new change alerts exactly once more
                site.page("/news", "<p>Story three</p>");
                await().atMost(PATIENCE)
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> alertIdsVia(api, again).size() == 4);
            } finally {
                again.close();
            }
        }
    }

    /** The API client of the first tenant, pointed at the restarted stack (same key, same DB). */
    private static StackClient rebased(StackClient client, LocalStack stack) {
        return client.withBase(stack.apiUrl());
    }

    private static JsonNode statusOf(StackClient client, LocalStack stack, String id)
            throws Exception {
        return rebased(client, stack).get("/v1/monitors/" + id);
    }

    private static boolean checkedSince(
            StackClient client, LocalStack stack, String id, Instant since) throws Exception {
        String last = statusOf(client, stack, id).path("lastCheckAt").asText(null);
        return last != null && Instant.parse(last).isAfter(since);
    }

    private static Set<String> alertIdsVia(StackClient client, LocalStack stack) throws Exception {
        return alertIds(rebased(client, stack));
    }

    /** Waits until a page had no request for three intervals: its monitor stopped checking. */
    private static void awaitNoRequests(LocalSite site, String path) {
        AtomicInteger seen = new AtomicInteger(site.hits(path));
        AtomicLong quietSince = new AtomicLong(System.nanoTime());
        long quiet = Duration.ofSeconds(3L * INTERVAL).toNanos();
        await().atMost(PATIENCE)
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () -> {
                            int hits = site.hits(path);
                            if (hits != seen.getAndSet(hits)) {
                                quietSince.set(System.nanoTime());
                                return false;
                            }
                            return System.nanoTime() - quietSince.get() > quiet;
                        });
    }

    private static void awaitOutcome(StackClient api, String id, String... outcomes) {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () ->
                                List.of(outcomes)
                                        .contains(
                                                api.get("/v1/monitors/" + id)
                                                        .path("lastOutcome")
                                                        .asText()));
    }

    private static List<JsonNode> alerts(StackClient api) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        api.get("/v1/alerts?limit=100").path("items").forEach(out::add);
        return out;
    }

    private static Set<String> alertMonitors(StackClient api) throws Exception {
        Set<String> out = new TreeSet<>();
        alerts(api).forEach(a -> out.add(a.path("monitorId").asText()));
        return out;
    }

    private static Set<String> alertIds(StackClient api) throws Exception {
        Set<String> out = new TreeSet<>();
        alerts(api).forEach(a -> out.add(a.path("id").asText()));
        return out;
    }
}
