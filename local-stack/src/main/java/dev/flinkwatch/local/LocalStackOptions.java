package dev.flinkwatch.local;

import static org.apache.flink.configuration.ConfigOptions.key;

import dev.flinkwatch.api.ControlApiConfig;
import dev.flinkwatch.api.web.WebUiSettings;
import dev.flinkwatch.model.ValidationLimits;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;

/**
 * Options of the local stack. Each is set by env ({@code MONITOR_API_PORT}) or flag ({@code
 * --monitor.api.port=9090}); see {@link dev.flinkwatch.flink.ConfigLoader}. Every pipeline and
 * fetch option is accepted too, under its cluster name ({@link LocalStack#options()}); the LLM is
 * configured by the same environment variables as on a cluster ({@code OPENAI_*}, {@code
 * MONITOR_LLM_*}, see {@link dev.flinkwatch.llm.LlmConfig}).
 */
public final class LocalStackOptions {
    private LocalStackOptions() {}

    public static final ConfigOption<Integer> API_PORT =
            key("monitor.api.port")
                    .intType()
                    .defaultValue(8080)
                    .withDescription("Port of the control API on 127.0.0.1 (0: any free port).");

    public static final ConfigOption<Integer> DASHBOARD_PORT =
            key("monitor.dashboard.port")
                    .intType()
                    .defaultValue(8081)
                    .withDescription("Port of the Flink web dashboard on 127.0.0.1 (0: any).");

    public static final ConfigOption<String> DATA_DIR =
            key("monitor.data.dir")
                    .stringType()
                    .defaultValue("./.local")
                    .withDescription(
                            "Where PostgreSQL, Kafka and Flink checkpoints live; kept across restarts.");

    public static final ConfigOption<String> ADMIN_TOKEN =
            key("monitor.admin.token")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Operator token for creating tenants; generated and kept in the data"
                                    + " directory when not set.");

    public static final ConfigOption<Integer> MIN_INTERVAL_SECONDS =
            key("monitor.min-interval-seconds")
                    .intType()
                    .defaultValue(ValidationLimits.DEFAULT_MIN_INTERVAL_SECONDS)
                    .withDescription("Interval floor of monitors (lower it for trials and tests).");

    public static final ConfigOption<Integer> API_WRITE_RATE_PER_MINUTE =
            key("monitor.api.write-rate-per-minute")
                    .intType()
                    .defaultValue(ControlApiConfig.DEFAULT_WRITE_LIMIT.perMinute())
                    .withDescription(
                            "Writes (POST, PUT, PATCH, DELETE) per minute per tenant before the"
                                    + " API answers 429; 0 = unlimited.");

    public static final ConfigOption<Integer> API_WRITE_BURST =
            key("monitor.api.write-burst")
                    .intType()
                    .defaultValue(ControlApiConfig.DEFAULT_WRITE_LIMIT.burst())
                    .withDescription("Writes a tenant may send at once (token bucket size).");

    public static final ConfigOption<Integer> API_READ_RATE_PER_MINUTE =
            key("monitor.api.read-rate-per-minute")
                    .intType()
                    .defaultValue(ControlApiConfig.DEFAULT_READ_LIMIT.perMinute())
                    .withDescription(
                            "Other tenant requests per minute per tenant before 429; 0 = unlimited.");

    public static final ConfigOption<Integer> API_READ_BURST =
            key("monitor.api.read-burst")
                    .intType()
                    .defaultValue(ControlApiConfig.DEFAULT_READ_LIMIT.burst())
                    .withDescription("Reads a tenant may send at once (token bucket size).");

    public static final ConfigOption<Duration> DELETED_MONITOR_RETENTION =
            key("monitor.api.deleted-monitor-retention")
                    .durationType()
                    .defaultValue(ControlApiConfig.DEFAULT_DELETED_MONITOR_RETENTION)
                    .withDescription(
                            "How long a deleted monitor with its alerts and checks is kept before"
                                    + " it is purged (0: once its delete event is published).");

    public static final ConfigOption<Boolean> FETCH_ALLOW_PRIVATE =
            key("monitor.fetch.allow-private")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Let monitors fetch loopback and private addresses (pages served on"
                                    + " this machine or LAN). Off by default: SSRF protection.");

    public static final ConfigOption<Duration> WEB_SESSION_IDLE =
            key("monitor.web.session-idle")
                    .durationType()
                    .defaultValue(WebUiSettings.DEFAULTS.idleTimeout())
                    .withDescription("A web app session not used for this long ends.");

    public static final ConfigOption<Duration> WEB_SESSION_MAX =
            key("monitor.web.session-max")
                    .durationType()
                    .defaultValue(WebUiSettings.DEFAULTS.absoluteTimeout())
                    .withDescription("A web app session ends this long after sign-in.");

    public static final ConfigOption<Integer> WEB_PREVIEWS_PER_MINUTE =
            key("monitor.web.previews-per-minute")
                    .intType()
                    .defaultValue(WebUiSettings.DEFAULTS.previewsPerMinute())
                    .withDescription(
                            "Web app previews (each fetches or renders a page now) per tenant and"
                                    + " minute.");

    public static final ConfigOption<Boolean> BROWSER =
            key("monitor.browser.enabled")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Start the browser service (for sources with render=browser) when"
                                    + " Chromium is found at flinkwatch.browser.chromium-path."
                                    + " Without it (or with flinkwatch.render.service-url set to"
                                    + " an external one) such sources report 'browser rendering"
                                    + " not available'; everything else works the same.");

    public static final ConfigOption<Integer> PARALLELISM =
            key("monitor.flink.parallelism")
                    .intType()
                    .defaultValue(1)
                    .withDescription("Parallelism of the pipeline on the local MiniCluster.");

    public static final ConfigOption<Duration> SUPERVISOR_INITIAL_BACKOFF =
            key("monitor.supervisor.initial-backoff")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(2))
                    .withDescription(
                            "Wait before the stack resubmits a pipeline job that failed"
                                    + " terminally (restart strategy exhausted or a failure it does"
                                    + " not restart); doubles with each further failure.");

    public static final ConfigOption<Duration> SUPERVISOR_MAX_BACKOFF =
            key("monitor.supervisor.max-backoff")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(1))
                    .withDescription("Longest wait between two resubmissions of the pipeline job.");

    public static final ConfigOption<String> TEST_FAULT_FILE =
            key("monitor.test.fault-file")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Tests only: while this file exists, the pipeline job fails on every"
                                    + " check result, so supervision can be exercised.");

    /** The local stack's own options; {@link LocalStack#options()} adds the pipeline's. */
    public static List<ConfigOption<?>> all() {
        return List.of(
                API_PORT,
                DASHBOARD_PORT,
                DATA_DIR,
                ADMIN_TOKEN,
                MIN_INTERVAL_SECONDS,
                API_WRITE_RATE_PER_MINUTE,
                API_WRITE_BURST,
                API_READ_RATE_PER_MINUTE,
                API_READ_BURST,
                DELETED_MONITOR_RETENTION,
                FETCH_ALLOW_PRIVATE,
                BROWSER,
                WEB_SESSION_IDLE,
                WEB_SESSION_MAX,
                WEB_PREVIEWS_PER_MINUTE,
                PARALLELISM,
                SUPERVISOR_INITIAL_BACKOFF,
                SUPERVISOR_MAX_BACKOFF,
                TEST_FAULT_FILE);
    }
}
