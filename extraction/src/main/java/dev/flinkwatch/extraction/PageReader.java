package dev.flinkwatch.extraction;

import dev.flinkwatch.model.Hashing;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Turns a fetched page body into the text the change detector compares: sanitizes the body, hashes
 * it, applies the selector and ignore patterns and normalizes ({@link PageText}) under the check's
 * {@link PatternBudget}. One copy for the pipeline's fetch stage and the API's preview. Plain Java;
 * not thread-safe (one per operator instance or per caller thread).
 */
public final class PageReader {
    private static final int COMPILED_PATTERNS = 10_000;

    private final PageText pageText;
    private final Duration patternBudget;
    private final LongSupplier nanoTime;

    /**
     * @param maxExtractedChars cap of the text taken from one page
     * @param patternBudget time one check's patterns may run together (extraction and rule)
     * @param nanoTime the clock of the budget ({@code System::nanoTime})
     */
    public PageReader(int maxExtractedChars, Duration patternBudget, LongSupplier nanoTime) {
        this.pageText = new PageText(new Patterns(COMPILED_PATTERNS), maxExtractedChars);
        this.patternBudget = patternBudget;
        this.nanoTime = nanoTime;
    }

    /**
     * What a page yielded.
     *
     * @param rawHash hash of the sanitized body
     * @param text the extracted, normalized text; null when there is none
     * @param contentHash hash of {@code text}; null when there is none
     * @param error why there is no text; null when there is
     * @param errorMessage the error's message, naming the field
     * @param patternNanos time the patterns ran
     */
    public record Read(
            String rawHash,
            String text,
            String contentHash,
            ExtractionError error,
            String errorMessage,
            long patternNanos) {}

    /** Reads a page; never throws for a hostile page or spec. */
    public Read read(
            String body,
            String contentType,
            String finalUrl,
            String selector,
            List<String> ignore) {
        String clean = TextSanitizer.clean(body == null ? "" : body);
        String rawHash = Hashing.sha256Hex128(clean);
        PatternBudget budget = new PatternBudget(patternBudget, nanoTime);
        PageText.Extracted extracted;
        try {
            extracted =
                    pageText.extract(
                            clean,
                            TextSanitizer.clean(contentType),
                            TextSanitizer.clean(finalUrl),
                            selector,
                            ignore == null ? List.of() : ignore,
                            budget);
        } catch (IllegalArgumentException | IllegalStateException e) {
            // a pattern today's rules reject (stored before they tightened); the change detector
            // validates the spec and names the fields, this only keeps the stage running
            return new Read(
                    rawHash,
                    null,
                    null,
                    ExtractionError.INVALID_SPEC,
                    TextSanitizer.clean(String.valueOf(e.getMessage())),
                    budget.spentNanos());
        }
        if (!extracted.ok()) {
            return new Read(
                    rawHash,
                    null,
                    null,
                    extracted.error(),
                    TextSanitizer.clean(extracted.errorMessage()),
                    budget.spentNanos());
        }
        return new Read(
                rawHash,
                extracted.text(),
                Hashing.sha256Hex128(extracted.text()),
                null,
                null,
                budget.spentNanos());
    }
}
