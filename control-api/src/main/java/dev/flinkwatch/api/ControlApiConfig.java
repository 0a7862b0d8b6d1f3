package dev.flinkwatch.api;

import dev.flinkwatch.api.ratelimit.TenantRateLimiter.Limit;
import dev.flinkwatch.api.web.PreviewSettings;
import dev.flinkwatch.api.web.WebUiSettings;
import dev.flinkwatch.delivery.DeliveryConfig;
import dev.flinkwatch.model.ValidationLimits;
import dev.flinkwatch.model.net.AddressPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything the control API needs besides its database. Validated on construction; {@link
 * #toString()} never shows the admin token. Build with {@link #builder(String)}, which starts from
 * the defaults below.
 *
 * @param bindHost interface to listen on (loopback by default: expose deliberately)
 * @param port HTTP port; 0 picks a free one (see {@link ControlApi#port()})
 * @param adminToken operator secret for {@code X-Admin-Token}; at least 16 characters
 * @param kafkaBootstrapServers Kafka for the outbox relay
 * @param monitorsTopic the compacted topic monitor events go to
 * @param minIntervalSeconds the smallest check interval a monitor may have
 * @param defaultMonitorQuota live monitors per tenant unless the tenant has its own quota
 * @param addressAllowList CIDRs or exact host names that monitors may point to although they are
 *     private or reserved (local development and tests only); empty by default
 * @param dbPoolSize connections in the pool the API keeps
 * @param relayBatchSize outbox rows locked per relay round
 * @param relayPollInterval how often an idle relay looks for rows written by other instances
 * @param outboxRetention how long published outbox rows are kept
 * @param migrateSchema apply the Flyway migrations at start
 * @param delivery the delivery settings (senders, SMTP, Telegram API, address allow-list) that
 *     {@code POST /v1/channels/{id}/test} sends with; null answers that route with 503
 * @param deliverySecretKeyset the delivery component's Tink keyset (JSON), for webhook signing
 *     secrets; null disables {@code POST /v1/webhook-secret/rotate} (503)
 * @param writeLimit per-tenant token bucket for POST, PUT, PATCH and DELETE requests (per API
 *     instance); a rate of 0 disables it
 * @param readLimit per-tenant token bucket for every other request; a rate of 0 disables it
 * @param deletedMonitorRetention how long a deleted monitor (and its alerts, checks and status) is
 *     kept before it is purged; 0 purges as soon as its delete event is published
 * @param purgeInterval how often the purge of deleted monitors runs
 * @param purgeBatchSize monitors purged per transaction (small: each takes its alerts and checks
 *     with it)
 * @param web the web app's session and preview settings
 * @param preview how the web app's preview fetches and reads pages (the pipeline's settings); null
 *     turns previews off
 * @param screenshots how long, and how many per monitor, check screenshots are kept (the purge
 *     drops older ones; the checks stay)
 */
public record ControlApiConfig(
        String bindHost,
        int port,
        String adminToken,
        String kafkaBootstrapServers,
        String monitorsTopic,
        int minIntervalSeconds,
        int defaultMonitorQuota,
        List<String> addressAllowList,
        int dbPoolSize,
        int relayBatchSize,
        Duration relayPollInterval,
        Duration outboxRetention,
        boolean migrateSchema,
        String deliverySecretKeyset,
        Limit writeLimit,
        Limit readLimit,
        Duration deletedMonitorRetention,
        Duration purgeInterval,
        int purgeBatchSize,
        DeliveryConfig delivery,
        WebUiSettings web,
        PreviewSettings preview,
        ScreenshotRetention screenshots) {

    /**
     * Screenshots of checks are kept at most {@code maxAge}, and only the {@code perMonitor} newest
     * of each monitor.
     */
    public record ScreenshotRetention(Duration maxAge, int perMonitor) {
        public ScreenshotRetention {
            require(maxAge != null && !maxAge.isNegative(), "screenshot maxAge must be at least 0");
            require(perMonitor >= 0, "screenshots perMonitor must be at least 0");
        }
    }

    public static final ScreenshotRetention DEFAULT_SCREENSHOT_RETENTION =
            new ScreenshotRetention(Duration.ofDays(30), 20);

    public static final String DEFAULT_BIND_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    public static final String DEFAULT_KAFKA_BOOTSTRAP_SERVERS = "127.0.0.1:9092";
    public static final String DEFAULT_MONITORS_TOPIC = "monitors";
    public static final int DEFAULT_MONITOR_QUOTA = 1000;
    public static final int DEFAULT_DB_POOL_SIZE = 10;
    public static final int DEFAULT_RELAY_BATCH_SIZE = 500;
    public static final Duration DEFAULT_RELAY_POLL_INTERVAL = Duration.ofMillis(500);
    public static final Duration DEFAULT_OUTBOX_RETENTION = Duration.ofDays(7);
    public static final int MIN_ADMIN_TOKEN_LENGTH = 16;

    /** 20 writes a second per tenant, 100 at once. */
    public static final Limit DEFAULT_WRITE_LIMIT = new Limit(1200, 100);

    /** 100 reads a second per tenant, 500 at once. */
    public static final Limit DEFAULT_READ_LIMIT = new Limit(6000, 500);

    public static final Duration DEFAULT_DELETED_MONITOR_RETENTION = Duration.ofDays(30);
    public static final Duration DEFAULT_PURGE_INTERVAL = Duration.ofMinutes(10);
    public static final int DEFAULT_PURGE_BATCH_SIZE = 100;

    public ControlApiConfig {
        require(bindHost != null && !bindHost.isBlank(), "bindHost is required");
        require(port >= 0 && port <= 65535, "port must be between 0 and 65535");
        require(
                adminToken != null && adminToken.strip().length() >= MIN_ADMIN_TOKEN_LENGTH,
                "adminToken must be at least " + MIN_ADMIN_TOKEN_LENGTH + " characters");
        require(
                kafkaBootstrapServers != null && !kafkaBootstrapServers.isBlank(),
                "kafkaBootstrapServers is required");
        require(
                monitorsTopic != null && monitorsTopic.matches("[a-zA-Z0-9._-]{1,249}"),
                "monitorsTopic must be a Kafka topic name");
        new ValidationLimits(minIntervalSeconds); // throws with the allowed range
        require(defaultMonitorQuota >= 0, "defaultMonitorQuota must be at least 0");
        addressAllowList =
                List.copyOf(Objects.requireNonNull(addressAllowList, "addressAllowList"));
        AddressPolicy.defaults().withAllowList(addressAllowList); // throws on a bad entry
        require(dbPoolSize >= 1 && dbPoolSize <= 500, "dbPoolSize must be between 1 and 500");
        require(
                relayBatchSize >= 1 && relayBatchSize <= 10_000,
                "relayBatchSize must be between 1 and 10000");
        require(
                relayPollInterval != null && relayPollInterval.toMillis() >= 10,
                "relayPollInterval must be at least 10 ms");
        require(
                outboxRetention != null && outboxRetention.toMinutes() >= 1,
                "outboxRetention must be at least 1 minute");
        Objects.requireNonNull(writeLimit, "writeLimit");
        Objects.requireNonNull(readLimit, "readLimit");
        require(
                deletedMonitorRetention != null && !deletedMonitorRetention.isNegative(),
                "deletedMonitorRetention must be at least 0");
        require(
                purgeInterval != null && purgeInterval.toMillis() >= 10,
                "purgeInterval must be at least 10 ms");
        require(
                purgeBatchSize >= 1 && purgeBatchSize <= 10_000,
                "purgeBatchSize must be between 1 and 10000");
        Objects.requireNonNull(web, "web");
        Objects.requireNonNull(screenshots, "screenshots");
    }

    /** A builder with every default set; only the admin token has none. */
    public static Builder builder(String adminToken) {
        return new Builder(adminToken);
    }

    public ValidationLimits validationLimits() {
        return new ValidationLimits(minIntervalSeconds);
    }

    public AddressPolicy addressPolicy() {
        return AddressPolicy.defaults().withAllowList(addressAllowList);
    }

    @Override
    public String toString() {
        return "ControlApiConfig{bindHost="
                + bindHost
                + ", port="
                + port
                + ", adminToken=<redacted>, kafkaBootstrapServers="
                + kafkaBootstrapServers
                + ", monitorsTopic="
                + monitorsTopic
                + ", minIntervalSeconds="
                + minIntervalSeconds
                + ", defaultMonitorQuota="
                + defaultMonitorQuota
                + ", addressAllowList="
                + addressAllowList
                + ", dbPoolSize="
                + dbPoolSize
                + ", relayBatchSize="
                + relayBatchSize
                + ", relayPollInterval="
                + relayPollInterval
                + ", outboxRetention="
                + outboxRetention
                + ", migrateSchema="
                + migrateSchema
                + ", deliverySecretKeyset="
                + (deliverySecretKeyset == null ? "<unset>" : "<redacted>")
                + ", delivery="
                + (delivery == null ? "<unset>" : "<set>")
                + ", writeLimit="
                + writeLimit
                + ", readLimit="
                + readLimit
                + ", deletedMonitorRetention="
                + deletedMonitorRetention
                + ", purgeInterval="
                + purgeInterval
                + ", purgeBatchSize="
                + purgeBatchSize
                + ", web="
                + web
                + ", preview="
                + (preview == null ? "<off>" : "<on>")
                + ", screenshots="
                + screenshots
                + "}";
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private String bindHost = DEFAULT_BIND_HOST;
        private int port = DEFAULT_PORT;
        private final String adminToken;
        private String kafkaBootstrapServers = DEFAULT_KAFKA_BOOTSTRAP_SERVERS;
        private String monitorsTopic = DEFAULT_MONITORS_TOPIC;
        private int minIntervalSeconds = ValidationLimits.DEFAULT_MIN_INTERVAL_SECONDS;
        private int defaultMonitorQuota = DEFAULT_MONITOR_QUOTA;
        private List<String> addressAllowList = List.of();
        private int dbPoolSize = DEFAULT_DB_POOL_SIZE;
        private int relayBatchSize = DEFAULT_RELAY_BATCH_SIZE;
        private Duration relayPollInterval = DEFAULT_RELAY_POLL_INTERVAL;
        private Duration outboxRetention = DEFAULT_OUTBOX_RETENTION;
        private boolean migrateSchema = true;
        private String deliverySecretKeyset;
        private DeliveryConfig delivery;
        private Limit writeLimit = DEFAULT_WRITE_LIMIT;
        private Limit readLimit = DEFAULT_READ_LIMIT;
        private Duration deletedMonitorRetention = DEFAULT_DELETED_MONITOR_RETENTION;
        private Duration purgeInterval = DEFAULT_PURGE_INTERVAL;
        private WebUiSettings web = WebUiSettings.DEFAULTS;
        private PreviewSettings preview;
        private int purgeBatchSize = DEFAULT_PURGE_BATCH_SIZE;
        private ScreenshotRetention screenshots = DEFAULT_SCREENSHOT_RETENTION;

        private Builder(String adminToken) {
            this.adminToken = adminToken;
        }

        public Builder bindHost(String v) {
            bindHost = v;
            return this;
        }

        public Builder port(int v) {
            port = v;
            return this;
        }

        public Builder kafkaBootstrapServers(String v) {
            kafkaBootstrapServers = v;
            return this;
        }

        public Builder monitorsTopic(String v) {
            monitorsTopic = v;
            return this;
        }

        public Builder minIntervalSeconds(int v) {
            minIntervalSeconds = v;
            return this;
        }

        public Builder defaultMonitorQuota(int v) {
            defaultMonitorQuota = v;
            return this;
        }

        public Builder addressAllowList(List<String> v) {
            addressAllowList = v;
            return this;
        }

        public Builder dbPoolSize(int v) {
            dbPoolSize = v;
            return this;
        }

        public Builder relayBatchSize(int v) {
            relayBatchSize = v;
            return this;
        }

        public Builder relayPollInterval(Duration v) {
            relayPollInterval = v;
            return this;
        }

        public Builder outboxRetention(Duration v) {
            outboxRetention = v;
            return this;
        }

        public Builder migrateSchema(boolean v) {
            migrateSchema = v;
            return this;
        }

        /** The delivery settings channel tests send with; sets the delivery keyset too. */
        public Builder delivery(DeliveryConfig v) {
            delivery = v;
            deliverySecretKeyset = v.secretKeyset();
            return this;
        }

        public Builder deliverySecretKeyset(String v) {
            deliverySecretKeyset = v;
            return this;
        }

        /** Writes per minute per tenant (0: unlimited) and how many may come at once. */
        public Builder writeLimit(int perMinute, int burst) {
            writeLimit = limit("writeLimit", perMinute, burst);
            return this;
        }

        /** Reads per minute per tenant (0: unlimited) and how many may come at once. */
        public Builder readLimit(int perMinute, int burst) {
            readLimit = limit("readLimit", perMinute, burst);
            return this;
        }

        public Builder deletedMonitorRetention(Duration v) {
            deletedMonitorRetention = v;
            return this;
        }

        public Builder purgeInterval(Duration v) {
            purgeInterval = v;
            return this;
        }

        public Builder web(WebUiSettings v) {
            web = v;
            return this;
        }

        public Builder preview(PreviewSettings v) {
            preview = v;
            return this;
        }

        public Builder screenshots(ScreenshotRetention v) {
            screenshots = v;
            return this;
        }

        public Builder purgeBatchSize(int v) {
            purgeBatchSize = v;
            return this;
        }

        private static Limit limit(String name, int perMinute, int burst) {
            try {
                return new Limit(perMinute, burst);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
            }
        }

        public ControlApiConfig build() {
            return new ControlApiConfig(
                    bindHost,
                    port,
                    adminToken,
                    kafkaBootstrapServers,
                    monitorsTopic,
                    minIntervalSeconds,
                    defaultMonitorQuota,
                    addressAllowList,
                    dbPoolSize,
                    relayBatchSize,
                    relayPollInterval,
                    outboxRetention,
                    migrateSchema,
                    deliverySecretKeyset,
                    writeLimit,
                    readLimit,
                    deletedMonitorRetention,
                    purgeInterval,
                    purgeBatchSize,
                    delivery,
                    web,
                    preview,
                    screenshots);
        }
    }
}
