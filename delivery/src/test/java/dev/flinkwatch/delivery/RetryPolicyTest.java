package dev.flinkwatch.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private final RetryPolicy policy =
            new RetryPolicy(Duration.ofHours(24), Duration.ofSeconds(5), Duration.ofHours(2));
    private final Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private final Instant deliverBy = now.plus(Duration.ofHours(24));

    @Test
    void backoffDoublesWithinTheJitterBandAndIsCapped() {
        assertThat(policy.next(1, now, deliverBy, null, () -> 0.5)).contains(now.plusSeconds(5));
        assertThat(policy.next(3, now, deliverBy, null, () -> 0.5)).contains(now.plusSeconds(20));
        assertThat(policy.next(3, now, deliverBy, null, () -> 0.0)).contains(now.plusSeconds(16));
        assertThat(policy.next(3, now, deliverBy, null, () -> 0.999).orElseThrow())
                .isBefore(now.plusSeconds(24));
        assertThat(policy.next(40, now, deliverBy, null, () -> 0.5))
                .contains(now.plus(Duration.ofHours(2)));
    }

    @Test
    void retryAfterWinsWhenLongerButNeverBeyondTheCap() {
        assertThat(policy.next(1, now, deliverBy, Duration.ofSeconds(60), () -> 0.5))
                .contains(now.plusSeconds(60));
        assertThat(policy.next(1, now, deliverBy, Duration.ofDays(365), () -> 0.5))
                .contains(now.plus(Duration.ofHours(2)));
    }

    @Test
    void nothingAfterTheWindow() {
        assertThat(policy.next(1, now, now.plusSeconds(3), null, () -> 0.5)).isEmpty();
    }

    @Test
    void answersAreClassifiedAsTheSpecSays() {
        assertThat(AttemptResult.fromStatus(204, "No Content", null).delivered()).isTrue();
        assertThat(AttemptResult.fromStatus(410, "Gone", null).error())
                .isEqualTo(DeliveryError.GONE);
        assertThat(AttemptResult.fromStatus(429, null, Duration.ofSeconds(9)).retryAfter())
                .isEqualTo(Duration.ofSeconds(9));
        assertThat(AttemptResult.fromStatus(503, null, null).error().retryable()).isTrue();
        assertThat(AttemptResult.fromStatus(302, "Found", null).error())
                .isEqualTo(DeliveryError.HTTP_REJECTED);
        assertThat(AttemptResult.fromStatus(400, null, null).error().retryable()).isFalse();
        assertThat(GuardedHttpPoster.parseRetryAfter("120")).isEqualTo(Duration.ofSeconds(120));
        assertThat(GuardedHttpPoster.parseRetryAfter("soon")).isNull();
    }
}
