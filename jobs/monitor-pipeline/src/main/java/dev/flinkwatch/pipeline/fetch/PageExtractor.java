package dev.flinkwatch.pipeline.fetch;

import dev.flinkwatch.extraction.ExtractionError;
import dev.flinkwatch.extraction.PageText;
import dev.flinkwatch.extraction.PatternBudget;
import dev.flinkwatch.extraction.Patterns;
import dev.flinkwatch.extraction.TextSanitizer;
import dev.flinkwatch.fetch.FetchResult;
import dev.flinkwatch.fetch.FetchStatus;
import dev.flinkwatch.model.CheckRequest;
import dev.flinkwatch.model.Hashing;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Turns a fetched page into the text the change detector compares: sanitizes the body, hashes it,
 * applies the request's selector and ignore patterns and normalizes ({@link PageText}) under the
 * check's {@link PatternBudget}. It runs where the body arrives (the fetch stage), so the body
 * never leaves the fetch subtask. Plain Java; not thread-safe (one per operator instance).
 */
public final class PageExtractor {
    private static final int COMPILED_PATTERNS = 10_000;

    private final PageText pageText;
    private final Duration patternBudget;
    private final LongSupplier nanoTime;

    /**
     * @param maxExtractedChars cap of the text taken from one page
     * @param patternBudget time one check's patterns may run together (extraction and rule)
     * @param nanoTime the clock of the budget ({@code System::nanoTime})
     */
    public PageExtractor(int maxExtractedChars, Duration patternBudget, LongSupplier nanoTime) {
        this.pageText = new PageText(new Patterns(COMPILED_PATTERNS), maxExtractedChars);
        this.patternBudget = patternBudget;
        this.nanoTime = nanoTime;
    }

    /** The check's text, or why there is none; never throws for a hostile page or spec. */
    public FetchedText extract(FetchResult fetch) {
        if (fetch.status() != FetchStatus.OK) {
            return FetchedText.withoutPage(fetch);
        }
        String body = TextSanitizer.clean(fetch.body() == null ? "" : fetch.body());
        String rawHash = Hashing.sha256Hex128(body);
        CheckRequest request = fetch.request();
        List<String> ignore = request.ignore() == null ? List.of() : request.ignore();
        PatternBudget budget = new PatternBudget(patternBudget, nanoTime);
        PageText.Extracted extracted;
        try {
            extracted =
                    pageText.extract(
                            body,
                            TextSanitizer.clean(fetch.contentType()),
                            TextSanitizer.clean(fetch.finalUrl()),
                            request.selector(),
                            ignore,
                            budget);
        } catch (IllegalArgumentException | IllegalStateException e) {
            // a pattern today's rules reject (stored before they tightened); the change detector
            // validates the spec and names the fields, this only keeps the stage running
            return FetchedText.unreadable(
                    fetch,
                    rawHash,
                    ExtractionError.INVALID_SPEC,
                    String.valueOf(e.getMessage()),
                    budget.spentNanos());
        }
        if (!extracted.ok()) {
            return FetchedText.unreadable(
                    fetch,
                    rawHash,
                    extracted.error(),
                    extracted.errorMessage(),
                    budget.spentNanos());
        }
        return FetchedText.read(
                fetch,
                rawHash,
                extracted.text(),
                Hashing.sha256Hex128(extracted.text()),
                budget.spentNanos());
    }
}
