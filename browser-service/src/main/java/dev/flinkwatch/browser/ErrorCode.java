package dev.flinkwatch.browser;

import java.util.Locale;

/** Why a render did not produce a page: the {@code error.code} of an error answer. */
public enum ErrorCode {
    /** The request body is malformed; {@code fields} names the field. */
    VALIDATION_FAILED(400),
    /** The document URL or one of its redirect hops is refused by the SSRF guard. */
    BLOCKED_ADDRESS(422),
    /** The render took longer than its timeout (the hard one included). */
    TIMEOUT(504),
    /** DNS, connection, TLS or protocol failure of the document. */
    NAVIGATION_FAILED(502),
    /** No slot and no room in the wait queue; retry later (Retry-After). */
    BUSY(503),
    /** The browser died during the render; it has been replaced. */
    BROWSER_CRASHED(502);

    private final int httpStatus;

    ErrorCode(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** The code as it appears on the wire, e.g. {@code blocked_address}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
