package dev.flinkwatch.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkwatch.flink.ConfigLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;

class BrowserServiceMainTest {
    @Test
    void helpListsEveryOptionWithItsVariable() {
        String help = BrowserServiceMain.usage();
        for (ConfigOption<?> option : BrowserOptions.all()) {
            assertThat(help).contains(ConfigLoader.envName(option)).contains("--" + option.key());
        }
    }

    @Test
    void settingsComeFromTheEnvironmentAndFlagsAndTheFetchersPolicy() {
        BrowserConfig config =
                BrowserConfig.from(
                        ConfigLoader.load(
                                BrowserOptions.all(),
                                Map.of(
                                        "FLINKWATCH_BROWSER_MAX_CONCURRENT", "3",
                                        "FLINKWATCH_FETCH_ALLOW_LIST", "10.1.0.0/16;intranet"),
                                new String[] {
                                    "--flinkwatch.browser.chromium-path=/opt/chromium",
                                    "--flinkwatch.browser.default-timeout=5s"
                                }));

        assertThat(config.maxConcurrent()).isEqualTo(3);
        assertThat(config.chromiumPath()).isEqualTo(Path.of("/opt/chromium"));
        assertThat(config.defaultTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.addressPolicy().allowList()).containsExactly("10.1.0.0/16", "intranet");
        assertThat(config.chromiumArgs()).contains("--no-sandbox");
    }

    @Test
    void badSettingsFailAtStart() {
        assertThatThrownBy(
                        () ->
                                ConfigLoader.load(
                                        BrowserOptions.all(),
                                        Map.of("FLINKWATCH_BROWSER_PORT", "eighty"),
                                        new String[0]))
                .hasMessageContaining("flinkwatch.browser.port");
        assertThatThrownBy(
                        () ->
                                BrowserConfig.from(
                                        ConfigLoader.load(
                                                BrowserOptions.all(),
                                                Map.of("FLINKWATCH_BROWSER_MAX_CONCURRENT", "0"),
                                                new String[0])))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(BrowserService.chromiumAvailable(Path.of("/nonexistent/chromium"))).isFalse();
        assertThat(List.of(ErrorCode.values()))
                .extracting(ErrorCode::httpStatus)
                .containsExactly(400, 422, 504, 502, 503, 502);
    }
}
