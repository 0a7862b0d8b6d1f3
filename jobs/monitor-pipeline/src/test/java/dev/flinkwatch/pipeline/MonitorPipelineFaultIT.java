package dev.flinkwatch.pipeline;

import static dev.flinkwatch.pipeline.TestSpecs.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flinkwatch.model.Alert;
import dev.flinkwatch.model.AlertKind;
import dev.flinkwatch.model.CheckResult;
import dev.flinkwatch.model.Condition;
import dev.flinkwatch.model.Hashing;
import dev.flinkwatch.model.MonitorSpec;
import dev.flinkwatch.testing.FlinkTestCluster;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
 * A task fails mid-run; the job restarts from its last checkpoint, re-fetches and replays. No alert
 * may be missing and none duplicated, in PostgreSQL or in Kafka (read_committed).
 */
class MonitorPipelineFaultIT {
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    /** The test-only fault switch: armed by the test, fires once inside a running task. */
    static final AtomicBoolean ARMED = new AtomicBoolean();

    static final AtomicInteger FIRED = new AtomicInteger();

    @TempDir Path checkpoints;

    @Test
    void aFailedTaskRestartsFromItsCheckpointWithoutLosingOrDuplicatingAlerts() throws Exception {
        try (PipelineFixture f = new PipelineFixture()) {
            f.site.page("/a", "<p>a1</p>");
            f.site.page("/b", "<p>Sold out</p>");
            MonitorSpec a = spec(UUID.randomUUID(), 1, 1, Condition.anyChange(), f.site.url("/a"));
            MonitorSpec b =
                    spec(
                            UUID.randomUUID(),
                            1,
                            1,
                            Condition.contains("In stock", false),
                            f.site.url("/b"));
            f.upsert(a);
            f.upsert(b);

            Configuration conf = f.config(checkpoints);
            // the production state backend: RocksDB with incremental checkpoints
            conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
            conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
            StreamExecutionEnvironment env = f.environment(conf);
            MonitorPipeline.Outputs outputs =
                    MonitorPipelineJob.wire(env, conf, PipelineFixture.noLlm());
            outputs.checkResults().sinkTo(new FaultSwitchSink()).name("fault switch");
            JobClient job = env.executeAsync("monitor-pipeline-fault");
            try {
                f.awaitBaselines(List.of(a.id(), b.id()));
                f.site.page("/a", "<p>a2</p>");
                f.site.page("/b", "<p>In stock</p>");
                Set<String> expected =
                        Set.of(alertId(a, f, "/a", "a2"), alertId(b, f, "/b", "In stock"));
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> f.alertsInDb().keySet().containsAll(expected));

                // fail a running task; the job restarts from its last completed checkpoint
                ARMED.set(true);
                await().atMost(Duration.ofSeconds(30)).until(() -> FIRED.get() == 1);

                f.site.page("/a", "<p>a3</p>");
                Set<String> all =
                        Set.of(
                                alertId(a, f, "/a", "a2"),
                                alertId(b, f, "/b", "In stock"),
                                alertId(a, f, "/a", "a3"));
                await().atMost(Duration.ofSeconds(90))
                        .until(() -> f.alertsInDb().keySet().containsAll(all));
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> ids(f.alertsInKafka()).containsAll(all));
                Thread.sleep(3_000);

                assertThat(f.alertsInDb()).containsOnlyKeys(all);
                List<Alert> committed = f.alertsInKafka();
                assertThat(committed)
                        .extracting(Alert::alertId)
                        .containsExactlyInAnyOrderElementsOf(all);
                assertThat(FIRED.get()).isEqualTo(1);
            } finally {
                job.cancel().get();
            }
        }
    }

    private static String alertId(MonitorSpec spec, PipelineFixture f, String path, String text) {
        return Alert.idFor(
                AlertKind.CONDITION_MET, spec.id(), f.site.url(path), Hashing.sha256Hex128(text));
    }

    private static Set<String> ids(List<Alert> alerts) {
        return alerts.stream().map(Alert::alertId).collect(Collectors.toSet());
    }

    /** A sink that throws once, inside a running task, when the test arms it. */
    static final class FaultSwitchSink implements Sink<CheckResult> {
        @Override
        public SinkWriter<CheckResult> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(CheckResult element, Context ctx) throws IOException {
                    if (ARMED.compareAndSet(true, false)) {
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
