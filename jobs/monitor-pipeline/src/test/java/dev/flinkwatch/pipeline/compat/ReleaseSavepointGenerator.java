package dev.flinkwatch.pipeline.compat;

import static org.awaitility.Awaitility.await;

import dev.flinkwatch.model.Alert;
import dev.flinkwatch.model.AlertKind;
import dev.flinkwatch.model.CheckOutcome;
import dev.flinkwatch.model.CheckResult;
import dev.flinkwatch.model.ComparisonOp;
import dev.flinkwatch.model.Condition;
import dev.flinkwatch.model.Hashing;
import dev.flinkwatch.model.MonitorSpec;
import dev.flinkwatch.model.MonitorStatus;
import dev.flinkwatch.pipeline.MonitorPipelineJob;
import dev.flinkwatch.pipeline.PipelineFixture;
import dev.flinkwatch.pipeline.PipelineOptions;
import dev.flinkwatch.pipeline.TestSpecs;
import dev.flinkwatch.testing.LocalSite;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Writes the savepoint of a release that {@link ReleaseSavepointCompatIT} restores into every later
 * version. It runs the real job ({@link MonitorPipelineJob#wire} with its real sinks) on a local
 * MiniCluster against the test broker, PostgreSQL and a local site, with one monitor of each kind
 * the state has to carry: an any_change monitor that changed once, a contains and a number rule
 * that are met, a source failing past the failure threshold, a monitor with two sources, and a
 * paused monitor. When every baseline and alert exists it stops the job with a canonical savepoint
 * and copies it, with a {@link ReleaseManifest}, into {@code
 * src/test/resources/savepoints/<release>}.
 *
 * <p>Run it on the commit of the release, from the repository root, and commit the directory:
 *
 * <pre>
 * mvn -B -q -pl jobs/monitor-pipeline -am test-compile dependency:build-classpath \
 *     -Dmdep.includeScope=test -Dmdep.outputFile=target/test.classpath
 * java -cp jobs/monitor-pipeline/target/test-classes:jobs/monitor-pipeline/target/classes:$(cat \
 *     jobs/monitor-pipeline/target/test.classpath) \
 *     dev.flinkwatch.pipeline.compat.ReleaseSavepointGenerator 0.2
 * </pre>
 *
 * Then point {@link ReleaseSavepointCompatIT} at the new release too (keep the old ones: every
 * supported upgrade path gets a test). The old release's test expectations must not be edited to
 * make a new version pass, only extended where a new field gets its migrated default.
 */
public final class ReleaseSavepointGenerator {
    static final int INTERVAL_SECONDS = 2;

    private ReleaseSavepointGenerator() {}

    public static void main(String[] args) throws Exception {
        String release = args.length > 0 ? args[0] : "0.1";
        Path target =
                Paths.get("jobs/monitor-pipeline/src/test/resources/savepoints/release-" + release);
        Path work = Files.createTempDirectory("release-savepoint");
        int status = 1;
        try (PipelineFixture f = new PipelineFixture()) {
            generate(f, release, work, target);
            System.out.println("release savepoint written to " + target.toAbsolutePath());
            status = 0;
        } finally {
            // the embedded broker and database run on non-daemon threads
            System.exit(status);
        }
    }

    private static void generate(PipelineFixture f, String release, Path work, Path target)
            throws Exception {
        ReleaseManifest manifest = ReleaseManifest.empty();
        Map<String, String> pages = new LinkedHashMap<>();
        pages.put("/any", "<p>a1</p>");
        pages.put("/stock", "<p>Sold out</p>");
        pages.put("/price", "<p>Price: 30 EUR</p>");
        pages.put("/multi-a", "<p>first source</p>");
        pages.put("/multi-b", "<p>second source</p>");
        pages.put("/paused", "<p>paused page</p>");
        pages.forEach(f.site::page);
        f.site.handle(
                "/failing",
                exchange -> LocalSite.send(exchange, 503, "down".getBytes(StandardCharsets.UTF_8)));

        Map<String, MonitorSpec> specs = new LinkedHashMap<>();
        specs.put("any-change", spec(Condition.anyChange(), f, "/any"));
        specs.put("contains", spec(Condition.contains("In stock", false), f, "/stock"));
        specs.put("number", spec(Condition.number(ComparisonOp.GT, 40), f, "/price"));
        specs.put("failing", spec(Condition.anyChange(), f, "/failing"));
        specs.put("two-sources", spec(Condition.anyChange(), f, "/multi-a", "/multi-b"));
        specs.put("paused", spec(Condition.anyChange(), f, "/paused"));
        for (MonitorSpec s : specs.values()) {
            f.upsert(s);
        }

        Configuration conf = f.config(work.resolve("checkpoints"));
        conf.set(RestOptions.BIND_PORT, "0");
        StreamExecutionEnvironment env = f.environment(conf);
        MonitorPipelineJob.wire(env, conf, PipelineFixture.noLlm())
                .checkResults()
                .sinkTo(Recorded.sink())
                .name("recorder");
        JobClient job = env.executeAsync("release-savepoint-generator");

        f.awaitBaselines(specs.values().stream().map(MonitorSpec::id).toList());
        // alerts fire on a change: each rule becomes true after its baseline
        pages.put("/any", "<p>a2</p>");
        pages.put("/stock", "<p>In stock</p>");
        pages.put("/price", "<p>Price: 45 EUR</p>");
        for (String path : List.of("/any", "/stock", "/price")) {
            f.site.page(path, pages.get(path));
        }
        MonitorSpec paused = specs.get("paused");
        paused = paused.withStatus(MonitorStatus.PAUSED).withVersion(2);
        specs.put("paused", paused);
        f.upsert(paused);

        // every alert the release raises for these monitors, committed on Kafka
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> allAlertsRaised(f.alertsInKafka()));
        String failingUrl = f.site.url("/failing");
        await().atMost(Duration.ofSeconds(60))
                .until(
                        () ->
                                Recorded.results(failingUrl).stream()
                                                .filter(r -> r.outcome() == CheckOutcome.ERROR)
                                                .count()
                                        >= 4);
        for (String path : List.of("/any", "/stock", "/price")) {
            await().atMost(Duration.ofSeconds(60))
                    .until(
                            () ->
                                    Recorded.results(f.site.url(path)).stream()
                                            .anyMatch(r -> r.outcome() == CheckOutcome.UNCHANGED));
        }
        // two more checkpoints after the last alert: the savepoint holds no pending Kafka
        // transaction, so the restore test does not depend on this broker
        long seen = Recorded.latestCheckpoint(work.resolve("checkpoints")).orElse(0);
        await().atMost(Duration.ofSeconds(60))
                .until(
                        () ->
                                Recorded.latestCheckpoint(work.resolve("checkpoints")).orElse(0)
                                        >= seen + 2);

        String savepoint =
                job.stopWithSavepoint(
                                false,
                                work.resolve("savepoint").toUri().toString(),
                                SavepointFormatType.CANONICAL)
                        .get();
        job.getJobExecutionResult().get();

        manifest.set("release", release)
                .set("flink.version", EnvironmentInformation.getVersion())
                .set("generated.at", Instant.now())
                .set("site.port", f.site.port())
                .set("topic.monitors", f.monitorsTopic)
                .set("topic.alerts", f.alertsTopic)
                .set("topic.check-results", f.resultsTopic)
                .set("kafka.group-id", conf.get(PipelineOptions.KAFKA_GROUP_ID))
                .set(
                        "kafka.transactional-id-prefix",
                        conf.get(PipelineOptions.TRANSACTIONAL_ID_PREFIX))
                .set("interval-seconds", INTERVAL_SECONDS)
                .set("failing.path", "/failing");
        specs.forEach(
                (name, s) ->
                        manifest.addMonitor(
                                name,
                                s,
                                s.sources().stream()
                                        .map(src -> src.url().substring(f.site.url("").length()))
                                        .toList()));
        for (Map.Entry<String, String> page : pages.entrySet()) {
            String text = page.getValue().replace("<p>", "").replace("</p>", "");
            String hash = lastContentHash(f.site.url(page.getKey()));
            if (!Hashing.sha256Hex128(text).equals(hash)) {
                throw new IllegalStateException(
                        "the job reported " + hash + " for " + page.getKey() + ", not " + text);
            }
            manifest.addPage(
                    new ReleaseManifest.Page(page.getKey(), 200, page.getValue(), text, hash));
        }
        manifest.addPage(new ReleaseManifest.Page("/failing", 503, "down", null, null));
        for (Alert a : f.alertsInKafka()) {
            String name =
                    specs.entrySet().stream()
                            .filter(e -> e.getValue().id().equals(a.monitorId()))
                            .findFirst()
                            .orElseThrow()
                            .getKey();
            manifest.addAlert(a.kind().name(), name, a.alertId());
        }

        if (Files.exists(target)) {
            try (Stream<Path> old = Files.walk(target)) {
                old.sorted(Comparator.reverseOrder()).forEach(ReleaseSavepointGenerator::delete);
            }
        }
        Path source = Paths.get(java.net.URI.create(savepoint));
        Files.createDirectories(target);
        try (Stream<Path> files = Files.walk(source)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                Path to = target.resolve(source.relativize(p).toString());
                Files.createDirectories(to.getParent());
                Files.copy(p, to);
            }
        }
        manifest.store(target);
    }

    private static MonitorSpec spec(Condition condition, PipelineFixture f, String... paths) {
        String[] urls = Stream.of(paths).map(f.site::url).toArray(String[]::new);
        return TestSpecs.spec(UUID.randomUUID(), 1, INTERVAL_SECONDS, condition, urls);
    }

    private static String lastContentHash(String url) {
        List<CheckResult> results = Recorded.results(url);
        return results.get(results.size() - 1).contentHash();
    }

    /** Three conditions met (any_change after its change, contains, number), one failing. */
    private static boolean allAlertsRaised(List<Alert> alerts) {
        Map<AlertKind, Long> kinds = new LinkedHashMap<>();
        for (Alert a : alerts) {
            kinds.merge(a.kind(), 1L, Long::sum);
        }
        return kinds.equals(Map.of(AlertKind.CONDITION_MET, 3L, AlertKind.MONITOR_FAILING, 1L));
    }

    private static void delete(Path p) {
        try {
            Files.delete(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
