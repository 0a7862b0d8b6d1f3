package dev.flinkwatch.delivery;

import dev.flinkwatch.model.net.AddressPolicy;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.Configuration;

/**
 * The delivery component's settings, read from {@link DeliveryOptions}; {@link #toString()} never
 * shows the keyset, the database password or the SMTP password.
 */
public record DeliveryConfig(
        String kafkaBootstrapServers,
        String alertsTopic,
        String groupId,
        String secretKeyset,
        RetryPolicy retry,
        Duration requestTimeout,
        int maxInFlight,
        int maxInFlightPerReceiver,
        Duration pollInterval,
        List<String> addressAllowList,
        String apiBaseUrl,
        String telegramApiBase,
        SmtpConfig smtp) {

    public DeliveryConfig {
        if (secretKeyset == null || secretKeyset.isBlank()) {
            throw new IllegalArgumentException(
                    DeliveryOptions.SECRET_KEYSET.key() + " is required");
        }
        if (maxInFlight < 1 || maxInFlightPerReceiver < 1) {
            throw new IllegalArgumentException("in-flight limits must be at least 1");
        }
        addressAllowList = List.copyOf(addressAllowList);
        AddressPolicy.defaults().withAllowList(addressAllowList); // throws on a bad entry
        telegramApiBase =
                telegramApiBase == null
                        ? DeliveryOptions.TELEGRAM_API_BASE.defaultValue()
                        : stripTrailingSlash(telegramApiBase);
        smtp = smtp == null ? SmtpConfig.defaults() : smtp;
    }

    /** The channel senders' settings at their defaults (Telegram's public API, no SMTP). */
    public DeliveryConfig(
            String kafkaBootstrapServers,
            String alertsTopic,
            String groupId,
            String secretKeyset,
            RetryPolicy retry,
            Duration requestTimeout,
            int maxInFlight,
            int maxInFlightPerReceiver,
            Duration pollInterval,
            List<String> addressAllowList,
            String apiBaseUrl) {
        this(
                kafkaBootstrapServers,
                alertsTopic,
                groupId,
                secretKeyset,
                retry,
                requestTimeout,
                maxInFlight,
                maxInFlightPerReceiver,
                pollInterval,
                addressAllowList,
                apiBaseUrl,
                null,
                null);
    }

    public static DeliveryConfig from(Configuration conf) {
        return new DeliveryConfig(
                conf.get(DeliveryOptions.KAFKA_BOOTSTRAP_SERVERS),
                conf.get(DeliveryOptions.ALERTS_TOPIC),
                conf.get(DeliveryOptions.GROUP_ID),
                conf.get(DeliveryOptions.SECRET_KEYSET),
                new RetryPolicy(
                        conf.get(DeliveryOptions.RETRY_WINDOW),
                        conf.get(DeliveryOptions.RETRY_INITIAL_BACKOFF),
                        conf.get(DeliveryOptions.RETRY_MAX_BACKOFF)),
                conf.get(DeliveryOptions.REQUEST_TIMEOUT),
                conf.get(DeliveryOptions.MAX_IN_FLIGHT),
                conf.get(DeliveryOptions.MAX_IN_FLIGHT_PER_RECEIVER),
                conf.get(DeliveryOptions.POLL_INTERVAL),
                conf.get(DeliveryOptions.ADDRESS_ALLOW_LIST),
                conf.get(DeliveryOptions.API_BASE_URL),
                conf.get(DeliveryOptions.TELEGRAM_API_BASE),
                SmtpConfig.from(conf));
    }

    public DeliveryConfig withTelegramApiBase(String base) {
        return new DeliveryConfig(
                kafkaBootstrapServers,
                alertsTopic,
                groupId,
                secretKeyset,
                retry,
                requestTimeout,
                maxInFlight,
                maxInFlightPerReceiver,
                pollInterval,
                addressAllowList,
                apiBaseUrl,
                base,
                smtp);
    }

    public DeliveryConfig withSmtp(SmtpConfig newSmtp) {
        return new DeliveryConfig(
                kafkaBootstrapServers,
                alertsTopic,
                groupId,
                secretKeyset,
                retry,
                requestTimeout,
                maxInFlight,
                maxInFlightPerReceiver,
                pollInterval,
                addressAllowList,
                apiBaseUrl,
                telegramApiBase,
                newSmtp);
    }

    private static String stripTrailingSlash(String url) {
        String u = url.strip();
        return u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
    }

    public AddressPolicy addressPolicy() {
        return AddressPolicy.defaults().withAllowList(addressAllowList);
    }

    @Override
    public String toString() {
        return "DeliveryConfig{kafka="
                + kafkaBootstrapServers
                + ", topic="
                + alertsTopic
                + ", groupId="
                + groupId
                + ", secretKeyset=<redacted>, retry="
                + retry
                + ", requestTimeout="
                + requestTimeout
                + ", maxInFlight="
                + maxInFlight
                + ", maxInFlightPerReceiver="
                + maxInFlightPerReceiver
                + ", pollInterval="
                + pollInterval
                + ", addressAllowList="
                + addressAllowList
                + ", apiBaseUrl="
                + apiBaseUrl
                + ", telegramApiBase="
                + telegramApiBase
                + ", smtp="
                + smtp
                + "}";
    }
}
