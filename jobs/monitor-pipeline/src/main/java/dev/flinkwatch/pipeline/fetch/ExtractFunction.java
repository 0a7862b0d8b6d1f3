package dev.flinkwatch.pipeline.fetch;

import dev.flinkwatch.fetch.FetchResult;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

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
 */
public class ExtractFunction extends RichMapFunction<FetchResult, FetchedText> {
    private static final long serialVersionUID = 1L;

    private final int maxExtractedChars;
    private final Duration patternBudget;

    private transient PageExtractor extractor;

    /**
     * @param maxExtractedChars cap of the text taken from one page
     * @param patternBudget time one check's patterns may run together
     */
    public ExtractFunction(int maxExtractedChars, Duration patternBudget) {
        this.maxExtractedChars = maxExtractedChars;
        this.patternBudget = patternBudget;
    }

    @Override
    public void open(OpenContext openContext) {
        extractor = new PageExtractor(maxExtractedChars, patternBudget, System::nanoTime);
    }

    @Override
    public FetchedText map(FetchResult fetch) {
        return extractor.extract(fetch);
    }
}
