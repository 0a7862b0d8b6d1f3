package dev.flinkwatch.pipeline.fetch;

import dev.flinkwatch.extraction.PageReader;
import dev.flinkwatch.fetch.FetchResult;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fetch stage's last step, chained to the async fetch operator: reads each page into its text
 * ({@link PageExtractor}) on the task thread, before the {@code keyBy(monitor)}. Not in the async
 * function's completion path: that runs on the HTTP client's I/O threads, which must not parse
 * pages, and a pool of our own would run outside the task's thread and busy-time accounting. A
 * completed fetch waits in the async operator's queue only until the mailbox emits it into this
 * chained function (the queue's checkpoint holds the requests, not the results). The chain starts
 * at the fetch, not at the {@code HostPacer}: a hostile page's extraction (bounded by the caps and
 * the pattern budget) delays the emission of other fetches on its subtask, never the pacer's
 * release timers.
 *
 * <p>Metrics (group {@code extraction}): {@code templateReused} (pages not parsed: they differed
 * from their source's last parsed page only where no extraction reads), {@code templateLearned},
 * {@code templateMismatched} (a sampled reuse that parsed differently: should stay 0; logged), and
 * the gauge {@code templates}.
 */
public class ExtractFunction extends RichMapFunction<FetchResult, FetchedText> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ExtractFunction.class);

    private final int maxExtractedChars;
    private final long templateMemoryBytes;
    private final Duration patternBudget;

    private transient PageExtractor extractor;

    /**
     * @param maxExtractedChars cap of the text taken from one page
     * @param templateMemoryBytes heap of the page templates per subtask; 0 parses every page
     * @param patternBudget time one check's patterns may run together
     */
    public ExtractFunction(
            int maxExtractedChars, long templateMemoryBytes, Duration patternBudget) {
        this.maxExtractedChars = maxExtractedChars;
        this.templateMemoryBytes = templateMemoryBytes;
        this.patternBudget = patternBudget;
    }

    @Override
    public void open(OpenContext openContext) {
        MetricGroup group = getRuntimeContext().getMetricGroup().addGroup("extraction");
        Counter reused = group.counter("templateReused");
        Counter learned = group.counter("templateLearned");
        Counter mismatched = group.counter("templateMismatched");
        extractor =
                new PageExtractor(
                        maxExtractedChars,
                        patternBudget,
                        System::nanoTime,
                        templateMemoryBytes,
                        new PageReader.TemplateEvents() {
                            @Override
                            public void reused() {
                                reused.inc();
                            }

                            @Override
                            public void learned() {
                                learned.inc();
                            }

                            @Override
                            public void mismatched(PageReader.Series series) {
                                mismatched.inc();
                                LOG.warn(
                                        "event=template_mismatch monitorId={}", series.monitorId());
                            }
                        });
        group.gauge("templates", extractor::templates);
    }

    @Override
    public FetchedText map(FetchResult fetch) {
        return extractor.extract(fetch);
    }
}
