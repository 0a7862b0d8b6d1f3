package dev.flinkwatch.fetch;

import dev.flinkwatch.model.CheckRequest;
import java.time.Duration;
import java.time.Instant;

/**
 * What one fetch of one {@link CheckRequest} produced: always exactly one per request, failures
 * included. A Flink POJO (record) without Kryo.
 *
 * @param request the request this answers
 * @param status how the fetch ended
 * @param httpStatus the final HTTP status, null when no response was received
 * @param finalUrl the URL of the final response after redirects (the request URL if none)
 * @param contentType the final response's Content-Type header, null if absent
 * @param charset the charset the body was decoded with, null without a body
 * @param body the decoded body text for {@link FetchStatus#OK}, otherwise null
 * @param etag the final response's ETag, to send as If-None-Match next time; on NOT_MODIFIED the
 *     server's value, or the request's when the server sent none
 * @param lastModified the final response's Last-Modified, to send as If-Modified-Since next time;
 *     kept from the request on NOT_MODIFIED like the etag
 * @param startedAt when the fetch started (the operator received the request)
 * @param finishedAt when the result was known
 * @param latencyMs finishedAt - startedAt in milliseconds, politeness and retry waits included
 * @param attempts HTTP exchanges tried for the final URL (1 without retries, 0 when none was sent)
 * @param redirects redirects followed
 * @param bodyBytes body bytes received for the final response (decompressed)
 * @param message a short human-readable explanation (why it failed, or "200 OK")
 * @param screenshot a rendered page's JPEG screenshot when its source asked for one, else null
 */
public record FetchResult(
        CheckRequest request,
        FetchStatus status,
        Integer httpStatus,
        String finalUrl,
        String contentType,
        String charset,
        String body,
        String etag,
        String lastModified,
        Instant startedAt,
        Instant finishedAt,
        Long latencyMs,
        Integer attempts,
        Integer redirects,
        Long bodyBytes,
        String message,
        byte[] screenshot) {

    /**
     * A check that was never sent (e.g. {@link FetchStatus#HOST_BUSY}: too many checks of its host
     * waiting): a failure result like any other, so the change detector records it.
     */
    public static FetchResult skipped(
            CheckRequest request, FetchStatus status, String message, Instant at) {
        return failed(request, status, message, at, at);
    }

    /**
     * A page the browser service rendered: its DOM after scripts ran, as an HTML body (no
     * validators: a render is never conditional).
     *
     * @param httpStatus the main document's status
     * @param renderMs how long the service took to render
     * @param screenshot the page's JPEG screenshot, null when none was asked or kept
     */
    public static FetchResult rendered(
            CheckRequest request,
            int httpStatus,
            String finalUrl,
            String html,
            Instant startedAt,
            Instant finishedAt,
            long renderMs,
            byte[] screenshot) {
        boolean ok = httpStatus >= 200 && httpStatus < 300;
        return new FetchResult(
                request,
                ok ? FetchStatus.OK : FetchStatus.HTTP_ERROR,
                httpStatus,
                finalUrl,
                "text/html",
                "UTF-8",
                ok ? html : null,
                null,
                null,
                startedAt,
                finishedAt,
                Duration.between(startedAt, finishedAt).toMillis(),
                1,
                0,
                ok ? (long) html.length() : 0L,
                httpStatus + (ok ? " rendered in " + renderMs + " ms" : " from the page"),
                ok ? screenshot : null);
    }

    /**
     * This result as the answer to {@code other}, a request that shared its fetch: everything the
     * page said, including when the fetch started (the change detector orders content by it).
     */
    public FetchResult answering(CheckRequest other) {
        return new FetchResult(
                other,
                status,
                httpStatus,
                finalUrl,
                contentType,
                charset,
                body,
                etag,
                lastModified,
                startedAt,
                finishedAt,
                latencyMs,
                attempts,
                redirects,
                bodyBytes,
                message,
                screenshot);
    }

    /** A fetch or render that ended without a page, after it was tried (or found impossible). */
    public static FetchResult failed(
            CheckRequest request,
            FetchStatus status,
            String message,
            Instant startedAt,
            Instant finishedAt) {
        return new FetchResult(
                request,
                status,
                null,
                request.url(),
                null,
                null,
                null,
                null,
                null,
                startedAt,
                finishedAt,
                Duration.between(startedAt, finishedAt).toMillis(),
                0,
                0,
                0L,
                message,
                null);
    }
}
