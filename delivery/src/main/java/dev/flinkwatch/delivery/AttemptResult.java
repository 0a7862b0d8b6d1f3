package dev.flinkwatch.delivery;

import java.time.Duration;

/**
 * What one attempt ended with.
 *
 * @param httpStatus the receiver's status code, or null when no answer arrived
 * @param error null when delivered (2xx)
 * @param message detail for {@code last_error}; never contains the receiver URL
 * @param retryAfter the receiver's Retry-After, or null
 */
public record AttemptResult(
        Integer httpStatus, DeliveryError error, String message, Duration retryAfter) {

    public boolean delivered() {
        return error == null;
    }

    static AttemptResult ok(int status) {
        return new AttemptResult(status, null, null, null);
    }

    static AttemptResult failed(DeliveryError error, String message) {
        return new AttemptResult(null, error, message, null);
    }

    /** Classifies an HTTP answer: 2xx delivered, 410 gone, 429/5xx retried, anything else final. */
    static AttemptResult fromStatus(int status, String statusText, Duration retryAfter) {
        if (status >= 200 && status < 300) {
            return ok(status);
        }
        String message = "HTTP " + status + (statusText == null ? "" : " " + statusText);
        if (status == 410) {
            return new AttemptResult(status, DeliveryError.GONE, message, null);
        }
        if (status == 429 || status >= 500) {
            return new AttemptResult(status, DeliveryError.HTTP_RETRYABLE, message, retryAfter);
        }
        return new AttemptResult(status, DeliveryError.HTTP_REJECTED, message, null);
    }
}
