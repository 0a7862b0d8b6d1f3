package dev.flinkwatch.delivery;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;

/**
 * Every setting of the delivery component, with its default (env {@code FLINKWATCH_DELIVERY_…}).
 */
public final class DeliveryOptions {
    private DeliveryOptions() {}

    private static final String PREFIX = "flinkwatch.delivery.";

    public static final ConfigOption<String> KAFKA_BOOTSTRAP_SERVERS =
            key(PREFIX + "kafka.bootstrap-servers")
                    .stringType()
                    .defaultValue("localhost:9092")
                    .withDescription("Kafka brokers holding the alerts topic.");

    public static final ConfigOption<String> ALERTS_TOPIC =
            key(PREFIX + "kafka.topic.alerts")
                    .stringType()
                    .defaultValue("alerts")
                    .withDescription("The committed alerts topic (read with read_committed).");

    public static final ConfigOption<String> GROUP_ID =
            key(PREFIX + "kafka.group-id")
                    .stringType()
                    .defaultValue("delivery")
                    .withDescription(
                            "Consumer group: instances of one group share the topic's partitions.");

    public static final ConfigOption<String> JDBC_URL =
            key(PREFIX + "jdbc.url")
                    .stringType()
                    .defaultValue("jdbc:postgresql://localhost:5432/flinkwatch")
                    .withDescription("PostgreSQL holding monitors, secrets and deliveries.");

    public static final ConfigOption<String> JDBC_USER =
            key(PREFIX + "jdbc.user").stringType().defaultValue("flinkwatch");

    public static final ConfigOption<String> JDBC_PASSWORD =
            key(PREFIX + "jdbc.password").stringType().defaultValue("");

    public static final ConfigOption<String> SECRET_KEYSET =
            key(PREFIX + "secret-keyset")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Tink AEAD keyset (JSON) that encrypts receiver URLs and signing"
                                    + " secrets at rest. Required.");

    public static final ConfigOption<Duration> RETRY_WINDOW =
            key(PREFIX + "retry.window")
                    .durationType()
                    .defaultValue(Duration.ofHours(24))
                    .withDescription(
                            "How long an alert is retried before its delivery is marked failed.");

    public static final ConfigOption<Duration> RETRY_INITIAL_BACKOFF =
            key(PREFIX + "retry.initial-backoff")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription("Wait before the first retry; doubles per attempt (±20%).");

    public static final ConfigOption<Duration> RETRY_MAX_BACKOFF =
            key(PREFIX + "retry.max-backoff")
                    .durationType()
                    .defaultValue(Duration.ofHours(2))
                    .withDescription("Longest wait between two attempts (Retry-After included).");

    public static final ConfigOption<Duration> REQUEST_TIMEOUT =
            key(PREFIX + "request-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(15))
                    .withDescription("Time limit of one attempt, connect to last byte.");

    public static final ConfigOption<Integer> MAX_IN_FLIGHT =
            key(PREFIX + "max-in-flight")
                    .intType()
                    .defaultValue(512)
                    .withDescription("Attempts in flight per instance, all receivers together.");

    public static final ConfigOption<Integer> MAX_IN_FLIGHT_PER_RECEIVER =
            key(PREFIX + "max-in-flight-per-receiver")
                    .intType()
                    .defaultValue(4)
                    .withDescription(
                            "Attempts in flight per receiver host, so a slow or hanging receiver"
                                    + " holds at most this many slots.");

    public static final ConfigOption<Duration> POLL_INTERVAL =
            key(PREFIX + "poll-interval")
                    .durationType()
                    .defaultValue(Duration.ofMillis(200))
                    .withDescription("How often the dispatcher looks for due deliveries.");

    public static final ConfigOption<List<String>> ADDRESS_ALLOW_LIST =
            key(PREFIX + "address-allow-list")
                    .stringType()
                    .asList()
                    .defaultValues()
                    .withDescription(
                            "CIDRs or exact host names receivers may use although private or"
                                    + " loopback (local development and tests only).");

    public static final ConfigOption<String> API_BASE_URL =
            key(PREFIX + "api-base-url")
                    .stringType()
                    .defaultValue("http://127.0.0.1:8080")
                    .withDescription("Control API base URL, for the alert link in messages.");

    public static final ConfigOption<String> TELEGRAM_API_BASE =
            key(PREFIX + "telegram.api-base")
                    .stringType()
                    .defaultValue("https://api.telegram.org")
                    .withDescription(
                            "Telegram Bot API base URL; messages go to {base}/bot{token}/sendMessage"
                                    + " (a local Bot API server, or a test receiver).");

    public static final ConfigOption<String> SMTP_HOST =
            key(PREFIX + "smtp.host")
                    .stringType()
                    .defaultValue("")
                    .withDescription(
                            "SMTP server of the email channel type; empty: email deliveries fail"
                                    + " with INVALID_SETTINGS.");

    public static final ConfigOption<Integer> SMTP_PORT =
            key(PREFIX + "smtp.port")
                    .intType()
                    .defaultValue(587)
                    .withDescription("SMTP port (587 submission, 465 implicit TLS, 25 relay).");

    public static final ConfigOption<SmtpConfig.Security> SMTP_SECURITY =
            key(PREFIX + "smtp.security")
                    .enumType(SmtpConfig.Security.class)
                    .defaultValue(SmtpConfig.Security.STARTTLS)
                    .withDescription(
                            "NONE (plain, local relays only), STARTTLS (required, not"
                                    + " opportunistic) or TLS (implicit, e.g. port 465).");

    public static final ConfigOption<String> SMTP_FROM =
            key(PREFIX + "smtp.from")
                    .stringType()
                    .defaultValue("flinkwatch@localhost")
                    .withDescription("From address of alert emails.");

    public static final ConfigOption<String> SMTP_USERNAME =
            key(PREFIX + "smtp.username")
                    .stringType()
                    .defaultValue("")
                    .withDescription("SMTP AUTH user; empty: no authentication.");

    public static final ConfigOption<String> SMTP_PASSWORD =
            key(PREFIX + "smtp.password")
                    .stringType()
                    .defaultValue("")
                    .withDescription("SMTP AUTH password (never logged).");

    public static final ConfigOption<Duration> SMTP_CONNECT_TIMEOUT =
            key(PREFIX + "smtp.connect-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription("Time limit to connect to the SMTP server.");

    public static final ConfigOption<Duration> SMTP_TIMEOUT =
            key(PREFIX + "smtp.timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription("Time limit of each SMTP read and write.");

    public static final ConfigOption<Integer> SMTP_THREADS =
            key(PREFIX + "smtp.threads")
                    .intType()
                    .defaultValue(2)
                    .withDescription(
                            "Threads sending email (jakarta.mail blocks); more emails wait in a"
                                    + " bounded queue, beyond it an attempt is retried later.");

    /** The channel senders' options: the local stack takes these from its env and flags too. */
    public static List<ConfigOption<?>> channels() {
        return List.of(
                TELEGRAM_API_BASE,
                SMTP_HOST,
                SMTP_PORT,
                SMTP_SECURITY,
                SMTP_FROM,
                SMTP_USERNAME,
                SMTP_PASSWORD,
                SMTP_CONNECT_TIMEOUT,
                SMTP_TIMEOUT,
                SMTP_THREADS);
    }

    public static List<ConfigOption<?>> all() {
        List<ConfigOption<?>> all =
                new ArrayList<>(
                        List.of(
                                KAFKA_BOOTSTRAP_SERVERS,
                                ALERTS_TOPIC,
                                GROUP_ID,
                                JDBC_URL,
                                JDBC_USER,
                                JDBC_PASSWORD,
                                SECRET_KEYSET,
                                RETRY_WINDOW,
                                RETRY_INITIAL_BACKOFF,
                                RETRY_MAX_BACKOFF,
                                REQUEST_TIMEOUT,
                                MAX_IN_FLIGHT,
                                MAX_IN_FLIGHT_PER_RECEIVER,
                                POLL_INTERVAL,
                                ADDRESS_ALLOW_LIST,
                                API_BASE_URL));
        all.addAll(channels());
        return List.copyOf(all);
    }
}
