package dev.flinkwatch.render;

import dev.flinkwatch.fetch.FetchStatus;
import java.util.Locale;

/** The browser service's error codes (its contract) and the fetch status each one records. */
enum ServiceError {
    VALIDATION_FAILED(FetchStatus.RENDER_FAILED),
    BLOCKED_ADDRESS(FetchStatus.BLOCKED_ADDRESS),
    TIMEOUT(FetchStatus.TIMEOUT),
    NAVIGATION_FAILED(FetchStatus.CONNECTION_ERROR),
    BUSY(FetchStatus.RENDER_BUSY),
    BROWSER_CRASHED(FetchStatus.RENDER_FAILED);

    private final FetchStatus status;

    ServiceError(FetchStatus status) {
        this.status = status;
    }

    /**
     * The status a check records for an error answer: Chromium's network error names tell DNS and
     * TLS failures apart from other navigation failures, as the plain fetcher does.
     */
    static FetchStatus statusOf(String code, String message) {
        ServiceError error = parse(code);
        if (error == null) {
            return FetchStatus.RENDER_FAILED;
        }
        if (error == NAVIGATION_FAILED && message != null) {
            if (message.contains("ERR_NAME_NOT_RESOLVED")) {
                return FetchStatus.DNS_FAILURE;
            }
            if (message.contains("ERR_CERT") || message.contains("ERR_SSL")) {
                return FetchStatus.TLS_ERROR;
            }
        }
        return error.status;
    }

    private static ServiceError parse(String code) {
        if (code == null) {
            return null;
        }
        try {
            return valueOf(code.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
