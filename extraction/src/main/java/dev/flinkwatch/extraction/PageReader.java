package dev.flinkwatch.extraction;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.flinkwatch.model.Hashing;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * Turns a fetched page body into the text the change detector compares: sanitizes the body, hashes
 * it, applies the selector and ignore patterns and normalizes ({@link PageText}) under the check's
 * {@link PatternBudget}. One copy for the pipeline's fetch stage and the API's preview. Plain Java;
 * not thread-safe (one per operator instance or per caller thread).
 *
 * <p>With template memory, it remembers for each page series (a monitor's source) the {@link
 * PageTemplate} and text of the last page it parsed, and a page that differs from it only where no
 * extraction reads (nonces, tokens, timestamps) takes that text without being parsed. Every {@link
 * #VERIFY_EVERY}th such page is parsed anyway and compared, a guard that a wrong reuse is seen
 * ({@link TemplateEvents#mismatched}) and corrected.
 */
public final class PageReader {
    private static final int COMPILED_PATTERNS = 10_000;

    /** One reused page in this many is parsed and compared. */
    public static final int VERIFY_EVERY = 64;

    /** Most pages in a row that do not match their series' template before one is learned from. */
    static final int MAX_LEARN_GAP = 64;

    /** Heap of one remembered page besides its template and strings: Caffeine's node, key. */
    private static final int ENTRY_OVERHEAD_BYTES = 200;

    private final PageText pageText;
    private final Duration patternBudget;
    private final LongSupplier nanoTime;
    private final Cache<Series, Remembered> templates;
    private final TemplateEvents events;
    private long reused;

    /** The pages of one series are compared with each other: a monitor's source. */
    public record Series(UUID monitorId, String url) {}

    /** What happens to templates, for metrics and logs. */
    public interface TemplateEvents {
        TemplateEvents NONE = new TemplateEvents() {};

        /** A page took its series' remembered text without being parsed. */
        default void reused() {}

        /** A parsed page's template was remembered. */
        default void learned() {}

        /** A page the template said was unchanged extracted differently when parsed. */
        default void mismatched(Series series) {}
    }

    /**
     * A series' last learned page: its template (null when it had none) and text, and how many
     * pages since did not match it.
     */
    private static final class Remembered {
        final String selector;
        final List<String> ignore;
        final PageTemplate template;
        final String text;
        final String contentHash;
        int misses;

        Remembered(
                String selector,
                List<String> ignore,
                PageTemplate template,
                String text,
                String contentHash,
                int misses) {
            this.selector = selector;
            this.ignore = ignore;
            this.template = template;
            this.text = text;
            this.contentHash = contentHash;
            this.misses = misses;
        }

        boolean fits(String selector, List<String> ignore) {
            return Objects.equals(this.selector, selector) && this.ignore.equals(ignore);
        }

        boolean matches(String body) {
            return template != null && template.matches(body);
        }

        /**
         * Counts a page that did not match; true when this one should be learned from: the 1st,
         * 2nd, 4th ... miss in a row, then every {@link #MAX_LEARN_GAP}th. Learning (positions
         * tracked, cut, hashed) costs about half a parse again, and a page whose watched text
         * changes on every check would pay it on every check.
         */
        boolean learnAfterMiss() {
            misses++;
            return Integer.bitCount(misses) == 1 || misses % MAX_LEARN_GAP == 0;
        }

        int bytes(Series series) {
            int strings = series.url().length() + text.length() + contentHash.length();
            strings += selector == null ? 0 : selector.length();
            for (String pattern : ignore) {
                strings += pattern.length() + 40;
            }
            return ENTRY_OVERHEAD_BYTES + (template == null ? 0 : template.bytes()) + 2 * strings;
        }
    }

    /**
     * @param maxExtractedChars cap of the text taken from one page
     * @param patternBudget time one check's patterns may run together (extraction and rule)
     * @param nanoTime the clock of the budget ({@code System::nanoTime})
     */
    public PageReader(int maxExtractedChars, Duration patternBudget, LongSupplier nanoTime) {
        this(maxExtractedChars, patternBudget, nanoTime, 0, TemplateEvents.NONE);
    }

    /**
     * @param templateMemoryBytes heap the remembered templates may take; 0 remembers none
     * @param events told of reuses, templates learned and mismatches
     */
    public PageReader(
            int maxExtractedChars,
            Duration patternBudget,
            LongSupplier nanoTime,
            long templateMemoryBytes,
            TemplateEvents events) {
        this.pageText = new PageText(new Patterns(COMPILED_PATTERNS), maxExtractedChars);
        this.patternBudget = patternBudget;
        this.nanoTime = nanoTime;
        this.events = events;
        this.templates =
                templateMemoryBytes <= 0
                        ? null
                        : Caffeine.newBuilder()
                                .maximumWeight(templateMemoryBytes)
                                .weigher((Series k, Remembered v) -> v.bytes(k))
                                .executor(Runnable::run)
                                .build();
    }

    /**
     * What a page yielded.
     *
     * @param rawHash what the extraction read, hashed: pages with the same raw hash extract alike.
     *     The hash of the sanitized body, or, for a page with a template, the template's id (the
     *     page without the values no extraction reads), so pages differing only in nonces share it
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
        return read(null, body, contentType, finalUrl, selector, ignore);
    }

    /**
     * Reads a page of {@code series} (null: a page of its own), reusing the series' remembered text
     * when the page differs from the last parsed one only where extraction does not read.
     */
    public Read read(
            Series series,
            String body,
            String contentType,
            String finalUrl,
            String selector,
            List<String> ignore) {
        String clean = TextSanitizer.clean(body == null ? "" : body);
        String type = TextSanitizer.clean(contentType);
        List<String> patterns = ignore == null ? List.of() : ignore;
        boolean templated = templates != null && series != null && PageText.isMarkup(type);
        Remembered known = templated ? templates.getIfPresent(series) : null;
        boolean fits = known != null && known.fits(selector, patterns);
        boolean reusable = fits && known.matches(clean);
        if (reusable && ++reused % VERIFY_EVERY != 0) {
            known.misses = 0;
            events.reused();
            return new Read(known.template.id(), known.text, known.contentHash, null, null, 0);
        }
        boolean learn = templated && (!fits || reusable || known.learnAfterMiss());
        int misses = fits && !reusable ? known.misses : 0;
        Read read = parse(clean, type, finalUrl, selector, patterns, series, learn, misses);
        if (reusable && !Objects.equals(read.contentHash(), known.contentHash)) {
            events.mismatched(series);
        }
        return read;
    }

    /**
     * Parses and extracts; the read's raw hash is the learned template's id when there is one (the
     * pages it matches extract alike), else the hash of the body. A learned page is remembered with
     * the series' {@code misses} so far.
     */
    private Read parse(
            String clean,
            String contentType,
            String finalUrl,
            String selector,
            List<String> ignore,
            Series series,
            boolean learn,
            int misses) {
        PatternBudget budget = new PatternBudget(patternBudget, nanoTime);
        String rawHash = null;
        PageText.Extracted extracted;
        try {
            extracted =
                    pageText.extract(
                            clean,
                            contentType,
                            TextSanitizer.clean(finalUrl),
                            selector,
                            ignore,
                            budget,
                            learn);
        } catch (IllegalArgumentException | IllegalStateException e) {
            // a pattern today's rules reject (stored before they tightened); the change detector
            // validates the spec and names the fields, this only keeps the stage running
            return new Read(
                    Hashing.sha256Hex128(clean),
                    null,
                    null,
                    ExtractionError.INVALID_SPEC,
                    TextSanitizer.clean(String.valueOf(e.getMessage())),
                    budget.spentNanos());
        }
        if (!extracted.ok()) {
            return new Read(
                    Hashing.sha256Hex128(clean),
                    null,
                    null,
                    extracted.error(),
                    TextSanitizer.clean(extracted.errorMessage()),
                    budget.spentNanos());
        }
        String contentHash = Hashing.sha256Hex128(extracted.text());
        if (learn) {
            PageTemplate template = extracted.template();
            templates.put(
                    series,
                    new Remembered(
                            selector,
                            List.copyOf(ignore),
                            template,
                            extracted.text(),
                            contentHash,
                            misses));
            if (template != null) {
                rawHash = template.id();
                events.learned();
            }
        }
        return new Read(
                rawHash != null ? rawHash : Hashing.sha256Hex128(clean),
                extracted.text(),
                contentHash,
                null,
                null,
                budget.spentNanos());
    }

    /** Templates remembered now (an estimate, as Caffeine's). */
    public long templates() {
        return templates == null ? 0 : templates.estimatedSize();
    }
}
