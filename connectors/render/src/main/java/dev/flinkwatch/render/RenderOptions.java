package dev.flinkwatch.render;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.MemorySize;

/**
 * Settings of the pipeline's browser renderer, the client of the browser service. Read them into a
 * {@link RenderConfig} with {@link RenderConfig#from}.
 */
public final class RenderOptions {
    private RenderOptions() {}

    private static final String PREFIX = "flinkwatch.render.";

    public static final ConfigOption<String> SERVICE_URL =
            key(PREFIX + "service-url")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Base URL of the browser service (e.g. http://browser-service:8090)."
                                    + " Unset: sources with render=browser are checked as"
                                    + " RENDER_UNAVAILABLE (browser rendering not available),"
                                    + " everything else works as usual.");

    public static final ConfigOption<Duration> TIMEOUT =
            key(PREFIX + "timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "Time limit of one render, sent to the service (its hard timeout); the"
                                    + " call itself and the async operator allow a few seconds"
                                    + " more, so the service's own timeout answer wins.");

    public static final ConfigOption<Integer> CAPACITY =
            key(PREFIX + "capacity")
                    .intType()
                    .defaultValue(32)
                    .withDescription(
                            "Renders in flight per subtask (the async operator's capacity), apart"
                                    + " from the plain fetch's: slow renders never take fetch"
                                    + " slots.");

    public static final ConfigOption<String> WAIT_FOR =
            key(PREFIX + "wait-for")
                    .stringType()
                    .defaultValue("networkidle")
                    .withDescription(
                            "When a page counts as rendered: 'load' (the load event) or"
                                    + " 'networkidle' (no network activity for 500 ms, so data"
                                    + " that scripts fetch after loading is there).");

    public static final ConfigOption<MemorySize> MAX_SCREENSHOT_SIZE =
            key(PREFIX + "max-screenshot-size")
                    .memoryType()
                    .defaultValue(MemorySize.parse("512kb"))
                    .withDescription(
                            "Largest screenshot kept with a change (sources with screenshot=true);"
                                    + " a larger one is left out and the check says so.");

    public static List<ConfigOption<?>> all() {
        return List.of(SERVICE_URL, TIMEOUT, CAPACITY, WAIT_FOR, MAX_SCREENSHOT_SIZE);
    }
}
