package dev.flinkwatch.pipeline;

import static dev.flinkwatch.pipeline.TestSpecs.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flinkwatch.llm.LlmConfig;
import dev.flinkwatch.model.Alert;
import dev.flinkwatch.model.AlertKind;
import dev.flinkwatch.model.Condition;
import dev.flinkwatch.model.MonitorSpec;
import dev.flinkwatch.pipeline.alert.AlertDecider;
import dev.flinkwatch.testing.FlinkTestCluster;
import dev.flinkwatch.testing.OpenAiStub;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task fails right after an alert was raised and before the checkpoint that would commit it; in
 * between the page changes (and the LLM changes its mind). The job restarts from its last
 * checkpoint, re-fetches, re-asks and replays. Afterwards PostgreSQL and Kafka (read_committed)
 * hold the same alerts: every committed episode, none twice, and nothing from the aborted attempt.
 */
class MonitorPipelineFaultIT {
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    /** The test-only fault switch: fires once, inside the running job, on the alert it matches. */
    static final AtomicReference<Predicate<Alert>> TRIGGER = new AtomicReference<>();

    static final AtomicReference<Runnable> ON_FIRE = new AtomicReference<>(() -> {});
    static final AtomicInteger FIRED = new AtomicInteger();

    @TempDir Path checkpoints;

    @Test
    void alertStoresAgreeAfterCrashesWhereThePageAndTheLlmChangedBeforeTheReplay()
            throws Exception {
        try (PipelineFixture f = new PipelineFixture();
                OpenAiStub stub = OpenAiStub.start()) {
            AtomicBoolean llmSaysDeal = new AtomicBoolean(true);
            stub.answerWith(
                    request -> {
                        boolean deal =
                                llmSaysDeal.get()
                                        && OpenAiStub.messagesText(request).contains("+ Deal");
                        return OpenAiStub.verdict(deal, deal ? "a deal" : "no deal", null);
                    });
            f.site.page("/a", "<p>a1</p>");
            f.site.page("/b", "<p>Sold out</p>");
            f.site.page("/c", "<p>No deal</p>");
            MonitorSpec a = spec(UUID.randomUUID(), 1, 1, Condition.anyChange(), f.site.url("/a"));
            MonitorSpec b =
                    spec(
                            UUID.randomUUID(),
                            1,
                            1,
                            Condition.contains("In stock", false),
                            f.site.url("/b"));
            MonitorSpec c =
                    spec(
                            UUID.randomUUID(),
                            1,
                            1,
                            Condition.llm("alert me when there is a deal"),
                            f.site.url("/c"));
            for (MonitorSpec s : List.of(a, b, c)) {
                f.upsert(s);
            }

            Configuration conf = f.config(checkpoints);
            // the production state backend: RocksDB with incremental checkpoints
            conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
            conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
            LlmConfig llm =
                    LlmConfig.fromEnv(
                            Map.of(
                                    "OPENAI_BASE_URL", stub.baseUrl(),
                                    "OPENAI_API_KEY", "test-key",
                                    "MONITOR_LLM_MODEL", "stub-model"));
            StreamExecutionEnvironment env = f.environment(conf);
            MonitorPipeline.Outputs outputs = MonitorPipelineJob.wire(env, conf, llm);
            outputs.alerts().sinkTo(new FaultSwitchSink()).name("fault switch");
            JobClient job = env.executeAsync("monitor-pipeline-fault");
            try {
                f.awaitBaselines(List.of(a.id(), b.id(), c.id()));
                f.site.page("/a", "<p>a2</p>");
                f.site.page("/b", "<p>In stock</p>");
                f.site.page("/c", "<p>Deal 1</p>");
                Set<String> committed =
                        Set.of(
                                episode(a, f, "/a", 1),
                                episode(b, f, "/b", 1),
                                episode(c, f, "/c", 1));
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> f.alertsInDb().keySet().containsAll(committed));

                // 1. a3 is raised; before its checkpoint the page moves on to a4 and a task fails
                TRIGGER.set(
                        alert ->
                                alert.monitorId().equals(a.id())
                                        && alert.diff() != null
                                        && alert.diff().contains("a3"));
                ON_FIRE.set(() -> f.site.page("/a", "<p>a4</p>"));
                f.site.page("/a", "<p>a3</p>");
                await().atMost(Duration.ofSeconds(60)).until(() -> FIRED.get() == 1);
                String a2 = episode(a, f, "/a", 2);
                await().atMost(Duration.ofSeconds(90)).until(() -> f.alertsInDb().containsKey(a2));
                assertThat(diffInDb(f, a2)).contains("+ a4").doesNotContain("a3");

                // 2. the LLM says "deal" for Deal 2; before its checkpoint it changes its mind
                f.site.page("/c", "<p>No deal again</p>");
                int asked = stub.requests().size();
                await().atMost(Duration.ofSeconds(30)).until(() -> stub.requests().size() > asked);
                TRIGGER.set(alert -> alert.monitorId().equals(c.id()));
                ON_FIRE.set(() -> llmSaysDeal.set(false));
                f.site.page("/c", "<p>Deal 2</p>");
                await().atMost(Duration.ofSeconds(60)).until(() -> FIRED.get() == 2);
                int askedAfterFlip = stub.requests().size();
                // the replay re-asks the LLM about Deal 2 and gets "no deal"
                await().atMost(Duration.ofSeconds(90))
                        .until(() -> stub.requests().size() > askedAfterFlip);

                // a later episode of a marks a checkpoint after the replayed verdict was decided
                f.site.page("/a", "<p>a5</p>");
                String a3 = episode(a, f, "/a", 3);
                await().atMost(Duration.ofSeconds(60)).until(() -> f.alertsInDb().containsKey(a3));
                Set<String> all = union(committed, Set.of(a2, a3));
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> ids(f.alertsInKafka()).containsAll(Set.of(a2, a3)));

                List<Alert> inKafka = f.alertsInKafka();
                assertThat(inKafka).extracting(Alert::alertId).doesNotHaveDuplicates();
                assertThat(f.alertsInDb().keySet()).isEqualTo(ids(inKafka));
                assertThat(ids(inKafka)).containsExactlyInAnyOrderElementsOf(all);
                assertThat(inKafka)
                        .filteredOn(alert -> alert.monitorId().equals(a.id()))
                        .extracting(Alert::diff)
                        .noneMatch(diff -> diff.contains("a3"));
                assertThat(inKafka)
                        .filteredOn(alert -> alert.monitorId().equals(c.id()))
                        .extracting(Alert::kind)
                        .containsExactly(AlertKind.CONDITION_MET);
                assertThat(FIRED.get()).isEqualTo(2);
            } finally {
                job.cancel().get();
            }
        }
    }

    private static String episode(MonitorSpec spec, PipelineFixture f, String path, int n) {
        return Alert.idFor(
                AlertKind.CONDITION_MET,
                spec.id(),
                f.site.url(path),
                AlertDecider.conditionEpisode(0, n));
    }

    private static Set<String> union(Set<String> x, Set<String> y) {
        return java.util.stream.Stream.concat(x.stream(), y.stream()).collect(Collectors.toSet());
    }

    private static Set<String> ids(List<Alert> alerts) {
        return alerts.stream().map(Alert::alertId).collect(Collectors.toSet());
    }

    private static String diffInDb(PipelineFixture f, String alertKey) throws Exception {
        try (Connection conn = f.db.dataSource().getConnection();
                PreparedStatement ps =
                        conn.prepareStatement("SELECT diff FROM alerts WHERE alert_key = ?")) {
            ps.setString(1, alertKey);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    /** Throws once, inside a running task, on the alert the armed trigger matches. */
    static final class FaultSwitchSink implements Sink<Alert> {
        @Override
        public SinkWriter<Alert> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(Alert alert, Context ctx) throws IOException {
                    Predicate<Alert> trigger = TRIGGER.get();
                    if (trigger != null
                            && trigger.test(alert)
                            && TRIGGER.compareAndSet(trigger, null)) {
                        ON_FIRE.get().run();
                        FIRED.incrementAndGet();
                        throw new IOException("injected task failure (test fault switch)");
                    }
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
