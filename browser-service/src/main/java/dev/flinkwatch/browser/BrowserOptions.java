package dev.flinkwatch.browser;

import static org.apache.flink.configuration.ConfigOptions.key;

import dev.flinkwatch.fetch.FetchOptions;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.MemorySize;

/**
 * Every setting of the browser service, with its default (env {@code FLINKWATCH_BROWSER_…} or
 * {@code --flinkwatch.browser.…}). The SSRF policy is the fetcher's ({@link #ADDRESS_OPTIONS}), so
 * an operator configures one policy for pages, robots.txt and the browser.
 */
public final class BrowserOptions {
    private BrowserOptions() {}

    private static final String PREFIX = "flinkwatch.browser.";

    public static final ConfigOption<String> BIND_HOST =
            key(PREFIX + "bind-host")
                    .stringType()
                    .defaultValue("127.0.0.1")
                    .withDescription("Interface to listen on; 0.0.0.0 for all (containers).");

    public static final ConfigOption<Integer> PORT =
            key(PREFIX + "port")
                    .intType()
                    .defaultValue(8090)
                    .withDescription(
                            "HTTP port of POST /render, /healthz, /metrics; 0 = any free.");

    public static final ConfigOption<Integer> MAX_CONCURRENT =
            key(PREFIX + "max-concurrent")
                    .intType()
                    .defaultValue(Runtime.getRuntime().availableProcessors())
                    .withDescription(
                            "Renders at once per instance (default: the number of cores). Each"
                                    + " slot owns one Chromium process; scale out with replicas.");

    public static final ConfigOption<Integer> MAX_QUEUED =
            key(PREFIX + "max-queued")
                    .intType()
                    .defaultValue(16)
                    .withDescription(
                            "Renders waiting for a free slot; one more is answered 503 busy with"
                                    + " Retry-After at once.");

    public static final ConfigOption<Duration> DEFAULT_TIMEOUT =
            key(PREFIX + "default-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(15))
                    .withDescription(
                            "Time limit of a render whose request gives no timeoutMs (the wait for"
                                    + " a slot included).");

    public static final ConfigOption<Duration> MAX_TIMEOUT =
            key(PREFIX + "max-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(60))
                    .withDescription("Largest timeoutMs a request may ask for.");

    public static final ConfigOption<Duration> WATCHDOG_GRACE =
            key(PREFIX + "watchdog-grace")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription(
                            "How long past its timeout a render may take before the watchdog kills"
                                    + " its browser (Playwright did not return) and answers"
                                    + " timeout; the slot gets a new browser.");

    public static final ConfigOption<String> CHROMIUM_PATH =
            key(PREFIX + "chromium-path")
                    .stringType()
                    .defaultValue("/usr/bin/chromium")
                    .withDescription(
                            "The Chromium executable (Debian's chromium package); Playwright"
                                    + " downloads no browser.");

    public static final ConfigOption<List<String>> CHROMIUM_ARGS =
            key(PREFIX + "chromium-args")
                    .stringType()
                    .asList()
                    .defaultValues(
                            "--no-sandbox",
                            "--force-webrtc-ip-handling-policy=disable_non_proxied_udp")
                    .withDescription(
                            "Extra Chromium flags, ';'-separated. --no-sandbox because containers"
                                    + " run without the user namespaces Chromium's sandbox needs;"
                                    + " the WebRTC policy keeps pages from sending UDP (STUN) that"
                                    + " request interception cannot see.");

    public static final ConfigOption<Integer> MAX_HTML_CHARS =
            key(PREFIX + "max-html-chars")
                    .intType()
                    .defaultValue(2 * 1024 * 1024)
                    .withDescription(
                            "Longest rendered DOM returned, in chars; longer is cut and marked"
                                    + " truncated.");

    public static final ConfigOption<Integer> SCREENSHOT_QUALITY =
            key(PREFIX + "screenshot.quality")
                    .intType()
                    .defaultValue(60)
                    .withDescription("JPEG quality of screenshots (1-100).");

    public static final ConfigOption<Integer> SCREENSHOT_MAX_HEIGHT =
            key(PREFIX + "screenshot.max-height")
                    .intType()
                    .defaultValue(4000)
                    .withDescription(
                            "Screenshots cover the page from the top down to this many px.");

    public static final ConfigOption<MemorySize> SCREENSHOT_MAX_SIZE =
            key(PREFIX + "screenshot.max-size")
                    .memoryType()
                    .defaultValue(MemorySize.parse("512kb"))
                    .withDescription(
                            "Largest screenshot returned; a larger one is retaken at half the"
                                    + " quality, then omitted (screenshotOmitted: too_large).");

    public static final ConfigOption<Boolean> SCREENSHOT_IMAGES =
            key(PREFIX + "screenshot.load-images")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Load images (still SSRF-checked) when a screenshot is asked for;"
                                    + " fonts and media stay blocked. Images are always blocked"
                                    + " otherwise.");

    public static final ConfigOption<Integer> VIEWPORT_WIDTH =
            key(PREFIX + "viewport-width")
                    .intType()
                    .defaultValue(1280)
                    .withDescription("Page width in CSS px.");

    /** The fetcher's options that make up the SSRF policy and its DNS bounds. */
    public static final List<ConfigOption<?>> ADDRESS_OPTIONS =
            List.of(
                    FetchOptions.ALLOW_LIST,
                    FetchOptions.ALLOWED_PORTS,
                    FetchOptions.MAX_REDIRECTS,
                    FetchOptions.DNS_THREADS,
                    FetchOptions.DNS_CACHE_TTL);

    /** Every option the service reads, its own and the fetcher's address options. */
    public static List<ConfigOption<?>> all() {
        List<ConfigOption<?>> all =
                new java.util.ArrayList<>(
                        List.of(
                                BIND_HOST,
                                PORT,
                                MAX_CONCURRENT,
                                MAX_QUEUED,
                                DEFAULT_TIMEOUT,
                                MAX_TIMEOUT,
                                WATCHDOG_GRACE,
                                CHROMIUM_PATH,
                                CHROMIUM_ARGS,
                                MAX_HTML_CHARS,
                                SCREENSHOT_QUALITY,
                                SCREENSHOT_MAX_HEIGHT,
                                SCREENSHOT_MAX_SIZE,
                                SCREENSHOT_IMAGES,
                                VIEWPORT_WIDTH));
        all.addAll(ADDRESS_OPTIONS);
        return List.copyOf(all);
    }
}
