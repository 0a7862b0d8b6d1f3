package dev.flinkwatch.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flinkwatch.testing.LocalSite;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a laptop does to the run command: the stack runs as a child process group (as a terminal
 * runs it), the whole group is killed with SIGKILL, and a new start on the same data directory is
 * ready within 60 s with tenants, monitors, baselines and schedules intact and no alert raised
 * twice. A second stack on the directory in use, and a stack on a taken port, exit at once with a
 * message saying why; SIGTERM to the group stops everything within 10 s and leaves no process. The
 * first stack also gets a fetch option through the environment, under its cluster name, and the
 * site sees it.
 */
class LocalStackCrashIT {
    private static final int INTERVAL = 2;
    private static final String USER_AGENT = "CrashTestBot/1.0 (+https://flinkwatch.dev/test)";

    @TempDir Path dataDir;
    @TempDir Path logs;
    @TempDir Path other;

    @Test
    void survivesKillMinusNineOfTheGroupAndRefusesASecondStack() throws Exception {
        try (LocalSite site = LocalSite.start()) {
            Queue<String> agents = new ConcurrentLinkedQueue<>();
            site.page("/stock", "<p>Sold out</p>");
            serveNews(site, "<p>Story one</p>", agents);

            StackClient api;
            String stock;
            String news;
            Set<String> alertsBeforeCrash;
            try (StackProcess first =
                    StackProcess.start(
                            dataDir,
                            logs.resolve("first.out"),
                            Map.of(
                                    "FLINKWATCH_FETCH_USER_AGENT",
                                    USER_AGENT,
                                    "FLINKWATCH_CHANGE_STATUS_REFRESH",
                                    "1s"))) {
                api = new StackClient(first.awaitReady(Duration.ofSeconds(120)));
                api.createTenant("crash-admin-token", "crash");
                stock = create(api, "stock", site.url("/stock"), contains("In stock"));
                news = create(api, "news", site.url("/news"), "{\"type\":\"any_change\"}");
                awaitChecked(api, stock);
                awaitChecked(api, news);
                // the fetch option set through the environment is in effect
                assertThat(agents).isNotEmpty().allMatch(USER_AGENT::equals);

                serveNews(site, "<p>Story two</p>", agents);
                // PostgreSQL's alerts come from the committed alerts topic: an alert visible
                // here belongs to a completed checkpoint
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(300))
                        .until(() -> alertIds(api).size() == 1);
                alertsBeforeCrash = alertIds(api);
                // a few more checks of both, so the schedule is running when the group dies
                Instant now = Instant.now();
                awaitCheckedSince(api, stock, now);
                awaitCheckedSince(api, news, now);

                first.signalGroup("KILL");
                first.awaitExit(Duration.ofSeconds(10));
                // the watchdogs stop PostgreSQL, and the broker stops itself, once the JVM is gone
                await().atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(250))
                        .until(() -> StackProcess.processesMentioning(dataDir).isEmpty());
            }

            long restart = System.nanoTime();
            Instant restartedAt = Instant.now();
            try (StackProcess again =
                    StackProcess.start(
                            dataDir,
                            logs.resolve("again.out"),
                            Map.of("FLINKWATCH_CHANGE_STATUS_REFRESH", "1s"))) {
                StackClient client = api.withBase(again.awaitReady(Duration.ofSeconds(60)));
                assertThat(Duration.ofNanos(System.nanoTime() - restart))
                        .as("ready after the crash")
                        .isLessThan(Duration.ofSeconds(60));
                assertThat(again.output()).contains("Resumed from");

                // tenant (its key), monitors, schedules and baselines survived
                assertThat(ids(client.get("/v1/monitors"))).containsExactlyInAnyOrder(stock, news);
                awaitCheckedSince(client, stock, restartedAt);
                awaitCheckedSince(client, news, restartedAt);
                for (String id : List.of(stock, news)) {
                    assertThat(client.get("/v1/monitors/" + id).path("lastOutcome").asText())
                            .as("checked against its old baseline")
                            .isEqualTo("UNCHANGED");
                }
                assertThat(alertIds(client)).isEqualTo(alertsBeforeCrash);

                // a second stack on the directory in use exits at once and touches nothing
                try (StackProcess second =
                        StackProcess.start(dataDir, logs.resolve("second.out"), Map.of())) {
                    assertThat(second.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
                    assertThat(second.output())
                            .contains("data directory " + dataDir + " is in use")
                            .contains("pid " + again.pid());
                }
                // a stack on a taken port says which port and which setting
                try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                        StackProcess third =
                                StackProcess.start(
                                        other,
                                        logs.resolve("third.out"),
                                        Map.of(
                                                "MONITOR_API_PORT",
                                                String.valueOf(taken.getLocalPort())))) {
                    assertThat(third.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
                    assertThat(third.output())
                            .contains("port " + taken.getLocalPort() + " (control API)")
                            .contains("MONITOR_API_PORT");
                }

                // the first keeps working: a new change alerts exactly once more
                assertThat(client.status("/readyz")).isEqualTo(200);
                serveNews(site, "<p>Story three</p>", agents);
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(300))
                        .until(() -> alertIds(client).size() == 2);
                assertThat(alertIds(client)).containsAll(alertsBeforeCrash);

                // SIGTERM to the group (what Ctrl-C sends) stops everything within 10 s
                long stop = System.nanoTime();
                again.signalGroup("TERM");
                again.awaitExit(Duration.ofSeconds(10));
                await().atMost(Duration.ofSeconds(10).minusNanos(System.nanoTime() - stop))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> StackProcess.processesMentioning(dataDir).isEmpty());
            }
        }
    }

    /** Serves the news page and records each request's User-Agent. */
    private static void serveNews(LocalSite site, String html, Queue<String> agents) {
        byte[] body = html.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        site.handle(
                "/news",
                exchange -> {
                    agents.add(String.valueOf(exchange.getRequestHeaders().getFirst("User-Agent")));
                    exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                    LocalSite.send(exchange, 200, body);
                });
    }

    private static String contains(String text) {
        return "{\"type\":\"contains\",\"text\":\"" + text + "\"}";
    }

    private static String create(StackClient api, String name, String url, String condition)
            throws Exception {
        String body =
                "{\"name\":\""
                        + name
                        + "\",\"sources\":[{\"url\":\""
                        + url
                        + "\"}],\"intervalSeconds\":"
                        + INTERVAL
                        + ",\"condition\":"
                        + condition
                        + "}";
        return api.post("/v1/monitors", body, 201).path("id").asText();
    }

    private static void awaitChecked(StackClient api, String id) {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(300))
                .until(() -> api.get("/v1/monitors/" + id).path("lastOutcome").isTextual());
    }

    private static void awaitCheckedSince(StackClient api, String id, Instant since) {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(300))
                .until(
                        () -> {
                            String last =
                                    api.get("/v1/monitors/" + id).path("lastCheckAt").asText(null);
                            return last != null && Instant.parse(last).isAfter(since);
                        });
    }

    private static List<String> ids(JsonNode page) {
        List<String> out = new ArrayList<>();
        page.path("items").forEach(m -> out.add(m.path("id").asText()));
        return out;
    }

    private static Set<String> alertIds(StackClient api) throws Exception {
        Set<String> out = new TreeSet<>();
        List<String> all = new ArrayList<>();
        api.get("/v1/alerts?limit=100")
                .path("items")
                .forEach(
                        a -> {
                            out.add(a.path("id").asText());
                            all.add(a.path("id").asText());
                        });
        assertThat(all).as("no alert listed twice").hasSameSizeAs(out);
        return out;
    }
}
