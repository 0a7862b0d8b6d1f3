package dev.flinkwatch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkwatch.fetch.FetchOptions;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class PipelineSettingsTest {
    @Test
    void theSharedWindowIsAtMostHalfTheIntervalFloor() {
        Configuration conf = new Configuration();
        assertThat(PipelineSettings.fetchConfig(conf).sharedWindow())
                .isEqualTo(Duration.ofSeconds(30));

        conf.set(PipelineOptions.MIN_INTERVAL_SECONDS, 10);
        assertThat(PipelineSettings.fetchConfig(conf).sharedWindow())
                .isEqualTo(Duration.ofSeconds(5));
        assertThat(PipelineSettings.from(conf, Duration.ofSeconds(50)).fetch().sharedWindow())
                .isEqualTo(Duration.ofSeconds(5));

        conf.set(FetchOptions.SHARED_WINDOW, Duration.ofSeconds(2));
        assertThat(PipelineSettings.fetchConfig(conf).sharedWindow())
                .isEqualTo(Duration.ofSeconds(2));
    }
}
