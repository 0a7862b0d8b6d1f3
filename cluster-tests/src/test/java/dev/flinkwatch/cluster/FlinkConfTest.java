package dev.flinkwatch.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkwatch.pipeline.PipelineOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** flink-conf/config.yaml, read by Flink's own YAML loader, holds only keys Flink 2.2 knows. */
class FlinkConfTest {
    /**
     * The Prometheus reporter's keys: its plugin reads them, Flink's classpath does not know them.
     */
    static final String PROMETHEUS = "metrics.reporter.prom.";

    @Test
    void everyKeyIsAFlinkOption() {
        Configuration conf = GlobalConfiguration.loadConfiguration(Repo.flinkConf().toString());
        assertThat(conf.keySet()).hasSizeGreaterThan(20);
        assertThat(FlinkOptionKeys.unknown(conf.keySet(), List.of(PROMETHEUS))).isEmpty();
    }

    @Test
    void metricsAreServedToPrometheus() {
        Configuration conf = GlobalConfiguration.loadConfiguration(Repo.flinkConf().toString());
        assertThat(conf.toMap())
                .containsEntry(
                        PROMETHEUS + "factory.class",
                        "org.apache.flink.metrics.prometheus.PrometheusReporterFactory")
                .containsEntry(PROMETHEUS + "port", "9249");
    }

    @Test
    void productionSettings() {
        Configuration conf = GlobalConfiguration.loadConfiguration(Repo.flinkConf().toString());
        assertThat(conf.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
        assertThat(conf.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS)).isTrue();
        assertThat(conf.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).startsWith("file:///");
        assertThat(conf.get(CheckpointingOptions.SAVEPOINT_DIRECTORY)).startsWith("file:///");
        assertThat(conf.get(CheckpointingOptions.CHECKPOINTING_INTERVAL))
                .isEqualTo(Duration.ofSeconds(30));
        assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY))
                .isEqualTo("exponential-delay");
        assertThat(conf.get(org.apache.flink.configuration.PipelineOptions.MAX_PARALLELISM))
                .isEqualTo(4096);
        assertThat(conf.get(org.apache.flink.configuration.PipelineOptions.GENERIC_TYPES))
                .isFalse();
        assertThat(conf.get(TaskManagerOptions.TOTAL_PROCESS_MEMORY))
                .isEqualTo(MemorySize.parse("4096m"));
        // platform options are the job's, set by env or flags at submission, not cluster-wide
        assertThat(conf.keySet()).noneMatch(k -> k.startsWith("flinkwatch."));
        assertThat(conf.containsKey(PipelineOptions.JDBC_PASSWORD.key())).isFalse();
    }

    @Test
    void aMistypedKeyIsReported(@TempDir Path dir) throws Exception {
        Files.writeString(
                dir.resolve(GlobalConfiguration.FLINK_CONF_FILENAME),
                "state:\n  backend:\n    type: rocksdb\nexecution:\n  checkpointing:\n"
                        + "    intervall: 30 s\n");
        Configuration conf = GlobalConfiguration.loadConfiguration(dir.toString());
        assertThat(FlinkOptionKeys.unknown(conf.keySet(), List.of()))
                .containsExactly("execution.checkpointing.intervall");
    }
}
