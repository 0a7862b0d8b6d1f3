package dev.flinkwatch.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkwatch.model.Alert;
import dev.flinkwatch.model.AlertKind;
import dev.flinkwatch.model.CheckOutcome;
import dev.flinkwatch.model.CheckResult;
import dev.flinkwatch.model.Condition;
import dev.flinkwatch.model.ModelCodec;
import dev.flinkwatch.model.MonitorSpec;
import dev.flinkwatch.pipeline.MonitorPipelineJob;
import dev.flinkwatch.pipeline.PipelineFixture;
import dev.flinkwatch.pipeline.TestSpecs;
import dev.flinkwatch.testing.TestKafka;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The shaded job on a real multi-process Flink cluster (JobManager and TaskManagers as separate
 * JVMs, RocksDB with incremental checkpoints from flink-conf/), with a real Kafka broker, real
 * PostgreSQL and a local site whose pages change in steps. Each step changes every page once; every
 * monitor must then raise exactly one alert for it, whatever happened to the job in between:
 *
 * <ol>
 *   <li>release 1 at parallelism 1 takes the baselines, then alerts on step 1;
 *   <li>upgrade: stop with a savepoint, pages change while the job is down, the next release (one
 *       more operator, same uids) starts from the savepoint;
 *   <li>rescale 1 → 2 via savepoint;
 *   <li>crash: pages change and a TaskManager is killed with SIGKILL, a new one is started, the job
 *       recovers from its last checkpoint;
 *   <li>rescale 2 → 1 via savepoint.
 * </ol>
 *
 * At the end the committed alerts topic (read_committed) and PostgreSQL hold the same alerts: one
 * per monitor and step, none twice, and no monitor took its FIRST baseline twice.
 */
class ClusterLifecycleIT {
    private static final int MONITORS = 8;
    private static final Duration STEP = Duration.ofMinutes(3);
    private static final Pattern VERSION = Pattern.compile("version (\\d+)");

    @Test
    void upgradeCrashAndRescaleKeepEveryMonitorsState() throws Exception {
        // under target/, so the processes' logs outlive a failed run
        Path work =
                Files.createTempDirectory(Files.createDirectories(Path.of("target")), "cluster-");
        System.out.println("[cluster] work dir " + work.toAbsolutePath());
        try (PipelineFixture fx = new PipelineFixture();
                StandaloneCluster cluster =
                        new StandaloneCluster(
                                work,
                                Map.ofEntries(
                                        // one slot per TaskManager: parallelism 2 spans two JVMs
                                        Map.entry("taskmanager.numberOfTaskSlots", "1"),
                                        Map.entry("taskmanager.memory.process.size", "1280m"),
                                        Map.entry("jobmanager.memory.process.size", "1024m"),
                                        Map.entry("execution.checkpointing.interval", "2 s"),
                                        Map.entry("execution.checkpointing.min-pause", "500 ms"),
                                        // a killed TaskManager is noticed by failed heartbeat RPCs
                                        Map.entry("heartbeat.interval", "2 s"),
                                        Map.entry("heartbeat.timeout", "30 s")))) {
            List<MonitorSpec> monitors = new ArrayList<>();
            for (int i = 0; i < MONITORS; i++) {
                monitors.add(
                        TestSpecs.spec(
                                UUID.randomUUID(),
                                1,
                                2,
                                Condition.anyChange(),
                                fx.site.url(page(i))));
            }
            setVersion(fx, 0);
            for (MonitorSpec m : monitors) {
                fx.upsert(m);
            }
            List<String> args = jobArgs(fx);
            long setup = System.nanoTime();
            Path release2 = nextRelease(work.resolve("release-2.jar"));
            report("next release's jar built", setup);
            setup = System.nanoTime();

            cluster.startJobManager();
            cluster.startTaskManager();
            int second = cluster.startTaskManager();
            await().atMost(STEP).until(() -> cluster.registeredTaskManagers() == 2);
            report("JobManager and 2 TaskManagers up", setup);

            long t0 = System.nanoTime();
            String job =
                    cluster.run(Repo.jobJar(), MonitorPipelineJob.class.getName(), 1, null, args);
            awaitRunning(cluster, job);
            fx.awaitBaselines(monitors.stream().map(MonitorSpec::id).toList());
            step(fx, monitors, 1);
            report("release 1: start, baselines, step 1", t0);

            // 1. savepoint upgrade into the next release; pages change while no job runs
            t0 = System.nanoTime();
            String savepoint = cluster.stopWithSavepoint(job);
            setVersion(fx, 2);
            job =
                    cluster.run(
                            release2,
                            UpgradedMonitorPipelineJob.class.getName(),
                            1,
                            savepoint,
                            args);
            awaitRunning(cluster, job);
            assertThat(vertexNames(cluster, job)).anyMatch(n -> n.contains("Alert kinds"));
            awaitAlerts(fx, monitors, 2);
            report("upgrade via savepoint, step 2", t0);

            // 3a. rescale 1 -> 2 via savepoint
            t0 = System.nanoTime();
            savepoint = cluster.stopWithSavepoint(job);
            job =
                    cluster.run(
                            release2,
                            UpgradedMonitorPipelineJob.class.getName(),
                            2,
                            savepoint,
                            args);
            awaitRunning(cluster, job);
            assertThat(maxParallelism(cluster, job)).isEqualTo(2);
            step(fx, monitors, 3);
            report("rescale 1 -> 2, step 3", t0);

            // 2. crash: the pages change and a TaskManager dies mid-run
            t0 = System.nanoTime();
            Map<String, Integer> hitsBefore = hits(fx);
            setVersion(fx, 4);
            // kill once checks have read the new pages: their alerts are in flight, uncommitted
            await().atMost(STEP)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> pagesFetchedSince(fx, hitsBefore) >= MONITORS / 2);
            cluster.killTaskManager(second);
            cluster.startTaskManager();
            String crashed = job;
            await().atMost(STEP)
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> restoredFromCheckpoint(cluster, crashed));
            awaitRunning(cluster, job);
            awaitAlerts(fx, monitors, 4);
            report("kill -9 TaskManager, recovery, step 4", t0);

            // 3b. rescale 2 -> 1 via savepoint
            t0 = System.nanoTime();
            savepoint = cluster.stopWithSavepoint(job);
            job =
                    cluster.run(
                            release2,
                            UpgradedMonitorPipelineJob.class.getName(),
                            1,
                            savepoint,
                            args);
            awaitRunning(cluster, job);
            assertThat(maxParallelism(cluster, job)).isEqualTo(1);
            step(fx, monitors, 5);
            report("rescale 2 -> 1, step 5", t0);

            // exactly one alert per monitor and step, in Kafka (committed) and PostgreSQL alike
            List<Alert> inKafka = fx.alertsInKafka();
            assertThat(inKafka.stream().map(Alert::alertId)).doesNotHaveDuplicates();
            assertThat(stepsByMonitor(inKafka))
                    .isEqualTo(expectedSteps(monitors, List.of(1, 2, 3, 4, 5)));
            assertThat(fx.alertsInDb().keySet())
                    .containsExactlyInAnyOrderElementsOf(
                            inKafka.stream().map(Alert::alertId).toList());
            // state survived every restart: one baseline per monitor, ever
            assertThat(firstBaselines(fx)).isEqualTo(countOne(monitors));
            assertJsonLines(cluster.logDir().resolve("jobmanager.log"));
        }
    }

    private static String page(int i) {
        return "/item-" + i + ".html";
    }

    private static void setVersion(PipelineFixture fx, int version) {
        for (int i = 0; i < MONITORS; i++) {
            fx.site.page(
                    page(i),
                    "<html><body><h1>Item "
                            + i
                            + "</h1><p>version "
                            + version
                            + "</p></body></html>");
        }
    }

    private static Map<String, Integer> hits(PipelineFixture fx) {
        Map<String, Integer> out = new HashMap<>();
        for (int i = 0; i < MONITORS; i++) {
            out.put(page(i), fx.site.hits(page(i)));
        }
        return out;
    }

    private static long pagesFetchedSince(PipelineFixture fx, Map<String, Integer> before) {
        return before.entrySet().stream()
                .filter(e -> fx.site.hits(e.getKey()) > e.getValue())
                .count();
    }

    /** Changes every page and waits for every monitor's alert for it. */
    private static void step(PipelineFixture fx, List<MonitorSpec> monitors, int version)
            throws Exception {
        setVersion(fx, version);
        awaitAlerts(fx, monitors, version);
    }

    private static void awaitAlerts(PipelineFixture fx, List<MonitorSpec> monitors, int version)
            throws Exception {
        try {
            await().atMost(STEP)
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> missing(fx, monitors, version).isEmpty());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // which monitors, what their last check said, whether their page was fetched at all
            List<String> detail = new ArrayList<>();
            Map<UUID, String> status = fx.statuses();
            for (MonitorSpec m : missing(fx, monitors, version)) {
                String url = m.sources().get(0).url();
                String path = url.substring(url.indexOf('/', "http://".length()));
                detail.add(
                        m.id()
                                + " last outcome "
                                + status.get(m.id())
                                + ", page hits "
                                + fx.site.hits(path));
            }
            throw new AssertionError("no alert for step " + version + ": " + detail, e);
        }
    }

    private static List<MonitorSpec> missing(
            PipelineFixture fx, List<MonitorSpec> monitors, int version) {
        Map<UUID, List<Integer>> steps = stepsByMonitor(fx.alertsInKafka());
        return monitors.stream()
                .filter(m -> !steps.getOrDefault(m.id(), List.of()).contains(version))
                .toList();
    }

    /** Per monitor, the page versions its CONDITION_MET alerts saw, in order, duplicates kept. */
    private static Map<UUID, List<Integer>> stepsByMonitor(Collection<Alert> alerts) {
        Map<UUID, List<Integer>> out = new TreeMap<>();
        for (Alert a : alerts) {
            if (a.kind() != AlertKind.CONDITION_MET) {
                continue;
            }
            Matcher m = VERSION.matcher(a.excerpt() == null ? "" : a.excerpt());
            out.computeIfAbsent(a.monitorId(), k -> new ArrayList<>())
                    .add(m.find() ? Integer.parseInt(m.group(1)) : -1);
        }
        out.values().forEach(l -> l.sort(null));
        return out;
    }

    private static Map<UUID, List<Integer>> expectedSteps(
            List<MonitorSpec> monitors, List<Integer> steps) {
        Map<UUID, List<Integer>> out = new TreeMap<>();
        monitors.forEach(m -> out.put(m.id(), steps));
        return out;
    }

    private static Map<UUID, Integer> countOne(List<MonitorSpec> monitors) {
        return monitors.stream().collect(Collectors.toMap(MonitorSpec::id, m -> 1));
    }

    /** FIRST results per monitor on the check-results topic (at least once, uncommitted too). */
    private static Map<UUID, Integer> firstBaselines(PipelineFixture fx) {
        Map<UUID, Integer> out = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(TestKafka.consumerProperties(false))) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(fx.resultsTopic).stream()
                            .map(p -> new TopicPartition(fx.resultsTopic, p.partition()))
                            .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    CheckResult result = ModelCodec.decode(r.value(), CheckResult.class);
                    if (result.outcome() == CheckOutcome.FIRST) {
                        out.merge(result.monitorId(), 1, Integer::sum);
                    }
                }
            }
        }
        return out;
    }

    /** The job's flags: every platform option the fixture sets (Kafka, PostgreSQL, allow-list). */
    private static List<String> jobArgs(PipelineFixture fx) {
        return fx.config(Path.of("unused")).toMap().entrySet().stream()
                .filter(e -> e.getKey().startsWith("flinkwatch."))
                .map(e -> "--" + e.getKey() + "=" + e.getValue())
                .sorted()
                .toList();
    }

    /** The next release's jar: the shaded jar plus the upgraded main class. */
    private static Path nextRelease(Path target) throws IOException {
        Path classes = Path.of(Repo.required("flinkwatch.test-classes"));
        String pkg = UpgradedMonitorPipelineJob.class.getPackageName().replace('.', '/');
        try (JarFile base = new JarFile(Repo.jobJar().toFile());
                JarOutputStream out =
                        new JarOutputStream(Files.newOutputStream(target), base.getManifest())) {
            out.setLevel(Deflater.BEST_SPEED); // 114 MB to re-compress on a shared 2-core machine
            for (JarEntry e : (Iterable<JarEntry>) base.stream()::iterator) {
                if (e.getName().equals("META-INF/MANIFEST.MF")) {
                    continue;
                }
                out.putNextEntry(new JarEntry(e.getName()));
                try (InputStream in = base.getInputStream(e)) {
                    in.transferTo(out);
                }
                out.closeEntry();
            }
            try (Stream<Path> files = Files.list(classes.resolve(pkg))) {
                for (Path f :
                        files.filter(
                                        f ->
                                                f.getFileName()
                                                        .toString()
                                                        .startsWith(
                                                                UpgradedMonitorPipelineJob.class
                                                                        .getSimpleName()))
                                .toList()) {
                    out.putNextEntry(new JarEntry(pkg + "/" + f.getFileName()));
                    Files.copy(f, out);
                    out.closeEntry();
                }
            }
        }
        return target;
    }

    private static void awaitRunning(StandaloneCluster cluster, String job) throws Exception {
        try {
            await().atMost(STEP)
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> cluster.allTasksRunning(job));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(
                    "job "
                            + job
                            + " not running: "
                            + cluster.get("/jobs/" + job + "/exceptions").path("rootException"),
                    e);
        }
    }

    private static boolean restoredFromCheckpoint(StandaloneCluster cluster, String job)
            throws Exception {
        var restored = cluster.get("/jobs/" + job + "/checkpoints").path("latest").path("restored");
        return !restored.isMissingNode()
                && !restored.isNull()
                && !restored.path("is_savepoint").asBoolean(true);
    }

    private static List<String> vertexNames(StandaloneCluster cluster, String job)
            throws Exception {
        List<String> names = new ArrayList<>();
        cluster.get("/jobs/" + job)
                .path("vertices")
                .forEach(v -> names.add(v.path("name").asText()));
        return names;
    }

    private static int maxParallelism(StandaloneCluster cluster, String job) throws Exception {
        int max = 0;
        for (var v : cluster.get("/jobs/" + job).path("vertices")) {
            max = Math.max(max, v.path("parallelism").asInt());
        }
        return max;
    }

    /** The cluster logs with flink-conf's log4j.properties: one JSON object per line. */
    private static void assertJsonLines(Path log) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> lines = Files.readAllLines(log);
        assertThat(lines).hasSizeGreaterThan(10);
        Set<String> levels = new HashSet<>();
        for (String line : lines) {
            levels.add(json.readTree(line).path("log.level").asText());
        }
        assertThat(levels).contains("INFO");
    }

    private static void report(String phase, long startNanos) {
        System.out.printf("[cluster] %s: %.1f s%n", phase, (System.nanoTime() - startNanos) / 1e9);
    }
}
