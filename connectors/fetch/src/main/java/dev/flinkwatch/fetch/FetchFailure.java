package dev.flinkwatch.fetch;

import io.netty.channel.ConnectTimeoutException;
import java.net.UnknownHostException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * Why a fetch step could not go on, carried through the fetch's future chain and turned into a
 * {@link FetchResult} at the end. Never leaves the fetcher.
 */
final class FetchFailure extends RuntimeException {
    private final FetchStatus status;
    private final Integer httpStatus;

    FetchFailure(FetchStatus status, String message) {
        this(status, message, null);
    }

    FetchFailure(FetchStatus status, String message, Integer httpStatus) {
        // No stack trace: these are expected outcomes, created often.
        super(message, null, false, false);
        this.status = status;
        this.httpStatus = httpStatus;
    }

    FetchStatus status() {
        return status;
    }

    Integer httpStatus() {
        return httpStatus;
    }

    /** Whether trying the same URL again may help: timeouts and connection errors. */
    boolean isRetryable() {
        return status == FetchStatus.TIMEOUT || status == FetchStatus.CONNECTION_ERROR;
    }

    /** What an exception from the HTTP client (or our own chain) means for the fetch. */
    static FetchFailure from(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof FetchFailure failure) {
            return failure;
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof TimeoutException || c instanceof ConnectTimeoutException) {
                return new FetchFailure(FetchStatus.TIMEOUT, describe(c));
            }
            if (c instanceof SSLException) {
                return new FetchFailure(FetchStatus.TLS_ERROR, "TLS failed: " + describe(c));
            }
            if (c instanceof UnknownHostException) {
                return new FetchFailure(FetchStatus.DNS_FAILURE, describe(c));
            }
        }
        return new FetchFailure(FetchStatus.CONNECTION_ERROR, describe(t));
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank()
                ? t.getClass().getSimpleName()
                : t.getClass().getSimpleName() + ": " + message;
    }
}
