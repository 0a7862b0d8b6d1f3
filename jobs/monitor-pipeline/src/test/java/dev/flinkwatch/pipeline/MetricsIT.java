package dev.flinkwatch.pipeline;

import static dev.flinkwatch.pipeline.TestSpecs.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flinkwatch.fetch.FetchOptions;
import dev.flinkwatch.model.Condition;
import dev.flinkwatch.model.ModelCodec;
import dev.flinkwatch.model.MonitorSpec;
import dev.flinkwatch.testing.FlinkTestCluster;
import dev.flinkwatch.testing.HeadlessChromium;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.test.junit5.InjectClusterRESTAddress;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline's metrics as operators see them: the whole pipeline on a MiniCluster with Flink's
 * Prometheus reporter, a monitor of two pages on one host (so politeness parks one of its checks)
 * and a page that changes. The scrape must hold the documented names (README, "Metrics") with
 * values that moved, and every Flink series the alert rules and the Grafana dashboard query. Then
 * headless Chromium opens the Flink dashboard's metrics tab of the scheduler and the change
 * detector, picks custom metrics the way a user does, and saves {@code
 * target/pipeline-metrics-*.png}.
 */
class MetricsIT {
    private static final int PROMETHEUS_PORT = freePort();
    private static final String OP = "flink_taskmanager_job_task_operator_";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern SAMPLE =
            Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern SELECTOR =
            Pattern.compile("\\b(flink_[a-zA-Z0-9_]+)(\\{([^}]*)})?");
    private static final Pattern MATCHER =
            Pattern.compile("(\\w+)(=~|=)\"((?:[^\"\\\\]|\\\\.)*)\"");

    @RegisterExtension
    static final MiniClusterExtension FLINK = FlinkTestCluster.extension(prometheus());

    @TempDir Path checkpoints;
    @TempDir Path profile;

    private static Configuration prometheus() {
        Configuration conf = new Configuration();
        conf.setString(
                "metrics.reporter.prom.factory.class",
                "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        conf.setString("metrics.reporter.prom.port", String.valueOf(PROMETHEUS_PORT));
        return conf;
    }

    @Test
    void theDocumentedMetricsMoveAndTheDashboardShowsThem(@InjectClusterRESTAddress URI rest)
            throws Exception {
        try (PipelineFixture f = new PipelineFixture()) {
            f.site.page("/news", "<p>Story one</p>");
            f.site.page("/static", "<p>Never changes</p>");
            Configuration conf = f.config(checkpoints);
            // two sources of one host: the scheduler emits both at once, the pacer parks the second
            MonitorSpec monitor =
                    spec(
                            onSubtaskZero(conf.get(PipelineOptions.MAX_PARALLELISM)),
                            1,
                            1,
                            Condition.anyChange(),
                            f.site.url("/news"),
                            f.site.url("/static"));
            f.upsert(monitor);

            conf.set(FetchOptions.MIN_DELAY_PER_HOST, Duration.ofMillis(200));
            JobClient job =
                    MonitorPipelineJob.start(f.environment(conf), conf, PipelineFixture.noLlm());
            try {
                // both sources have their baseline before the page changes
                await().atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofMillis(250))
                        .until(
                                () ->
                                        sum(
                                                        scrape(),
                                                        OP + "checks_outcome_finished",
                                                        Map.of("outcome", "first"))
                                                == 2);
                f.site.page("/news", "<p>Story one</p><p>Story two</p>");
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(250))
                        .until(() -> !f.alertsInDb().isEmpty());

                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(500))
                        .untilAsserted(() -> assertMoved(scrape()));
                assertThat(sum(scrape(), OP + "scheduler_monitors", Map.of()))
                        .as("monitors in the schedule")
                        .isEqualTo(1);
                assertSeriesOfRulesAndDashboardExist(scrape());

                screenshots(rest, job.getJobID().toString());
            } finally {
                job.cancel().get();
                // cancel() returns once accepted: tasks may still write checkpoint files into
                // the temp dir JUnit is about to delete
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> job.getJobStatus().get().isGloballyTerminalState());
            }
        }
    }

    private static void assertMoved(List<Sample> s) {
        assertThat(sum(s, OP + "scheduler_checksStarted", Map.of())).isGreaterThan(2);
        assertThat(sum(s, OP + "checks_outcome_finished", Map.of("outcome", "first"))).isEqualTo(2);
        assertThat(sum(s, OP + "checks_outcome_finished", Map.of("outcome", "unchanged")))
                .isPositive();
        assertThat(sum(s, OP + "checks_outcome_finished", Map.of("outcome", "changed")))
                .as("changes detected")
                .isEqualTo(1);
        // declined checks (a busy host) may happen on a loaded machine: the series must exist
        assertThat(series(s, OP + "checks_skipped", Map.of())).isNotEmpty();
        assertThat(sum(s, OP + "scheduler_latenessMs_count", Map.of()))
                .as("lateness histogram populated")
                .isGreaterThan(2);
        assertThat(series(s, OP + "scheduler_latenessMs", Map.of("quantile", "0.99"))).isNotEmpty();
        assertThat(series(s, OP + "scheduler_checksDeferred", Map.of())).isNotEmpty();
        assertThat(sum(s, OP + "pacer_parked", Map.of())).as("politeness waits").isPositive();
        assertThat(sum(s, OP + "pacer_waitMs_count", Map.of())).isPositive();
        assertThat(sum(s, OP + "fetch_outcome_results", Map.of("outcome", "ok"))).isPositive();
        assertThat(sum(s, OP + "fetch_latencyMs_count", Map.of())).isPositive();
        assertThat(series(s, OP + "fetch_inFlight", Map.of())).isNotEmpty();
        // LocalSite answers a repeated GET of /static with 304
        assertThat(sum(s, OP + "conditionalGet_validatorsSent", Map.of())).isPositive();
        assertThat(sum(s, OP + "conditionalGet_notModified", Map.of())).isPositive();
        assertThat(sum(s, OP + "conditionalGet_entries", Map.of())).isPositive();
        assertThat(series(s, OP + "conditionalGet_evictions", Map.of())).isNotEmpty();
        assertThat(sum(s, OP + "alerts_kind_raised", Map.of("kind", "condition_met")))
                .as("alerts after the change")
                .isEqualTo(1);
        assertThat(sum(s, OP + "alerts_kind_raised", Map.of("kind", "monitor_failing"))).isZero();
        assertThat(sum(s, OP + "sink_rowsWritten", Map.of())).isPositive();
        assertThat(series(s, OP + "sink_writeFailures", Map.of())).isNotEmpty();
        assertThat(series(s, OP + "sink_deadLettered", Map.of())).isNotEmpty();
        for (String llm : List.of("calls", "tokensIn", "tokensOut", "cacheHits", "errors")) {
            assertThat(series(s, OP + "llm_" + llm, Map.of())).as(llm).isNotEmpty();
        }
    }

    /**
     * Every flink_* selector the alert rules and the dashboard query matches series of the scrape,
     * label matchers included (Flink's reporter rewrites label values:
     * job_name="monitor_pipeline").
     */
    private static void assertSeriesOfRulesAndDashboardExist(List<Sample> s) throws IOException {
        Path deploy = Path.of("..", "..", "deploy").toAbsolutePath().normalize();
        List<String> queries = new java.util.ArrayList<>();
        queries.add(Files.readString(deploy.resolve("prometheus/rules.yaml")));
        ModelCodec.mapper()
                .readTree(deploy.resolve("grafana/flinkwatch-dashboard.json").toFile())
                .findValues("expr")
                .forEach(e -> queries.add(e.asText()));
        Set<String> checked = new java.util.TreeSet<>();
        Set<String> unmatched = new java.util.TreeSet<>();
        for (String query : queries) {
            Matcher m = SELECTOR.matcher(query);
            while (m.find()) {
                if (m.group(1).endsWith("_")) {
                    continue; // a name prefix in a comment
                }
                checked.add(m.group());
                if (!matches(s, m.group(1), m.group(3) == null ? "" : m.group(3))) {
                    unmatched.add(m.group());
                }
            }
        }
        assertThat(checked).hasSizeGreaterThan(20);
        assertThat(unmatched).as("selectors matching no series of the scrape").isEmpty();
    }

    /** Whether a series of that name satisfies the label matchers (= and =~). */
    private static boolean matches(List<Sample> s, String name, String matchers) {
        Map<String, Pattern> wanted = new java.util.HashMap<>();
        Matcher l = MATCHER.matcher(matchers);
        while (l.find()) {
            String value = l.group(3);
            wanted.put(
                    l.group(1),
                    Pattern.compile(l.group(2).equals("=~") ? value : Pattern.quote(value)));
        }
        return series(s, name, Map.of()).stream()
                .anyMatch(
                        x ->
                                wanted.entrySet().stream()
                                        .allMatch(
                                                w ->
                                                        w.getValue()
                                                                .matcher(
                                                                        x.labels()
                                                                                .getOrDefault(
                                                                                        w.getKey(),
                                                                                        ""))
                                                                .matches()));
    }

    /** The dashboard's metrics tab of two vertices with custom metrics picked, as screenshots. */
    private void screenshots(URI rest, String jobId) throws Exception {
        assertThat(HeadlessChromium.EXECUTABLE).as("Debian chromium").isExecutable();
        JsonNode vertices = get(rest.resolve("/jobs/" + jobId)).path("vertices");
        try (HeadlessChromium browser = HeadlessChromium.start(profile, 1600, 1400)) {
            shoot(
                    browser,
                    rest,
                    jobId,
                    vertexId(vertices, "MonitorScheduler"),
                    List.of(
                            "scheduler.checksStarted",
                            "scheduler.latenessMs_p99",
                            "scheduler.monitors"),
                    "scheduler");
            shoot(
                    browser,
                    rest,
                    jobId,
                    vertexId(vertices, "ChangeDetector"),
                    List.of(
                            "checks.outcome.first.finished",
                            "checks.outcome.unchanged.finished",
                            "checks.outcome.changed.finished",
                            "sink.rowsWritten"),
                    "checks");
        }
    }

    private void shoot(
            HeadlessChromium browser,
            URI rest,
            String jobId,
            String vertex,
            List<String> metrics,
            String name)
            throws Exception {
        // the REST metric cache fills a while after start: wait until the vertex lists them
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(
                        () -> {
                            List<String> ids = vertexMetrics(rest, jobId, vertex);
                            for (String m : metrics) {
                                assertThat(ids).as(m).anyMatch(id -> id.endsWith("." + m));
                            }
                        });
        browser.navigate(
                rest.resolve("/#/job/running/" + jobId + "/overview/" + vertex + "/metrics")
                        .toString());
        try {
            for (String metric : metrics) {
                String option = "nz-option-item[title^=\"0.\"][title$=\"." + metric + "\"]";
                // the picker loads its names after the tab opens: open it and type until the
                // filtered list offers the subtask-0 series
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofSeconds(1))
                        .until(
                                () -> {
                                    if (browser.isVisible(option)) {
                                        return true;
                                    }
                                    browser.click("flink-job-overview-drawer-chart nz-select");
                                    browser.type(metric);
                                    return false;
                                });
                browser.click(option);
                browser.awaitVisible("flink-job-chart");
            }
            // numbers rather than sparklines, full width so the names show; each shows a value
            assertThat(browser.clickAll("flink-job-chart button", "Numeric"))
                    .isEqualTo(metrics.size());
            assertThat(browser.clickAll("flink-job-chart button", "Big")).isEqualTo(metrics.size());
            await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(500))
                    .untilAsserted(
                            () ->
                                    assertThat(
                                                    browser.evaluate(
                                                                    "[...document.querySelectorAll("
                                                                            + "'flink-job-chart"
                                                                            + " .numeric')].map(e"
                                                                            + " =>"
                                                                            + " e.textContent.trim())")
                                                            .toString())
                                            .as("values shown")
                                            .matches(
                                                    "\\[\"[-0-9.,E]+\"(,\"[-0-9.,E]+\"){"
                                                            + (metrics.size() - 1)
                                                            + "}]"));
        } catch (Throwable e) {
            browser.screenshot(Path.of("target", "pipeline-metrics-" + name + "-failed.png"));
            throw e;
        }
        Path png = Path.of("target", "pipeline-metrics-" + name + ".png").toAbsolutePath();
        browser.screenshot(png);
        assertThat(Files.size(png)).isGreaterThan(20_000);
    }

    private static List<String> vertexMetrics(URI rest, String jobId, String vertex)
            throws Exception {
        List<String> ids = new java.util.ArrayList<>();
        get(rest.resolve("/jobs/" + jobId + "/vertices/" + vertex + "/metrics"))
                .forEach(m -> ids.add(m.path("id").asText()));
        return ids;
    }

    private static String vertexId(JsonNode vertices, String operator) {
        for (JsonNode v : vertices) {
            if (v.path("name").asText().contains(operator)) {
                return v.path("id").asText();
            }
        }
        throw new AssertionError("no vertex runs " + operator + ": " + vertices);
    }

    private record Sample(String name, Map<String, String> labels, double value) {}

    private static List<Sample> scrape() throws Exception {
        HttpResponse<String> r =
                HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + PROMETHEUS_PORT))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        Files.writeString(Path.of("target", "metrics-scrape.txt"), r.body());
        List<Sample> out = new java.util.ArrayList<>();
        for (String line : r.body().lines().toList()) {
            Matcher m = SAMPLE.matcher(line);
            if (line.startsWith("#") || !m.matches()) {
                continue;
            }
            Map<String, String> labels = new java.util.HashMap<>();
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            out.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(4))));
        }
        return out;
    }

    private static List<Sample> series(List<Sample> s, String name, Map<String, String> labels) {
        return s.stream()
                .filter(x -> x.name().equals(name))
                .filter(x -> x.labels().entrySet().containsAll(labels.entrySet()))
                .toList();
    }

    private static double sum(List<Sample> s, String name, Map<String, String> labels) {
        return series(s, name, labels).stream().mapToDouble(Sample::value).sum();
    }

    private static JsonNode get(URI uri) throws Exception {
        HttpResponse<String> r =
                HTTP.send(
                        HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(uri.toString()).isEqualTo(200);
        return ModelCodec.mapper().readTree(r.body());
    }

    /**
     * A monitor id whose keyed operators run on subtask 0 (of the fixture's 2): the dashboard shows
     * subtask 0's metrics.
     */
    private static UUID onSubtaskZero(int maxParallelism) {
        while (true) {
            UUID id = UUID.randomUUID();
            if (KeyGroupRangeAssignment.assignKeyToParallelOperator(id, maxParallelism, 2) == 0) {
                return id;
            }
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
