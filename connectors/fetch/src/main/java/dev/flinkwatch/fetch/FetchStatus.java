package dev.flinkwatch.fetch;

/** How one fetch ended. Every fetch ends in exactly one of these; none of them fails the job. */
public enum FetchStatus {
    /** A 2xx response with an accepted content type; the body is in the result. */
    OK,
    /** 304: the page did not change since the ETag / Last-Modified the request carried. */
    NOT_MODIFIED,
    /** A final non-2xx, non-304 status (after retries for 429 / 5xx); see the HTTP status. */
    HTTP_ERROR,
    /** Connect, read or total time limit reached. */
    TIMEOUT,
    /** The host name does not resolve. */
    DNS_FAILURE,
    /** The connection was refused, reset or closed early. */
    CONNECTION_ERROR,
    /** The TLS handshake failed (bad certificate, protocol mismatch). */
    TLS_ERROR,
    /** The URL (or a redirect hop) points at a refused address or scheme (SSRF guard). */
    BLOCKED_ADDRESS,
    /** The site's robots.txt disallows our user agent for this URL. */
    ROBOTS_DISALLOWED,
    /** The body exceeds the configured maximum; the transfer was stopped at the limit. */
    TOO_LARGE,
    /** The content type is not HTML, XHTML, XML, plain text or JSON. */
    UNSUPPORTED_CONTENT_TYPE,
    /** More redirects than the configured maximum. */
    TOO_MANY_REDIRECTS,
    // Appended (never reordered): enum constants are part of serialized results.
    /** Every DNS thread and queue place of the subtask was taken; not tried, nothing cached. */
    DNS_BUSY,
    /**
     * The host name or its address had every request slot taken and its bounded wait list full or
     * waited out (or more checks of the host were waiting for their polite turn than allowed): the
     * check was skipped so one slow or popular host cannot take the whole fetch capacity.
     */
    HOST_BUSY,
    /** The tenant had its maximum of fetches in flight on this subtask; the check was skipped. */
    TENANT_BUSY,
    /**
     * The response (after its headers) arrived slower than the minimum transfer rate, or stalled:
     * stopped early so a trickling server gives its request slot back.
     */
    SLOW_BODY,
    /** A browser source, but no browser service is configured or it cannot be reached. */
    RENDER_UNAVAILABLE,
    /** The browser service failed the render (its browser crashed, or it answered an error). */
    RENDER_FAILED,
    /** Every render slot and wait place of the browser service was taken; not tried. */
    RENDER_BUSY;

    /**
     * Whether the fetch stage declined the check for its own capacity, without trying the page:
     * such a check is recorded but is no failure of the source.
     */
    public boolean declined() {
        return this == DNS_BUSY || this == HOST_BUSY || this == TENANT_BUSY || this == RENDER_BUSY;
    }
}
