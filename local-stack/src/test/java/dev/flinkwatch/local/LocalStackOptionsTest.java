package dev.flinkwatch.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkwatch.fetch.FetchOptions;
import dev.flinkwatch.flink.ConfigLoader;
import dev.flinkwatch.pipeline.PipelineOptions;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** The local stack accepts every pipeline and fetch option under its cluster name. */
class LocalStackOptionsTest {

    @Test
    void everyPipelineAndFetchOptionIsAnOptionOfTheLocalStack() {
        assertThat(LocalStack.options())
                .containsAll(PipelineOptions.all())
                .containsAll(FetchOptions.all())
                .containsAll(LocalStackOptions.all());
        String help = LocalStackMain.help();
        for (ConfigOption<?> option : LocalStack.options()) {
            assertThat(help).contains(ConfigLoader.envName(option)).contains("--" + option.key());
        }
    }

    @Test
    void fetchAndPipelineOptionsComeFromTheEnvironmentAndFlags() {
        Configuration conf =
                ConfigLoader.load(
                        LocalStack.options(),
                        Map.of(
                                "FLINKWATCH_FETCH_POLITENESS_MAX_CONCURRENT_PER_HOST", "16",
                                "MONITOR_API_PORT", "9090"),
                        new String[] {"--flinkwatch.schedule.catch-up-window=2min"});
        assertThat(conf.get(FetchOptions.MAX_CONCURRENT_PER_HOST)).isEqualTo(16);
        assertThat(conf.get(LocalStackOptions.API_PORT)).isEqualTo(9090);
        assertThat(conf.get(PipelineOptions.CATCH_UP_WINDOW)).hasMinutes(2);
    }

    @Test
    void aMalformedValueNamesTheOption() {
        assertThatThrownBy(
                        () ->
                                ConfigLoader.load(
                                        LocalStack.options(),
                                        Map.of(
                                                "FLINKWATCH_FETCH_POLITENESS_MAX_CONCURRENT_PER_HOST",
                                                "many"),
                                        new String[0]))
                .hasMessageContaining("flinkwatch.fetch.politeness.max-concurrent-per-host");
    }
}
