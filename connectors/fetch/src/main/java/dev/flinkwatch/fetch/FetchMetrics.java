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
 * histogram over the last 1000 fetches), {@code inFlight} and {@code politeHosts} gauges. The
 * browser renderer reports the same in group {@code render} ({@link #forRender}).
 */
public final class FetchMetrics {
    private static final int LATENCY_WINDOW = 1000;

    private final Map<FetchStatus, Counter> results = new EnumMap<>(FetchStatus.class);
    private final Histogram latency;

    FetchMetrics(MetricGroup operatorGroup, IntSupplier inFlight, IntSupplier politeHosts) {
        this(operatorGroup.addGroup("fetch"), inFlight);
        operatorGroup
                .addGroup("fetch")
                .gauge("politeHosts", (Gauge<Integer>) politeHosts::getAsInt);
    }

    /** The renderer's metrics: group {@code render}, with results, latencyMs and inFlight. */
    public static FetchMetrics forRender(MetricGroup operatorGroup, IntSupplier inFlight) {
        return new FetchMetrics(operatorGroup.addGroup("render"), inFlight);
    }

    private FetchMetrics(MetricGroup group, IntSupplier inFlight) {
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
