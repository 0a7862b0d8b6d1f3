package dev.flinkwatch.fetch;

/** How one fetch ended. Every fetch ends in exactly one of these; none of them fails the job. */
public enum FetchStatus {
    /** A 2xx response with an accepted content type; the body is in the result. */
    OK,
    /** 304: the page did not change since the ETag / Last-Modified the request carried. */
    NOT_MODIFIED,
    /** A final non-2xx, non-304 status (after retries for 429 / 5xx); see the HTTP status. */
    HTTP_ERROR,
    /** Connect, read or total time limit reached (including waiting for a polite slot). */
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
    TOO_MANY_REDIRECTS
}
