package dev.flinkwatch.browser;

import dev.flinkwatch.flink.ConfigLoader;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import org.apache.flink.configuration.ConfigOption;

/**
 * Runs the browser service standalone: every option of {@link BrowserOptions#all()} by env ({@code
 * FLINKWATCH_BROWSER_PORT}, {@code FLINKWATCH_FETCH_ALLOW_LIST}, ...) or flag ({@code
 * --flinkwatch.browser.port=8090}); {@code --help} lists them. SIGTERM closes it cleanly.
 */
public final class BrowserServiceMain {
    private static final String LOG_CONFIG = "flinkwatch-browser-service-log4j2.properties";

    private BrowserServiceMain() {}

    public static void main(String[] args) throws InterruptedException {
        if (Arrays.asList(args).contains("--help")) {
            System.out.print(usage());
            return;
        }
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", LOG_CONFIG);
        }
        BrowserConfig config;
        try {
            config =
                    BrowserConfig.from(
                            ConfigLoader.load(BrowserOptions.all(), System.getenv(), args));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(usage());
            System.exit(2);
            return;
        }
        BrowserService service = BrowserService.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    try {
                                        service.close();
                                    } finally {
                                        stopped.countDown();
                                    }
                                },
                                "browser-service-shutdown"));
        stopped.await();
    }

    static String usage() {
        StringBuilder out =
                new StringBuilder("flinkwatch browser service; options (env / flag):\n");
        for (ConfigOption<?> option : BrowserOptions.all()) {
            out.append("  ")
                    .append(ConfigLoader.envName(option))
                    .append(" / --")
                    .append(option.key())
                    .append(" (default ")
                    .append(option.hasDefaultValue() ? option.defaultValue() : "none")
                    .append(")\n");
        }
        return out.toString();
    }
}
