package dev.flinkwatch.pipeline.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.flinkwatch.fetch.FetchStatus;
import dev.flinkwatch.model.CheckOutcome;
import dev.flinkwatch.model.CheckResult;
import dev.flinkwatch.model.Hashing;
import dev.flinkwatch.model.ModelCodec;
import dev.flinkwatch.model.MonitorEvent;
import dev.flinkwatch.model.MonitorSpec;
import dev.flinkwatch.pipeline.MonitorPipelineJob;
import dev.flinkwatch.pipeline.PipelineFixture;
import dev.flinkwatch.pipeline.PipelineOptions;
import dev.flinkwatch.pipeline.alert.DecisionState;
import dev.flinkwatch.pipeline.change.SourceState;
import dev.flinkwatch.testing.FlinkTestCluster;
import dev.flinkwatch.testing.LocalSite;
import dev.flinkwatch.testing.TestKafka;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The savepoint of release 0.1 ({@link ReleaseSavepointGenerator}) read with the current state
 * classes, and restored into the current job: no baseline, failure streak, schedule or alert
 * decision may be lost, and no restored source may start over with a FIRST result.
 */
class ReleaseSavepointCompatIT {
    private static final Logger LOG = LoggerFactory.getLogger(ReleaseSavepointCompatIT.class);
    private static final String RELEASE = "savepoints/release-0.1";

    /** Flink's default for the release's parallelism 2; upgrades of 0.1 jobs must set it. */
    private static final int RELEASE_MAX_PARALLELISM = 128;

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    @TempDir Path tmp;

    @Test
    void theCurrentStateClassesReadTheReleaseState() throws Exception {
        ReleaseManifest manifest = ReleaseManifest.load(release());
        SavepointState state = SavepointState.read(release().toUri().toString());
        assertReleaseState(manifest, state);
        assertThat(SavepointState.maxParallelism(release().toUri().toString()))
                .isEqualTo(RELEASE_MAX_PARALLELISM);
    }

    @Test
    void theCurrentJobRestoresTheReleaseSavepointAndKeepsEveryBaseline() throws Exception {
        ReleaseManifest manifest = ReleaseManifest.load(release());
        Map<String, ReleaseManifest.Monitor> monitors = manifest.monitors();
        Map<String, ReleaseManifest.Page> pages = manifest.pages();
        SavepointState before = SavepointState.read(release().toUri().toString());
        HttpServer site = recordedSite(manifest);
        try (PipelineFixture f = new PipelineFixture()) {
            // the restored Kafka source and sink state name these topics and ids
            TestKafka.createTopic(manifest.get("topic.monitors"), 2, true);
            TestKafka.createTopic(manifest.get("topic.alerts"), 2, false);
            TestKafka.createTopic(manifest.get("topic.check-results"), 2, false);
            try (KafkaProducer<byte[], byte[]> producer =
                    new KafkaProducer<>(TestKafka.producerProperties())) {
                for (ReleaseManifest.Monitor m : monitors.values()) {
                    // the monitors row (the fixture also publishes to its own topic, unused here)
                    f.upsert(m.spec());
                    // the compacted topic of the new cluster holds every monitor again; the
                    // restored scheduler ignores them (versions it has), which is the point
                    producer.send(
                                    new ProducerRecord<>(
                                            manifest.get("topic.monitors"),
                                            m.spec()
                                                    .id()
                                                    .toString()
                                                    .getBytes(StandardCharsets.UTF_8),
                                            ModelCodec.encode(MonitorEvent.upsert(m.spec()))))
                            .get();
                }
            }
            Path checkpoints = tmp.resolve("checkpoints");
            Configuration conf = f.config(checkpoints);
            conf.set(PipelineOptions.TOPIC_MONITORS, manifest.get("topic.monitors"));
            conf.set(PipelineOptions.TOPIC_ALERTS, manifest.get("topic.alerts"));
            conf.set(PipelineOptions.TOPIC_CHECK_RESULTS, manifest.get("topic.check-results"));
            conf.set(PipelineOptions.KAFKA_GROUP_ID, manifest.get("kafka.group-id"));
            conf.set(
                    PipelineOptions.TRANSACTIONAL_ID_PREFIX,
                    manifest.get("kafka.transactional-id-prefix"));
            // key groups are frozen into a savepoint: the new version runs with the release's
            // (Flink's default 128 in 0.1, which never set it) or the restore is refused
            conf.set(
                    PipelineOptions.MAX_PARALLELISM,
                    SavepointState.maxParallelism(release().toUri().toString()));
            StreamExecutionEnvironment env = f.environment(conf);
            MonitorPipelineJob.wire(env, conf, PipelineFixture.noLlm())
                    .checkResults()
                    .sinkTo(Recorded.sink())
                    .name("recorder");
            StreamGraph graph = env.getStreamGraph();
            graph.setJobName("release-savepoint-restore");
            // every stateful operator of the release must still exist under its uid (state the
            // new job silently drops would be a lost baseline), except the committers of the
            // release's at-least-once JDBC sinks, which never held a committable
            assertThat(SavepointState.operatorsMissingFrom(release().toUri().toString(), graph))
                    .containsExactlyInAnyOrderElementsOf(SavepointState.JDBC_COMMITTERS);
            graph.setSavepointRestoreSettings(
                    SavepointRestoreSettings.forPath(release().toUri().toString(), true));
            Recorded.RESULTS.clear();
            long restoredAt = System.currentTimeMillis();
            JobClient job = env.executeAsync(graph);
            String after;
            try {
                await().atMost(Duration.ofSeconds(120))
                        .until(
                                () ->
                                        job.getJobStatus().get() == JobStatus.RUNNING
                                                || job.getJobStatus().get().isTerminalState());
                if (job.getJobStatus().get() != JobStatus.RUNNING) {
                    // a restore that fails (serializer, uid, max parallelism) ends the job: show
                    // why
                    job.getJobExecutionResult().get();
                }
                await().atMost(Duration.ofSeconds(120))
                        .until(() -> Recorded.latestCheckpoint(checkpoints).isPresent());
                for (ReleaseManifest.Monitor m : monitors.values()) {
                    if (!m.spec().active()) {
                        continue;
                    }
                    for (String path : m.paths()) {
                        await().atMost(Duration.ofSeconds(120))
                                .until(
                                        () ->
                                                Recorded.results(manifest.url(path)).stream()
                                                        .anyMatch(r -> !declined(r)));
                    }
                }
                // results of a checkpoint that completed after them: their alerts are flushed
                long seen = Recorded.latestCheckpoint(checkpoints).orElseThrow();
                await().atMost(Duration.ofSeconds(120))
                        .until(() -> Recorded.latestCheckpoint(checkpoints).orElse(0) > seen);
                List<CheckResult> results = List.copyOf(Recorded.RESULTS);
                LOG.info(
                        "event=release_restored release={} recordedSite={} outcomes={}",
                        manifest.get("release"),
                        site != null,
                        results.stream()
                                .collect(
                                        java.util.stream.Collectors.groupingBy(
                                                CheckResult::outcome,
                                                java.util.stream.Collectors.counting())));
                assertThat(results)
                        .as("a restored source never starts over")
                        .noneMatch(r -> r.outcome() == CheckOutcome.FIRST);
                for (String path : monitors.get("paused").paths()) {
                    assertThat(Recorded.results(manifest.url(path))).as("paused").isEmpty();
                }
                if (site != null) {
                    for (CheckResult r : results) {
                        if (declined(r)) {
                            // the fetch stage's own capacity guard (the restore's burst of due
                            // checks on one host): says nothing about the page, touches no state
                            continue;
                        }
                        String path = r.sourceUrl().substring(manifest.url("").length());
                        CheckOutcome expected =
                                pages.get(path).status() == 200
                                        ? CheckOutcome.UNCHANGED
                                        : CheckOutcome.ERROR;
                        assertThat(r.outcome())
                                .as("%s: %s %s", path, r.errorCode(), r.errorMessage())
                                .isEqualTo(expected);
                    }
                    // met conditions stay met, the failing source stays failing: nothing to say
                    assertThat(f.alertsInDb()).as("alerts after the restore").isEmpty();
                }
                after =
                        job.stopWithSavepoint(
                                        false,
                                        tmp.resolve("savepoint").toUri().toString(),
                                        SavepointFormatType.CANONICAL)
                                .get();
                job.getJobExecutionResult().get();
            } finally {
                if (!job.getJobStatus().get().isGloballyTerminalState()) {
                    job.cancel().get();
                }
            }

            SavepointState next = SavepointState.read(after);
            assertThat(SavepointState.maxParallelism(after)).isEqualTo(RELEASE_MAX_PARALLELISM);
            for (ReleaseManifest.Monitor m : monitors.values()) {
                SavepointState.Schedule schedule = next.schedules.get(m.spec().id());
                assertThat(schedule.spec().version()).isEqualTo(m.spec().version());
                if (m.spec().active()) {
                    assertThat(schedule.nextDue()).as(m.name()).isGreaterThan(restoredAt);
                    assertThat(schedule.timers()).as(m.name()).contains(schedule.nextDue());
                } else {
                    assertThat(schedule.nextDue()).as(m.name()).isNull();
                    assertThat(schedule.timers()).as(m.name()).isEmpty();
                }
                for (String path : m.paths()) {
                    String url = manifest.url(path);
                    SourceState was = before.sources.get(url).state();
                    SourceState now = next.sources.get(url).state();
                    // whatever holds the port when it is taken may serve other pages: a change it
                    // caused is a new baseline, not a lost one
                    boolean changed =
                            Recorded.results(url).stream()
                                    .anyMatch(r -> r.outcome() == CheckOutcome.CHANGED);
                    if (!changed) {
                        assertThat(now.contentHash()).as(path).isEqualTo(was.contentHash());
                        assertThat(now.text()).as(path).isEqualTo(was.text());
                    }
                    // checked after the restore (not the paused one): ordering by due time
                    // starts; an unchanged page keeps the release's content version
                    if (m.spec().active()) {
                        assertThat(now.lastFetchStartedAt()).as(path).isNotNull();
                        // and moved to the split layout (hot state + text copy) on that check
                        assertThat(next.sources.get(url).split()).as(path).isTrue();
                    } else {
                        assertThat(now.lastFetchStartedAt()).as(path).isNull();
                    }
                    if (site != null) {
                        assertThat(now.contentVersion()).as(path).isEqualTo(was.contentVersion());
                    }
                    if (site != null) {
                        // without the recorded site every source fails and may start failing
                        assertThat(next.decisions.get(url).state().failing())
                                .as(path)
                                .isEqualTo(before.decisions.get(url).state().failing());
                    }
                    if (pages.get(path).status() != 200) {
                        assertThat(now.consecutiveFailures())
                                .as(path)
                                .isGreaterThan(was.consecutiveFailures());
                    }
                }
            }
        } finally {
            if (site != null) {
                site.stop(0);
            }
        }
    }

    /** What the generator left in the state, read through the current classes. */
    private static void assertReleaseState(ReleaseManifest manifest, SavepointState state) {
        Map<String, ReleaseManifest.Page> pages = manifest.pages();
        Map<String, ReleaseManifest.Monitor> monitors = manifest.monitors();
        assertThat(state.schedules).hasSize(monitors.size());
        for (ReleaseManifest.Monitor m : monitors.values()) {
            MonitorSpec spec = m.spec();
            SavepointState.Schedule schedule = state.schedules.get(spec.id());
            assertThat(schedule.spec()).as(m.name()).isEqualTo(spec);
            // state 0.1 did not have: a deferred overdue check
            assertThat(schedule.deferredFrom()).as(m.name()).isNull();
            if (spec.active()) {
                assertThat(schedule.nextDue()).as(m.name()).isNotNull();
                assertThat(schedule.timers()).as(m.name()).containsExactly(schedule.nextDue());
            } else {
                assertThat(schedule.nextDue()).as(m.name()).isNull();
                assertThat(schedule.timers()).as(m.name()).isEmpty();
            }
            for (String path : m.paths()) {
                String url = manifest.url(path);
                ReleaseManifest.Page page = pages.get(path);
                SavepointState.Source source = state.sources.get(url);
                assertThat(source).as(path).isNotNull();
                assertThat(source.monitorId()).isEqualTo(spec.id());
                assertThat(source.spec()).as(path).isEqualTo(spec);
                SourceState s = source.state();
                SavepointState.Decision decision = state.decisions.get(url);
                DecisionState d = decision.state();
                // fields and states 0.1 did not have migrate to their defaults: content version 0
                // is the release's baseline (a new content gets 1), no check ordering known yet,
                // no alert episodes counted (generation 0), nothing deferred by a cool-down, no
                // result
                // waiting for its spec
                assertThat(s.contentVersion()).as(path).isZero();
                assertThat(s.lastFetchStartedAt()).as(path).isNull();
                assertThat(d.episodes()).as(path).isZero();
                assertThat(d.failureEpisodes()).as(path).isZero();
                assertThat(d.seenVersion()).as(path).isZero();
                assertThat(d.decidedVersion()).as(path).isZero();
                assertThat(d.generation()).as(path).isZero();
                assertThat(decision.generation()).as(path).isNull();
                assertThat(source.split()).as(path).isFalse();
                assertThat(source.earlyResults()).as(path).isZero();
                assertThat(source.earlyExpiry()).as(path).isNull();
                assertThat(decision.releaseAt()).as(path).isNull();
                assertThat(decision.deferred()).as(path).isZero();
                if (page.status() == 200) {
                    assertThat(s.contentHash()).as(path).isEqualTo(page.contentHash());
                    assertThat(s.contentHash()).isEqualTo(Hashing.sha256Hex128(page.text()));
                    assertThat(s.text()).as(path).isEqualTo(page.text());
                    assertThat(s.rawHash()).as(path).isNotNull();
                    assertThat(s.lastOutcome()).as(path).isNotEqualTo(CheckOutcome.ERROR);
                    assertThat(s.consecutiveFailures()).as(path).isZero();
                    assertThat(s.lastChangeAt()).as(path).isNotNull();
                    assertThat(d.failing()).as(path).isFalse();
                } else {
                    assertThat(s.lastOutcome()).as(path).isEqualTo(CheckOutcome.ERROR);
                    assertThat(s.contentHash()).as(path).isNull();
                    assertThat(s.lastErrorCode()).as(path).isNotNull();
                    assertThat(s.consecutiveFailures()).as(path).isGreaterThanOrEqualTo(3);
                    assertThat(d.failing()).as(path).isTrue();
                }
                List<String> met = manifest.alertIds("CONDITION_MET", m.name());
                if (!met.isEmpty()) {
                    assertThat(d.conditionMet()).as(path).isTrue();
                    assertThat(decision.lastConditionAlertAt()).as(path).isNotNull();
                }
            }
        }
    }

    private static Path release() throws Exception {
        return Paths.get(
                ReleaseSavepointCompatIT.class.getClassLoader().getResource(RELEASE).toURI());
    }

    /**
     * The release's pages on the port its URLs name, if that port is free now. It usually is (it
     * was an ephemeral port on another machine), and then the test also checks that unchanged pages
     * are UNCHANGED; if another process holds it the restored sources fail to connect and the test
     * checks state only. {@link LocalSite} binds ephemeral ports only.
     */
    private static HttpServer recordedSite(ReleaseManifest manifest) throws IOException {
        Map<String, ReleaseManifest.Page> pages = manifest.pages();
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", manifest.port()), 64);
        } catch (BindException e) {
            LOG.warn("event=recorded_port_taken port={}: checking state only", manifest.port());
            return null;
        }
        server.createContext(
                "/",
                exchange -> {
                    ReleaseManifest.Page page = pages.get(exchange.getRequestURI().getPath());
                    if (page == null) {
                        LocalSite.send(exchange, 404, new byte[0]);
                        return;
                    }
                    exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                    LocalSite.send(
                            exchange, page.status(), page.body().getBytes(StandardCharsets.UTF_8));
                });
        server.start();
        return server;
    }

    /** A check the fetch stage declined for its own capacity (recorded as an ERROR). */
    private static boolean declined(CheckResult r) {
        return r.errorCode() != null
                && java.util.Arrays.stream(FetchStatus.values())
                        .anyMatch(s -> s.declined() && s.name().equals(r.errorCode()));
    }
}
