package dev.flinkwatch.pipeline.fetch;

import dev.flinkwatch.extraction.ExtractionError;
import dev.flinkwatch.extraction.TextSanitizer;
import dev.flinkwatch.fetch.FetchResult;
import dev.flinkwatch.fetch.FetchStatus;
import dev.flinkwatch.model.CheckRequest;
import java.time.Instant;

/**
 * What the fetch stage hands the change detector for one check: the fetch's metadata and the text
 * extracted from the page (or why there is none), never the page itself, so a check crosses the
 * {@code keyBy(monitor)} shuffle as kilobytes. Every page-derived string in it is sanitized ({@link
 * TextSanitizer}). A Flink POJO (record) without Kryo. Build it with the named factories.
 *
 * @param request the request this answers (its selector and ignore patterns were applied)
 * @param status how the fetch ended
 * @param httpStatus the final HTTP status, null when no response was received
 * @param startedAt when the fetch started
 * @param finishedAt when the result was known
 * @param latencyMs finishedAt - startedAt in milliseconds
 * @param message the fetch's short explanation
 * @param rawHash hash of the (sanitized) body for {@link FetchStatus#OK}, else null: the change
 *     detector's byte-identical shortcut compares it with the previous body's
 * @param text the extracted, normalized text (capped by {@code max-extracted-chars}), null unless
 *     the page was read
 * @param contentHash hash of {@code text}
 * @param error why an OK page yielded no text, null otherwise
 * @param errorMessage the extraction error's message, naming the field
 * @param patternNanos time the check's patterns already ran here: the rule gets the rest of the
 *     check's one pattern budget
 * @param screenshot a rendered page's screenshot (JPEG, size-capped) when its source asked for one:
 *     the only page bytes that cross the shuffle, kept if the check is a change
 */
public record FetchedText(
        CheckRequest request,
        FetchStatus status,
        Integer httpStatus,
        Instant startedAt,
        Instant finishedAt,
        Long latencyMs,
        String message,
        String rawHash,
        String text,
        String contentHash,
        ExtractionError error,
        String errorMessage,
        long patternNanos,
        byte[] screenshot) {

    /** A fetch without a page to read (an error, a 304, a check the fetch stage declined). */
    public static FetchedText withoutPage(FetchResult f) {
        return new FetchedText(
                f.request(),
                f.status(),
                f.httpStatus(),
                f.startedAt(),
                f.finishedAt(),
                f.latencyMs(),
                TextSanitizer.clean(f.message()),
                null,
                null,
                null,
                null,
                null,
                0,
                null);
    }

    /** A page read: its text and hashes. */
    public static FetchedText read(
            FetchResult f, String rawHash, String text, String contentHash, long patternNanos) {
        return new FetchedText(
                f.request(),
                f.status(),
                f.httpStatus(),
                f.startedAt(),
                f.finishedAt(),
                f.latencyMs(),
                TextSanitizer.clean(f.message()),
                rawHash,
                text,
                contentHash,
                null,
                null,
                patternNanos,
                f.screenshot());
    }

    /** A page that yielded no text (the selector matched nothing, the patterns ran too long...). */
    public static FetchedText unreadable(
            FetchResult f,
            String rawHash,
            ExtractionError error,
            String errorMessage,
            long patternNanos) {
        return new FetchedText(
                f.request(),
                f.status(),
                f.httpStatus(),
                f.startedAt(),
                f.finishedAt(),
                f.latencyMs(),
                TextSanitizer.clean(f.message()),
                rawHash,
                null,
                null,
                error,
                TextSanitizer.clean(errorMessage),
                patternNanos,
                null);
    }

    /** The age of its content: when its fetch started (its due time if it never did). */
    public Instant contentStartedAt() {
        return contentStartedAt(startedAt, request);
    }

    /**
     * The age of a fetch's content: content is as old as its fetch, not as its schedule (a late
     * retry of an old check reads today's page).
     */
    public static Instant contentStartedAt(Instant startedAt, CheckRequest request) {
        return startedAt != null ? startedAt : request.scheduledAt();
    }
}
