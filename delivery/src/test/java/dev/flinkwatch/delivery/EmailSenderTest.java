package dev.flinkwatch.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.InternetAddress;
import java.net.SocketTimeoutException;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.junit.jupiter.api.Test;

class EmailSenderTest {
    private static SMTPAddressFailedException refused(int code) throws Exception {
        return new SMTPAddressFailedException(
                new InternetAddress("secret.person@example.test"), "RCPT TO", code, "refused");
    }

    @Test
    void smtpCodesDecideRetryAndNoRecipientLeaks() throws Exception {
        AttemptResult permanent = EmailSender.classify(refused(550));
        assertThat(permanent.error()).isEqualTo(DeliveryError.SMTP_REJECTED);
        assertThat(permanent.error().retryable()).isFalse();
        assertThat(permanent.message()).isEqualTo("SMTP 550").doesNotContain("secret.person");

        AttemptResult transientRefusal = EmailSender.classify(refused(451));
        assertThat(transientRefusal.error()).isEqualTo(DeliveryError.SMTP_TRANSIENT);
        assertThat(transientRefusal.error().retryable()).isTrue();

        // One recipient 4xx, another 5xx: the message can still go later, so it is retried.
        SendFailedException both = new SendFailedException("send failed");
        SMTPAddressFailedException first = refused(550);
        first.setNextException(refused(452));
        both.setNextException(first);
        assertThat(EmailSender.classify(both).error()).isEqualTo(DeliveryError.SMTP_TRANSIENT);
    }

    @Test
    void timeoutsAreRetried() {
        MessagingException timedOut =
                new MessagingException("read", new SocketTimeoutException("Read timed out"));
        assertThat(EmailSender.classify(timedOut).error()).isEqualTo(DeliveryError.TIMEOUT);
    }

    @Test
    void thePasswordIsNeverPrinted() {
        SmtpConfig smtp =
                SmtpConfig.plain("smtp.example", 587, "a@b.test").withAuth("user", "hunter2-pw");
        assertThat(smtp.toString()).doesNotContain("hunter2-pw").contains("<redacted>");
        DeliveryConfig config =
                new DeliveryConfig(
                                "k:9092",
                                "alerts",
                                "g",
                                "{keyset-json}",
                                new RetryPolicy(
                                        java.time.Duration.ofHours(1),
                                        java.time.Duration.ofSeconds(1),
                                        java.time.Duration.ofMinutes(1)),
                                java.time.Duration.ofSeconds(5),
                                1,
                                1,
                                java.time.Duration.ofMillis(100),
                                java.util.List.of(),
                                "http://api")
                        .withSmtp(smtp);
        assertThat(config.toString()).doesNotContain("hunter2-pw").doesNotContain("{keyset-json}");
    }
}
