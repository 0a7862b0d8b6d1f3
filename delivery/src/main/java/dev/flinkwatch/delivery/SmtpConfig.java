package dev.flinkwatch.delivery;

import java.time.Duration;
import org.apache.flink.configuration.Configuration;

/**
 * The SMTP server of the email channel type (operator configuration, not tenant input); {@link
 * #toString()} never shows the password.
 *
 * @param host empty when email is not configured
 */
public record SmtpConfig(
        String host,
        int port,
        Security security,
        String from,
        String username,
        String password,
        Duration connectTimeout,
        Duration timeout,
        int threads) {

    /** How the connection to the SMTP server is protected. */
    public enum Security {
        /** Plain SMTP: local relays only. */
        NONE,
        /** STARTTLS, required (a server that does not offer it fails the attempt). */
        STARTTLS,
        /** Implicit TLS from the first byte (SMTPS, port 465). */
        TLS
    }

    public SmtpConfig {
        host = host == null ? "" : host.strip();
        username = username == null ? "" : username;
        password = password == null ? "" : password;
        if (threads < 1) {
            throw new IllegalArgumentException(
                    DeliveryOptions.SMTP_THREADS.key() + " must be >= 1");
        }
    }

    public static SmtpConfig from(Configuration conf) {
        return new SmtpConfig(
                conf.get(DeliveryOptions.SMTP_HOST),
                conf.get(DeliveryOptions.SMTP_PORT),
                conf.get(DeliveryOptions.SMTP_SECURITY),
                conf.get(DeliveryOptions.SMTP_FROM),
                conf.get(DeliveryOptions.SMTP_USERNAME),
                conf.get(DeliveryOptions.SMTP_PASSWORD),
                conf.get(DeliveryOptions.SMTP_CONNECT_TIMEOUT),
                conf.get(DeliveryOptions.SMTP_TIMEOUT),
                conf.get(DeliveryOptions.SMTP_THREADS));
    }

    /** The options' defaults: no SMTP server, so email deliveries fail as not configured. */
    public static SmtpConfig defaults() {
        return from(new Configuration());
    }

    /** A plain-SMTP server without authentication (local relays and tests). */
    public static SmtpConfig plain(String host, int port, String from) {
        SmtpConfig d = defaults();
        return new SmtpConfig(
                host, port, Security.NONE, from, "", "", d.connectTimeout, d.timeout, d.threads);
    }

    public SmtpConfig withAuth(String newUsername, String newPassword) {
        return new SmtpConfig(
                host,
                port,
                security,
                from,
                newUsername,
                newPassword,
                connectTimeout,
                timeout,
                threads);
    }

    public boolean configured() {
        return !host.isEmpty();
    }

    @Override
    public String toString() {
        return "SmtpConfig{host="
                + host
                + ", port="
                + port
                + ", security="
                + security
                + ", from="
                + from
                + ", username="
                + username
                + ", password="
                + (password.isEmpty() ? "<none>" : "<redacted>")
                + ", connectTimeout="
                + connectTimeout
                + ", timeout="
                + timeout
                + ", threads="
                + threads
                + "}";
    }
}
