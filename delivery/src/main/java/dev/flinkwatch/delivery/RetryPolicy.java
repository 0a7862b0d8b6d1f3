package dev.flinkwatch.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * When to try a failed delivery again: exponential backoff ({@code initial * 2^(attempts-1)},
 * capped at {@code maxBackoff}) with ±20% jitter so receivers that come back are not hit by every
 * sender at once; a receiver's Retry-After wins when it asks for longer. Nothing is retried after
 * {@code window} from the alert's arrival.
 */
public record RetryPolicy(Duration window, Duration initialBackoff, Duration maxBackoff) {

    public RetryPolicy {
        if (window.isNegative() || initialBackoff.isNegative() || maxBackoff.isNegative()) {
            throw new IllegalArgumentException("retry durations must not be negative");
        }
    }

    /**
     * The next attempt's time, or empty when it would fall after {@code deliverBy}.
     *
     * @param attempts attempts made so far (at least 1)
     * @param retryAfter the receiver's Retry-After, or null
     * @param random a value in [0, 1)
     */
    public Optional<Instant> next(
            int attempts,
            Instant now,
            Instant deliverBy,
            Duration retryAfter,
            DoubleSupplier random) {
        long base = initialBackoff.toMillis() << Math.min(Math.max(attempts - 1, 0), 30);
        long capped = Math.min(base < 0 ? Long.MAX_VALUE : base, maxBackoff.toMillis());
        long wait = (long) (capped * (0.8 + 0.4 * random.getAsDouble()));
        if (retryAfter != null) {
            wait = Math.max(wait, Math.min(retryAfter.toMillis(), maxBackoff.toMillis()));
        }
        Instant at = now.plusMillis(wait);
        return at.isAfter(deliverBy) ? Optional.empty() : Optional.of(at);
    }
}
