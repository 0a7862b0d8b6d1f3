package dev.flinkwatch.api;

import dev.flinkwatch.api.web.WebUiSettings;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The standalone service's settings: each option is an environment variable and a matching flag
 * ({@code --port 8081} or {@code --port=8081}); flags win. Defaults are {@link ControlApiConfig}'s.
 */
final class StandaloneSettings {

    enum Option {
        BIND_HOST(
                "API_BIND_HOST",
                "--bind-host",
                ControlApiConfig.DEFAULT_BIND_HOST,
                "interface to listen on; 0.0.0.0 for all"),
        PORT("API_PORT", "--port", "" + ControlApiConfig.DEFAULT_PORT, "HTTP port; 0 = any free"),
        JDBC_URL(
                "JDBC_URL",
                "--jdbc-url",
                "jdbc:postgresql://127.0.0.1:5432/flinkwatch",
                "PostgreSQL JDBC URL"),
        JDBC_USER("JDBC_USER", "--jdbc-user", "flinkwatch", "database user"),
        JDBC_PASSWORD(
                "JDBC_PASSWORD", "--jdbc-password", "", "database password (prefer the env var)"),
        KAFKA_BOOTSTRAP_SERVERS(
                "KAFKA_BOOTSTRAP_SERVERS",
                "--kafka-bootstrap-servers",
                ControlApiConfig.DEFAULT_KAFKA_BOOTSTRAP_SERVERS,
                "Kafka for the outbox relay"),
        MONITORS_TOPIC(
                "MONITORS_TOPIC",
                "--monitors-topic",
                ControlApiConfig.DEFAULT_MONITORS_TOPIC,
                "compacted topic for monitor events"),
        ADMIN_TOKEN(
                "MONITOR_ADMIN_TOKEN",
                "--admin-token",
                null,
                "operator secret for X-Admin-Token, >= 16 chars (required; prefer the env var)"),
        MIN_INTERVAL_SECONDS(
                "MIN_INTERVAL_SECONDS",
                "--min-interval-seconds",
                "" + dev.flinkwatch.model.ValidationLimits.DEFAULT_MIN_INTERVAL_SECONDS,
                "smallest check interval a monitor may have"),
        MONITOR_QUOTA(
                "MONITOR_QUOTA",
                "--monitor-quota",
                "" + ControlApiConfig.DEFAULT_MONITOR_QUOTA,
                "live monitors per tenant (unless the tenant has its own quota)"),
        ADDRESS_ALLOW_LIST(
                "ADDRESS_ALLOW_LIST",
                "--address-allow-list",
                "",
                "comma-separated CIDRs/host names monitors may target although private"
                        + " (development only)"),
        DB_POOL_SIZE(
                "DB_POOL_SIZE",
                "--db-pool-size",
                "" + ControlApiConfig.DEFAULT_DB_POOL_SIZE,
                "database connections"),
        RELAY_BATCH_SIZE(
                "RELAY_BATCH_SIZE",
                "--relay-batch-size",
                "" + ControlApiConfig.DEFAULT_RELAY_BATCH_SIZE,
                "outbox rows per relay round"),
        RELAY_POLL_MS(
                "RELAY_POLL_MS",
                "--relay-poll-ms",
                "" + ControlApiConfig.DEFAULT_RELAY_POLL_INTERVAL.toMillis(),
                "idle relay poll interval"),
        OUTBOX_RETENTION_HOURS(
                "OUTBOX_RETENTION_HOURS",
                "--outbox-retention-hours",
                "" + ControlApiConfig.DEFAULT_OUTBOX_RETENTION.toHours(),
                "how long published outbox rows are kept"),
        WRITE_RATE_PER_MINUTE(
                "API_WRITE_RATE_PER_MINUTE",
                "--write-rate-per-minute",
                "" + ControlApiConfig.DEFAULT_WRITE_LIMIT.perMinute(),
                "POST/PUT/PATCH/DELETE requests per minute per tenant; 0 = unlimited"),
        WRITE_BURST(
                "API_WRITE_BURST",
                "--write-burst",
                "" + ControlApiConfig.DEFAULT_WRITE_LIMIT.burst(),
                "writes a tenant may send at once (token bucket size)"),
        READ_RATE_PER_MINUTE(
                "API_READ_RATE_PER_MINUTE",
                "--read-rate-per-minute",
                "" + ControlApiConfig.DEFAULT_READ_LIMIT.perMinute(),
                "other requests per minute per tenant; 0 = unlimited"),
        READ_BURST(
                "API_READ_BURST",
                "--read-burst",
                "" + ControlApiConfig.DEFAULT_READ_LIMIT.burst(),
                "reads a tenant may send at once (token bucket size)"),
        DELETED_MONITOR_RETENTION_HOURS(
                "DELETED_MONITOR_RETENTION_HOURS",
                "--deleted-monitor-retention-hours",
                "" + ControlApiConfig.DEFAULT_DELETED_MONITOR_RETENTION.toHours(),
                "how long deleted monitors (with alerts and checks) are kept; 0 = until published"),
        PURGE_INTERVAL_SECONDS(
                "PURGE_INTERVAL_SECONDS",
                "--purge-interval-seconds",
                "" + ControlApiConfig.DEFAULT_PURGE_INTERVAL.toSeconds(),
                "how often deleted monitors past their retention are purged"),
        PURGE_BATCH_SIZE(
                "PURGE_BATCH_SIZE",
                "--purge-batch-size",
                "" + ControlApiConfig.DEFAULT_PURGE_BATCH_SIZE,
                "deleted monitors purged per transaction"),
        SCREENSHOT_RETENTION_DAYS(
                "SCREENSHOT_RETENTION_DAYS",
                "--screenshot-retention-days",
                "" + ControlApiConfig.DEFAULT_SCREENSHOT_RETENTION.maxAge().toDays(),
                "how long check screenshots are kept (the checks stay)"),
        SCREENSHOTS_PER_MONITOR(
                "SCREENSHOTS_PER_MONITOR",
                "--screenshots-per-monitor",
                "" + ControlApiConfig.DEFAULT_SCREENSHOT_RETENTION.perMonitor(),
                "newest check screenshots kept per monitor"),
        WEB_SESSION_IDLE_MINUTES(
                "WEB_SESSION_IDLE_MINUTES",
                "--web-session-idle-minutes",
                "" + WebUiSettings.DEFAULTS.idleTimeout().toMinutes(),
                "a web app session not used for this long ends"),
        WEB_SESSION_MAX_HOURS(
                "WEB_SESSION_MAX_HOURS",
                "--web-session-max-hours",
                "" + WebUiSettings.DEFAULTS.absoluteTimeout().toHours(),
                "a web app session ends this long after sign-in"),
        WEB_SECURE_COOKIES(
                "WEB_SECURE_COOKIES",
                "--web-secure-cookies",
                "" + WebUiSettings.DEFAULTS.secureCookies(),
                "always mark the session cookie Secure (behind a TLS proxy without"
                        + " X-Forwarded-Proto)"),
        WEB_PREVIEWS_PER_MINUTE(
                "WEB_PREVIEWS_PER_MINUTE",
                "--web-previews-per-minute",
                "" + WebUiSettings.DEFAULTS.previewsPerMinute(),
                "web app previews (each fetches a page now) per tenant and minute"),
        MIGRATE_SCHEMA(
                "MIGRATE_SCHEMA", "--migrate-schema", "true", "apply Flyway migrations at start"),
        // The delivery component's variable: one keyset for the API (rotation) and delivery.
        DELIVERY_SECRET_KEYSET(
                "FLINKWATCH_DELIVERY_SECRET_KEYSET",
                "--delivery-secret-keyset",
                "",
                "Tink AEAD keyset (JSON) of webhook signing secrets; unset disables"
                        + " /v1/webhook-secret/rotate (prefer the env var)");

        final String env;
        final String flag;
        final String defaultValue;
        final String description;

        Option(String env, String flag, String defaultValue, String description) {
            this.env = env;
            this.flag = flag;
            this.defaultValue = defaultValue;
            this.description = description;
        }
    }

    /**
     * Parsed settings.
     *
     * @param config the API's configuration
     * @param jdbcUrl database URL
     * @param jdbcUser database user
     * @param jdbcPassword database password (never logged)
     */
    record Parsed(ControlApiConfig config, String jdbcUrl, String jdbcUser, String jdbcPassword) {
        @Override
        public String toString() {
            return "Parsed{" + config + ", jdbcUrl=" + jdbcUrl + ", jdbcUser=" + jdbcUser + "}";
        }
    }

    private StandaloneSettings() {}

    /**
     * Reads the options from the environment and the flags.
     *
     * @throws IllegalArgumentException naming the option, for unknown flags and invalid values
     */
    static Parsed parse(Map<String, String> env, String[] args) {
        Map<Option, String> values = new EnumMap<>(Option.class);
        for (Option o : Option.values()) {
            String v = env.get(o.env);
            values.put(o, v != null ? v : o.defaultValue);
        }
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            int eq = arg.indexOf('=');
            String flag = eq < 0 ? arg : arg.substring(0, eq);
            Option o =
                    Arrays.stream(Option.values())
                            .filter(x -> x.flag.equals(flag))
                            .findFirst()
                            .orElseThrow(
                                    () -> new IllegalArgumentException("unknown option " + flag));
            if (eq >= 0) {
                values.put(o, arg.substring(eq + 1));
            } else if (i + 1 < args.length) {
                values.put(o, args[++i]);
            } else {
                throw new IllegalArgumentException(flag + " needs a value");
            }
        }
        if (values.get(Option.ADMIN_TOKEN) == null) {
            throw new IllegalArgumentException(
                    Option.ADMIN_TOKEN.env + " (or " + Option.ADMIN_TOKEN.flag + ") is required");
        }
        String allow = values.get(Option.ADDRESS_ALLOW_LIST).strip();
        ControlApiConfig config;
        try {
            config =
                    ControlApiConfig.builder(values.get(Option.ADMIN_TOKEN))
                            .bindHost(values.get(Option.BIND_HOST))
                            .port(integer(values, Option.PORT))
                            .kafkaBootstrapServers(values.get(Option.KAFKA_BOOTSTRAP_SERVERS))
                            .monitorsTopic(values.get(Option.MONITORS_TOPIC))
                            .minIntervalSeconds(integer(values, Option.MIN_INTERVAL_SECONDS))
                            .defaultMonitorQuota(integer(values, Option.MONITOR_QUOTA))
                            .addressAllowList(
                                    allow.isEmpty() ? List.of() : List.of(allow.split("\\s*,\\s*")))
                            .dbPoolSize(integer(values, Option.DB_POOL_SIZE))
                            .relayBatchSize(integer(values, Option.RELAY_BATCH_SIZE))
                            .relayPollInterval(
                                    Duration.ofMillis(integer(values, Option.RELAY_POLL_MS)))
                            .outboxRetention(
                                    Duration.ofHours(
                                            integer(values, Option.OUTBOX_RETENTION_HOURS)))
                            .writeLimit(
                                    integer(values, Option.WRITE_RATE_PER_MINUTE),
                                    integer(values, Option.WRITE_BURST))
                            .readLimit(
                                    integer(values, Option.READ_RATE_PER_MINUTE),
                                    integer(values, Option.READ_BURST))
                            .deletedMonitorRetention(
                                    Duration.ofHours(
                                            integer(
                                                    values,
                                                    Option.DELETED_MONITOR_RETENTION_HOURS)))
                            .purgeInterval(
                                    Duration.ofSeconds(
                                            integer(values, Option.PURGE_INTERVAL_SECONDS)))
                            .purgeBatchSize(integer(values, Option.PURGE_BATCH_SIZE))
                            .screenshots(
                                    new ControlApiConfig.ScreenshotRetention(
                                            Duration.ofDays(
                                                    integer(
                                                            values,
                                                            Option.SCREENSHOT_RETENTION_DAYS)),
                                            integer(values, Option.SCREENSHOTS_PER_MONITOR)))
                            .web(
                                    new WebUiSettings(
                                            Duration.ofMinutes(
                                                    integer(
                                                            values,
                                                            Option.WEB_SESSION_IDLE_MINUTES)),
                                            Duration.ofHours(
                                                    integer(values, Option.WEB_SESSION_MAX_HOURS)),
                                            bool(values, Option.WEB_SECURE_COOKIES),
                                            integer(values, Option.WEB_PREVIEWS_PER_MINUTE)))
                            .migrateSchema(bool(values, Option.MIGRATE_SCHEMA))
                            .deliverySecretKeyset(
                                    values.get(Option.DELIVERY_SECRET_KEYSET).isBlank()
                                            ? null
                                            : values.get(Option.DELIVERY_SECRET_KEYSET))
                            .build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid configuration: " + e.getMessage(), e);
        }
        return new Parsed(
                config,
                values.get(Option.JDBC_URL),
                values.get(Option.JDBC_USER),
                values.get(Option.JDBC_PASSWORD));
    }

    /** The options table for {@code --help}. */
    static String usage() {
        StringBuilder sb =
                new StringBuilder(
                        "Flinkwatch control API. Options (environment variable / flag, default):\n");
        for (Option o : Option.values()) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "  %-24s %-28s %-44s %s%n",
                            o.env,
                            o.flag,
                            o.defaultValue == null ? "(required)" : "[" + o.defaultValue + "]",
                            o.description));
        }
        return sb.toString();
    }

    private static int integer(Map<Option, String> values, Option o) {
        try {
            return Integer.parseInt(values.get(o).strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(o.env + "/" + o.flag + " must be an integer");
        }
    }

    private static boolean bool(Map<Option, String> values, Option o) {
        String v = values.get(o).strip().toLowerCase(Locale.ROOT);
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException(o.env + "/" + o.flag + " must be true or false");
        }
        return Boolean.parseBoolean(v);
    }
}
