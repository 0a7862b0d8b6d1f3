package dev.flinkwatch.api.web;

import dev.flinkwatch.api.ratelimit.TenantRateLimiter;
import dev.flinkwatch.extraction.PageReader;
import dev.flinkwatch.extraction.PatternBudget;
import dev.flinkwatch.extraction.Patterns;
import dev.flinkwatch.extraction.RuleEvaluator;
import dev.flinkwatch.fetch.FetchResult;
import dev.flinkwatch.fetch.FetchStatus;
import dev.flinkwatch.fetch.HostResolver;
import dev.flinkwatch.fetch.PageFetcher;
import dev.flinkwatch.model.CheckRequest;
import dev.flinkwatch.model.ConditionType;
import dev.flinkwatch.model.MonitorSpec;
import dev.flinkwatch.model.Source;
import dev.flinkwatch.render.RenderClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Fetches a monitor's pages now with the pipeline's fetcher ({@link PageFetcher}: SSRF guard,
 * robots.txt, politeness), or renders browser sources with its renderer ({@link RenderClient}, the
 * browser service), and reads them with its extraction ({@link PageReader}) and rules ({@link
 * RuleEvaluator}). Each preview takes a token of the tenant's preview bucket.
 */
final class Previews implements AutoCloseable {
    static final int MAX_SHOWN_CHARS = 20_000;
    private static final int MAX_SOURCES = 3;

    private final PreviewSettings settings;
    private final PageFetcher fetcher;
    private final RenderClient renderer;
    private final Patterns patterns = new Patterns(1000);
    private final TenantRateLimiter limiter;

    Previews(PreviewSettings settings, int perMinute) {
        this.settings = settings;
        this.fetcher = new PageFetcher(settings.fetch(), HostResolver.system());
        this.renderer = new RenderClient(settings.render());
        // the write bucket only: one preview is one write-kind token
        this.limiter =
                new TenantRateLimiter(
                        new TenantRateLimiter.Limit(perMinute, Math.max(1, perMinute / 4)),
                        new TenantRateLimiter.Limit(0, 0));
    }

    /**
     * Previews the first sources of a validated spec.
     *
     * @throws dev.flinkwatch.api.http.ApiException 429 when the tenant previewed too often
     */
    List<PreviewResult> preview(UUID tenant, MonitorSpec spec) throws InterruptedException {
        limiter.acquire(tenant, TenantRateLimiter.Kind.WRITE);
        PageReader reader =
                new PageReader(
                        settings.maxExtractedChars(), settings.patternBudget(), System::nanoTime);
        List<PreviewResult> results = new ArrayList<>();
        for (Source source :
                spec.sources().subList(0, Math.min(MAX_SOURCES, spec.sources().size()))) {
            CheckRequest request =
                    CheckRequest.scheduled(
                            spec.id(),
                            tenant,
                            spec.version(),
                            source,
                            spec.ignore(),
                            Instant.now());
            results.add(read(reader, spec, source, fetch(request)));
        }
        return results;
    }

    private FetchResult fetch(CheckRequest request) throws InterruptedException {
        try {
            // both end themselves at their deadline; the margin only guards against a bug there
            if (request.rendered()) {
                return renderer.render(request)
                        .get(settings.render().asyncTimeout().toMillis(), TimeUnit.MILLISECONDS);
            }
            return fetcher.fetch(request)
                    .get(
                            settings.fetch().deadline().plusSeconds(5).toMillis(),
                            TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return null;
        }
    }

    private PreviewResult read(
            PageReader reader, MonitorSpec spec, Source source, FetchResult fetch) {
        if (fetch == null) {
            return new PreviewResult(
                    source.url(), "timeout", null, "the fetch did not finish", null, null, null);
        }
        String fetched = fetch.status().name().toLowerCase(Locale.ROOT).replace('_', ' ');
        if (fetch.status() != FetchStatus.OK) {
            return new PreviewResult(
                    source.url(),
                    fetched,
                    fetch.httpStatus(),
                    fetch.message() == null ? fetched : fetch.message(),
                    null,
                    null,
                    null);
        }
        PageReader.Read read =
                reader.read(
                        fetch.body(),
                        fetch.contentType(),
                        fetch.finalUrl(),
                        source.selector(),
                        spec.ignore());
        if (read.text() == null) {
            return new PreviewResult(
                    source.url(),
                    fetched,
                    fetch.httpStatus(),
                    read.errorMessage() == null ? read.error().name() : read.errorMessage(),
                    null,
                    null,
                    null);
        }
        String shown =
                read.text().length() > MAX_SHOWN_CHARS
                        ? read.text().substring(0, MAX_SHOWN_CHARS) + "…"
                        : read.text();
        if (spec.condition().type() == ConditionType.LLM) {
            return new PreviewResult(
                    source.url(),
                    fetched,
                    fetch.httpStatus(),
                    null,
                    shown,
                    null,
                    "an LLM condition is judged when the content changes, not in a preview");
        }
        PatternBudget budget =
                PatternBudget.remainderOf(
                        settings.patternBudget(), read.patternNanos(), System::nanoTime);
        try {
            RuleEvaluator.RuleResult rule =
                    RuleEvaluator.evaluate(spec.condition(), read.text(), patterns, budget);
            return new PreviewResult(
                    source.url(),
                    fetched,
                    fetch.httpStatus(),
                    null,
                    shown,
                    rule.met(),
                    rule.reason());
        } catch (RuntimeException e) {
            return new PreviewResult(
                    source.url(),
                    fetched,
                    fetch.httpStatus(),
                    null,
                    shown,
                    null,
                    "the condition could not be evaluated: " + e.getMessage());
        }
    }

    @Override
    public void close() throws Exception {
        fetcher.close();
        renderer.close();
    }
}
