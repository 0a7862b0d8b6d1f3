package dev.flinkwatch.fetch;

import io.netty.channel.ConnectTimeoutException;
import java.net.UnknownHostException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * Why a fetch step could not go on, carried through the fetch's future chain and turned into a
 * {@link FetchResult} at the end. Never leaves the fetcher.
 */
final class FetchFailure extends RuntimeException {
    private static final String IPV4 = "\\d{1,3}(?:\\.\\d{1,3}){3}";
    private static final String IPV6 = "\\[?[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){3,7}(?:%\\w+)?]?";

    /** {@code name/address:port} as socket addresses print themselves: keeps the name. */
    private static final Pattern SOCKET_ADDRESS =
            Pattern.compile("/(?:" + IPV4 + "|" + IPV6 + ")(?::\\d+)?");

    private static final Pattern BARE_ADDRESS =
            Pattern.compile("(?<![\\w.:])(?:" + IPV4 + "|" + IPV6 + ")(?![\\w.:])");

    private final FetchStatus status;
    private final Integer httpStatus;
    private final boolean retryable;

    FetchFailure(FetchStatus status, String message) {
        this(status, message, null);
    }

    FetchFailure(FetchStatus status, String message, Integer httpStatus) {
        this(status, message, httpStatus, status == FetchStatus.CONNECTION_ERROR);
    }

    private FetchFailure(
            FetchStatus status, String message, Integer httpStatus, boolean retryable) {
        // No stack trace: these are expected outcomes, created often.
        super(message, null, false, false);
        this.status = status;
        this.httpStatus = httpStatus;
        this.retryable = retryable;
    }

    FetchStatus status() {
        return status;
    }

    Integer httpStatus() {
        return httpStatus;
    }

    /**
     * Whether trying the same URL again may help: connection errors and connect timeouts. A server
     * that accepted the connection and then went silent or trickled is not asked again within the
     * same check: each retry would hold a request slot for another full timeout.
     */
    boolean isRetryable() {
        return retryable;
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
            if (c instanceof ConnectTimeoutException) {
                return new FetchFailure(FetchStatus.TIMEOUT, describe(c), null, true);
            }
            if (c instanceof TimeoutException) {
                return new FetchFailure(FetchStatus.TIMEOUT, describe(c), null, false);
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

    /** The exception's class and message, without the addresses the client connected to. */
    private static String describe(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank()
                ? t.getClass().getSimpleName()
                : t.getClass().getSimpleName() + ": " + redactAddresses(message);
    }

    /**
     * A message tenants may see: IP addresses removed, since the address a name resolved to (an
     * allow-listed internal one, say) is not theirs to learn. A socket address keeps its host name.
     */
    static String redactAddresses(String message) {
        String named = SOCKET_ADDRESS.matcher(message).replaceAll("");
        return BARE_ADDRESS.matcher(named).replaceAll("<address>");
    }
}
