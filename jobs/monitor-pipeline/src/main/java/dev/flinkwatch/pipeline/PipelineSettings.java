package dev.flinkwatch.pipeline;

import dev.flinkwatch.fetch.FetchConfig;
import dev.flinkwatch.fetch.FetchOptions;
import dev.flinkwatch.pipeline.fetch.ValidatorMemory;
import dev.flinkwatch.render.RenderConfig;
import java.io.Serializable;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.ReadableConfig;

/**
 * The pipeline's topology settings, read once from the configuration on the client.
 *
 * @param minIntervalSeconds interval floor
 * @param overdueThreshold see {@link PipelineOptions#OVERDUE_THRESHOLD}
 * @param catchUpWindow see {@link PipelineOptions#CATCH_UP_WINDOW}
 * @param firstCheckSpread see {@link PipelineOptions#FIRST_CHECK_SPREAD}
 * @param fetchCapacity fetches in flight per subtask
 * @param fetchTimeout async timeout of one fetch
 * @param conditionalGetMemoryBytes heap of remembered validators per fetch subtask
 * @param maxTextChars stored text cap per source
 * @param maxDiffChars diff cap
 * @param maxDiffLines see {@link PipelineOptions#MAX_DIFF_LINES}
 * @param maxExtractedChars see {@link PipelineOptions#MAX_EXTRACTED_CHARS}
 * @param templateMemoryBytes see {@link PipelineOptions#TEMPLATE_MEMORY}
 * @param patternBudget see {@link PipelineOptions#PATTERN_BUDGET}
 * @param statusRefresh status row refresh for unchanged monitors
 * @param failureThreshold failures before MONITOR_FAILING
 * @param alertCooldown minimum time between CONDITION_MET alerts of a monitor
 * @param llmCapacity LLM evaluations in flight per subtask
 * @param llmTimeout async timeout of one LLM evaluation
 * @param fetch the fetcher's settings, for the host pacer in front of it
 * @param render the browser renderer's settings (capacity and timeout of its async operator)
 */
public record PipelineSettings(
        int minIntervalSeconds,
        Duration overdueThreshold,
        Duration catchUpWindow,
        Duration firstCheckSpread,
        int fetchCapacity,
        Duration fetchTimeout,
        long conditionalGetMemoryBytes,
        int maxTextChars,
        int maxDiffChars,
        int maxDiffLines,
        int maxExtractedChars,
        long templateMemoryBytes,
        Duration patternBudget,
        Duration statusRefresh,
        int failureThreshold,
        Duration alertCooldown,
        int llmCapacity,
        Duration llmTimeout,
        FetchConfig fetch,
        RenderConfig render)
        implements Serializable {

    /**
     * @param conf the job configuration
     * @param fetchTimeout the fetch operator's async timeout (the fetcher's own deadline plus a
     *     margin)
     */
    public static PipelineSettings from(ReadableConfig conf, Duration fetchTimeout) {
        return new PipelineSettings(
                conf.get(PipelineOptions.MIN_INTERVAL_SECONDS),
                conf.get(PipelineOptions.OVERDUE_THRESHOLD),
                conf.get(PipelineOptions.CATCH_UP_WINDOW),
                conf.get(PipelineOptions.FIRST_CHECK_SPREAD),
                conf.get(PipelineOptions.FETCH_CAPACITY),
                fetchTimeout,
                conditionalGetMemoryBytes(conf),
                conf.get(PipelineOptions.MAX_TEXT_CHARS),
                conf.get(PipelineOptions.MAX_DIFF_CHARS),
                conf.get(PipelineOptions.MAX_DIFF_LINES),
                conf.get(PipelineOptions.MAX_EXTRACTED_CHARS),
                conf.get(PipelineOptions.TEMPLATE_MEMORY).getBytes(),
                conf.get(PipelineOptions.PATTERN_BUDGET),
                conf.get(PipelineOptions.STATUS_REFRESH),
                conf.get(PipelineOptions.FAILURE_THRESHOLD),
                conf.get(PipelineOptions.ALERT_COOLDOWN),
                conf.get(PipelineOptions.LLM_CAPACITY),
                conf.get(PipelineOptions.LLM_TIMEOUT),
                fetchConfig(conf),
                RenderConfig.from(conf));
    }

    @SuppressWarnings("deprecation") // reads the 0.x entry count when the size is not set
    private static long conditionalGetMemoryBytes(ReadableConfig conf) {
        return conf.getOptional(PipelineOptions.CONDITIONAL_GET_MEMORY)
                .map(MemorySize::getBytes)
                .or(
                        () ->
                                conf.getOptional(PipelineOptions.CONDITIONAL_GET_ENTRIES)
                                        .map(n -> (long) n * ValidatorMemory.TYPICAL_ENTRY_BYTES))
                .orElse(PipelineOptions.CONDITIONAL_GET_MEMORY.defaultValue().getBytes());
    }

    /**
     * The fetcher's settings, with the shared-fetch window at most half the interval floor: a
     * monitor's next check then cannot be served the fetch that served its previous one (the change
     * detector would drop it as not newer) unless that check ran half an interval late.
     */
    public static FetchConfig fetchConfig(ReadableConfig conf) {
        Duration cap =
                Duration.ofSeconds(conf.get(PipelineOptions.MIN_INTERVAL_SECONDS)).dividedBy(2);
        if (conf.get(FetchOptions.SHARED_WINDOW).compareTo(cap) <= 0) {
            return FetchConfig.from(conf);
        }
        Configuration capped = Configuration.fromMap(conf.toMap());
        capped.set(FetchOptions.SHARED_WINDOW, cap);
        return FetchConfig.from(capped);
    }
}
