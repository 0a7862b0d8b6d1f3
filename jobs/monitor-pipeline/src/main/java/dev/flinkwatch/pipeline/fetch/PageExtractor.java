package dev.flinkwatch.pipeline.fetch;

import dev.flinkwatch.extraction.PageReader;
import dev.flinkwatch.fetch.FetchResult;
import dev.flinkwatch.fetch.FetchStatus;
import dev.flinkwatch.model.CheckRequest;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Turns a fetched page into the text the change detector compares, with the extraction module's
 * {@link PageReader} (the same code the API's preview runs). It runs where the body arrives (the
 * fetch stage), so the body never leaves the fetch subtask. Each monitor's source is a page series
 * of the reader's templates: a page that differs from the last one parsed only where no extraction
 * reads is not parsed again. Plain Java; not thread-safe (one per operator instance).
 */
public final class PageExtractor {
    private final PageReader reader;

    /**
     * @param maxExtractedChars cap of the text taken from one page
     * @param patternBudget time one check's patterns may run together (extraction and rule)
     * @param nanoTime the clock of the budget ({@code System::nanoTime})
     */
    public PageExtractor(int maxExtractedChars, Duration patternBudget, LongSupplier nanoTime) {
        this(maxExtractedChars, patternBudget, nanoTime, 0, PageReader.TemplateEvents.NONE);
    }

    /**
     * @param templateMemoryBytes heap of the page templates; 0 parses every page
     * @param events told of template reuses, learned templates and mismatches
     */
    public PageExtractor(
            int maxExtractedChars,
            Duration patternBudget,
            LongSupplier nanoTime,
            long templateMemoryBytes,
            PageReader.TemplateEvents events) {
        this.reader =
                new PageReader(
                        maxExtractedChars, patternBudget, nanoTime, templateMemoryBytes, events);
    }

    /** Templates held now. */
    public long templates() {
        return reader.templates();
    }

    /** The check's text, or why there is none; never throws for a hostile page or spec. */
    public FetchedText extract(FetchResult fetch) {
        if (fetch.status() != FetchStatus.OK) {
            return FetchedText.withoutPage(fetch);
        }
        CheckRequest request = fetch.request();
        PageReader.Read read =
                reader.read(
                        new PageReader.Series(request.monitorId(), request.url()),
                        fetch.body(),
                        fetch.contentType(),
                        fetch.finalUrl(),
                        request.selector(),
                        request.ignore());
        if (read.text() == null) {
            return FetchedText.unreadable(
                    fetch, read.rawHash(), read.error(), read.errorMessage(), read.patternNanos());
        }
        return FetchedText.read(
                fetch, read.rawHash(), read.text(), read.contentHash(), read.patternNanos());
    }
}
