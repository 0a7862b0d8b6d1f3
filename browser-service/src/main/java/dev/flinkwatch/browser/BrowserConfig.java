package dev.flinkwatch.browser;

import dev.flinkwatch.fetch.FetchConfig;
import dev.flinkwatch.model.net.AddressPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;

/**
 * The browser service's settings, read from {@link BrowserOptions} (meaning and defaults there).
 * Build it with {@link #from} or {@link #defaults}.
 */
public record BrowserConfig(
        String bindHost,
        int port,
        int maxConcurrent,
        int maxQueued,
        Duration defaultTimeout,
        Duration maxTimeout,
        Duration watchdogGrace,
        Path chromiumPath,
        List<String> chromiumArgs,
        int maxHtmlChars,
        int screenshotQuality,
        int screenshotMaxHeight,
        long screenshotMaxBytes,
        boolean screenshotImages,
        int viewportWidth,
        AddressPolicy addressPolicy,
        int maxRedirects,
        int dnsThreads,
        Duration dnsCacheTtl) {

    public BrowserConfig {
        chromiumArgs = List.copyOf(chromiumArgs);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535");
        }
        if (maxConcurrent < 1 || maxQueued < 0 || maxHtmlChars < 1 || viewportWidth < 1) {
            throw new IllegalArgumentException(
                    "max-concurrent, max-html-chars and viewport-width must be positive,"
                            + " max-queued not negative");
        }
        if (screenshotQuality < 1 || screenshotQuality > 100 || screenshotMaxHeight < 1) {
            throw new IllegalArgumentException(
                    "screenshot.quality must be 1..100, screenshot.max-height positive");
        }
        if (defaultTimeout.isNegative()
                || defaultTimeout.isZero()
                || maxTimeout.compareTo(defaultTimeout) < 0) {
            throw new IllegalArgumentException(
                    "default-timeout must be positive and at most max-timeout");
        }
    }

    /** All defaults: public addresses only, one slot per core. */
    public static BrowserConfig defaults() {
        return from(new Configuration());
    }

    public static BrowserConfig from(ReadableConfig conf) {
        // The fetcher's reading of its own options: one policy, one set of defaults.
        FetchConfig fetch = FetchConfig.from(conf);
        return new BrowserConfig(
                conf.get(BrowserOptions.BIND_HOST),
                conf.get(BrowserOptions.PORT),
                conf.get(BrowserOptions.MAX_CONCURRENT),
                conf.get(BrowserOptions.MAX_QUEUED),
                conf.get(BrowserOptions.DEFAULT_TIMEOUT),
                conf.get(BrowserOptions.MAX_TIMEOUT),
                conf.get(BrowserOptions.WATCHDOG_GRACE),
                Path.of(conf.get(BrowserOptions.CHROMIUM_PATH)),
                conf.get(BrowserOptions.CHROMIUM_ARGS),
                conf.get(BrowserOptions.MAX_HTML_CHARS),
                conf.get(BrowserOptions.SCREENSHOT_QUALITY),
                conf.get(BrowserOptions.SCREENSHOT_MAX_HEIGHT),
                conf.get(BrowserOptions.SCREENSHOT_MAX_SIZE).getBytes(),
                conf.get(BrowserOptions.SCREENSHOT_IMAGES),
                conf.get(BrowserOptions.VIEWPORT_WIDTH),
                fetch.addressPolicy(),
                fetch.maxRedirects(),
                fetch.dnsThreads(),
                fetch.dnsCacheTtl());
    }
}
