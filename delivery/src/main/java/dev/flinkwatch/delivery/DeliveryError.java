package dev.flinkwatch.delivery;

/** Why an attempt did not deliver; stored as the prefix of {@code deliveries.last_error}. */
public enum DeliveryError {
    /** The receiver's address is refused by the SSRF policy: final. */
    BLOCKED_ADDRESS(false),
    /** The receiver's host did not resolve: retried (DNS outages pass). */
    DNS_FAILURE(true),
    /** No answer within the request timeout (a hanging receiver): retried. */
    TIMEOUT(true),
    /** Connection refused or reset: retried. */
    CONNECTION_ERROR(true),
    /** 429 or 5xx: retried, honouring Retry-After. */
    HTTP_RETRYABLE(true),
    /** Any other non-2xx answer (4xx, and 3xx: redirects are never followed): final. */
    HTTP_REJECTED(false),
    /** 410 Gone: the receiver asks us to stop: final. */
    GONE(false),
    /**
     * The channel's settings cannot work (not an http(s) URL, no bot token or chat id, a bad
     * recipient address, no SMTP server configured): final.
     */
    INVALID_SETTINGS(false),
    /** The SMTP server answered 4xx (or the connection broke mid-session): retried. */
    SMTP_TRANSIENT(true),
    /** The SMTP server answered 5xx (a refused recipient or message): final. */
    SMTP_REJECTED(false),
    /** The channel was disabled or deleted before the delivery was sent: final. */
    CHANNEL_DISABLED(false),
    /** The receiver kept failing until the retry window closed. */
    WINDOW_EXPIRED(false);

    private final boolean retryable;

    DeliveryError(boolean retryable) {
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
