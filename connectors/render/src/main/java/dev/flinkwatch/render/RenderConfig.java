package dev.flinkwatch.render;

import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import org.apache.flink.configuration.ReadableConfig;

/**
 * The browser renderer's settings, checked.
 *
 * @param serviceUrl the browser service's base URL, null when none is configured
 * @param timeout one render's time limit
 * @param capacity renders in flight per subtask
 * @param waitFor "load" or "networkidle"
 * @param maxScreenshotBytes largest screenshot kept
 */
public record RenderConfig(
        URI serviceUrl, Duration timeout, int capacity, String waitFor, long maxScreenshotBytes)
        implements Serializable {
    private static final Set<String> WAITS = Set.of("load", "networkidle");

    /** Time the call and the async operator allow beyond the render's own limit. */
    static final Duration MARGIN = Duration.ofSeconds(5);

    public RenderConfig {
        if (serviceUrl != null) {
            String scheme = serviceUrl.getScheme();
            if (!("http".equals(scheme) || "https".equals(scheme))
                    || serviceUrl.getHost() == null) {
                throw new IllegalArgumentException(
                        RenderOptions.SERVICE_URL.key() + " must be an http(s) URL: " + serviceUrl);
            }
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(RenderOptions.TIMEOUT.key() + " must be positive");
        }
        if (capacity < 1) {
            throw new IllegalArgumentException(
                    RenderOptions.CAPACITY.key() + " must be at least 1");
        }
        if (maxScreenshotBytes < 1) {
            throw new IllegalArgumentException(
                    RenderOptions.MAX_SCREENSHOT_SIZE.key() + " must be positive");
        }
        waitFor = waitFor.toLowerCase(Locale.ROOT);
        if (!WAITS.contains(waitFor)) {
            throw new IllegalArgumentException(
                    RenderOptions.WAIT_FOR.key() + " must be one of " + WAITS + ": " + waitFor);
        }
    }

    public static RenderConfig from(ReadableConfig conf) {
        String url = conf.get(RenderOptions.SERVICE_URL);
        return new RenderConfig(
                url == null || url.isBlank() ? null : URI.create(url.trim()),
                conf.get(RenderOptions.TIMEOUT),
                conf.get(RenderOptions.CAPACITY),
                conf.get(RenderOptions.WAIT_FOR),
                conf.get(RenderOptions.MAX_SCREENSHOT_SIZE).getBytes());
    }

    /** The async operator's timeout: the render's limit plus twice the margin. */
    public Duration asyncTimeout() {
        return timeout.plus(MARGIN).plus(MARGIN);
    }
}
