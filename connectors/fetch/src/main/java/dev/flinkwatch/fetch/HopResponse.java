package dev.flinkwatch.fetch;

import io.netty.handler.codec.http.HttpHeaders;

/**
 * One HTTP response as the {@link BodyCollector} saw it.
 *
 * @param status the HTTP status code
 * @param statusText the reason phrase
 * @param headers the response headers
 * @param body the body bytes kept (only for 2xx, at most the limit), never null
 * @param receivedBytes body bytes received (also counted when discarded)
 * @param stoppedWith why the transfer was stopped early (TOO_LARGE, UNSUPPORTED_CONTENT_TYPE), or
 *     null when it ran to the end
 */
record HopResponse(
        int status,
        String statusText,
        HttpHeaders headers,
        byte[] body,
        long receivedBytes,
        FetchStatus stoppedWith) {

    boolean isRedirect() {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    /** 429 and 5xx other than 501 (not implemented will not change on a retry). */
    boolean isRetryable() {
        return status == 429 || (status >= 500 && status <= 599 && status != 501);
    }
}
