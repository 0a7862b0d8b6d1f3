package dev.flinkwatch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkwatch.fetch.FetchOptions;
import dev.flinkwatch.flink.ConfigLoader;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** The job's options load from env and flags, flags win, and bad values fail at start. */
class MonitorPipelineJobTest {

    @Test
    void optionsComeFromEnvAndFlags() {
        Configuration conf =
                ConfigLoader.load(
                        MonitorPipelineJob.options(),
                        Map.of(
                                "FLINKWATCH_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092",
                                "FLINKWATCH_SCHEDULE_MIN_INTERVAL_SECONDS", "30",
                                "FLINKWATCH_FETCH_MAX_REDIRECTS", "3"),
                        new String[] {
                            "--flinkwatch.schedule.min-interval-seconds=10",
                            "--flinkwatch.fetch.deadline",
                            "20 s"
                        });
        assertThat(conf.get(PipelineOptions.KAFKA_BOOTSTRAP_SERVERS)).isEqualTo("kafka:9092");
        assertThat(conf.get(PipelineOptions.MIN_INTERVAL_SECONDS)).isEqualTo(10);
        assertThat(conf.get(FetchOptions.MAX_REDIRECTS)).isEqualTo(3);
        assertThat(conf.get(FetchOptions.DEADLINE)).isEqualTo(Duration.ofSeconds(20));
        assertThat(conf.get(PipelineOptions.TOPIC_ALERTS)).isEqualTo("alerts");
    }

    @Test
    void aBadValueFailsAtStartNamingTheOption() {
        assertThatThrownBy(
                        () ->
                                ConfigLoader.load(
                                        MonitorPipelineJob.options(),
                                        Map.of("FLINKWATCH_ALERT_FAILURE_THRESHOLD", "three"),
                                        new String[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("flinkwatch.alert.failure-threshold");
    }
}
