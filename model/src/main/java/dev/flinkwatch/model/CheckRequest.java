package dev.flinkwatch.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One scheduled fetch of one source of a monitor, emitted by the scheduler when the monitor is due.
 * Created with {@link #scheduled}; the fetch stage adds validators with {@link #withValidators}.
 *
 * @param monitorId the monitor
 * @param tenantId its owner
 * @param specVersion the spec version that scheduled this check
 * @param url the source URL
 * @param selector the source's CSS selector, or null
 * @param ignore the spec's ignore patterns (null: none), so the fetch stage extracts the text the
 *     change detector compares without the spec
 * @param scheduledAt when the check was due
 * @param etag validator from the previous response, for a conditional GET; null if unknown
 * @param lastModified validator from the previous response, for a conditional GET; null if unknown
 * @param render how the page is read; null (requests from before the field) means HTTP
 * @param screenshot whether the browser should take a screenshot; null means no
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CheckRequest(
        UUID monitorId,
        UUID tenantId,
        long specVersion,
        String url,
        String selector,
        List<String> ignore,
        Instant scheduledAt,
        String etag,
        String lastModified,
        Render render,
        Boolean screenshot) {

    /** The check of {@code source} that the spec's version {@code specVersion} schedules. */
    public static CheckRequest scheduled(
            UUID monitorId,
            UUID tenantId,
            long specVersion,
            Source source,
            List<String> ignore,
            Instant scheduledAt) {
        return new CheckRequest(
                monitorId,
                tenantId,
                specVersion,
                source.url(),
                source.selector(),
                ignore,
                scheduledAt,
                null,
                null,
                source.rendered() ? Render.BROWSER : null,
                source.wantsScreenshot() ? Boolean.TRUE : null);
    }

    /** This request made conditional on a previous response's validators. */
    public CheckRequest withValidators(String etag, String lastModified) {
        return new CheckRequest(
                monitorId,
                tenantId,
                specVersion,
                url,
                selector,
                ignore,
                scheduledAt,
                etag,
                lastModified,
                render,
                screenshot);
    }

    /** Whether the page is rendered by the browser service rather than fetched. */
    public boolean rendered() {
        return render == Render.BROWSER;
    }

    /** Whether the request reads its page the way {@code source} says (selector, render mode). */
    public boolean readsLike(Source source) {
        return source.readsLike(new Source(url, selector, render, screenshot));
    }
}
