package dev.flinkwatch.fetch;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntSupplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The fetcher's Flink metrics, in group {@code fetch}: {@code results} per {@code outcome} (one
 * counter per {@link FetchStatus}, e.g. {@code fetch.outcome.ok.results}), {@code latencyMs} (a
 * histogram over the last 1000 fetches), {@code inFlight} and {@code politeHosts} gauges, and
 * {@code shared.sent} (fetches started), {@code shared.joined} (checks that joined a fetch in
 * flight) and {@code shared.recent} (checks served a recent result) gauges of the totals, and the
 * {@code politeness} gauges ({@link #politeness}). The browser renderer reports the same in group
 * {@code render} ({@link #forRender}).
 */
public final class FetchMetrics {
    private static final int LATENCY_WINDOW = 1000;

    private final Map<FetchStatus, Counter> results = new EnumMap<>(FetchStatus.class);
    private final Histogram latency;
    private final MetricGroup group;

    FetchMetrics(MetricGroup operatorGroup, IntSupplier inFlight, IntSupplier politeHosts) {
        this(operatorGroup.addGroup("fetch"), inFlight);
        group.gauge("politeHosts", (Gauge<Integer>) politeHosts::getAsInt);
    }

    /** Reports how often fetches were shared. */
    void sharing(SharedFetches shared) {
        MetricGroup sharing = group.addGroup("shared");
        sharing.gauge("sent", (Gauge<Long>) shared::sent);
        sharing.gauge("joined", (Gauge<Long>) shared::joined);
        sharing.gauge("recent", (Gauge<Long>) shared::servedRecent);
    }

    /**
     * Reports how hosts throttled us, in group {@code politeness}: {@code throttled} (429 and 503
     * answers), {@code retryAfterHonoured} (holds started by a Retry-After), {@code
     * backoffsStarted} (hosts moved into backoff) as totals, and {@code backedOffHosts} (hosts
     * held, backing off or slow now; one value for the whole TaskManager JVM, whose fetch subtasks
     * share what they learn).
     */
    void politeness(PageFetcher fetcher) {
        MetricGroup politeness = group.addGroup("politeness");
        politeness.gauge("throttled", (Gauge<Long>) fetcher::throttled);
        politeness.gauge("retryAfterHonoured", (Gauge<Long>) fetcher::retryAfterHonoured);
        politeness.gauge("backoffsStarted", (Gauge<Long>) fetcher::backoffsStarted);
        politeness.gauge("backedOffHosts", (Gauge<Integer>) fetcher::backedOffHosts);
    }

    /** The renderer's metrics: group {@code render}, with results, latencyMs and inFlight. */
    public static FetchMetrics forRender(MetricGroup operatorGroup, IntSupplier inFlight) {
        return new FetchMetrics(operatorGroup.addGroup("render"), inFlight);
    }

    private FetchMetrics(MetricGroup group, IntSupplier inFlight) {
        this.group = group;
        for (FetchStatus status : FetchStatus.values()) {
            results.put(
                    status,
                    group.addGroup("outcome", status.name().toLowerCase(Locale.ROOT))
                            .counter("results"));
        }
        latency = group.histogram("latencyMs", new DescriptiveStatisticsHistogram(LATENCY_WINDOW));
        group.gauge("inFlight", (Gauge<Integer>) inFlight::getAsInt);
    }

    /** Counts one finished fetch or render. */
    public void record(FetchResult result) {
        results.get(result.status()).inc();
        latency.update(result.latencyMs());
    }
}
