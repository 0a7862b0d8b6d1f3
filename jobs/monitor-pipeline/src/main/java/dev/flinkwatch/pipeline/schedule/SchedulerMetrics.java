package dev.flinkwatch.pipeline.schedule;

import java.util.function.LongSupplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The scheduler's metrics, group {@code scheduler} (README, "Metrics"): {@code checksStarted}
 * (check requests emitted, one per source), {@code checksDeferred} (late checks moved into the
 * catch-up window), {@code rejectedSpecs}, {@code latenessMs} (fire time minus due time of every
 * timer, over the last {@value #LATENESS_WINDOW} timers) and the {@code monitors} gauge.
 */
final class SchedulerMetrics {
    static final String GROUP = "scheduler";
    private static final int LATENESS_WINDOW = 10_000;

    final Counter checksStarted;
    final Counter checksDeferred;
    final Counter rejectedSpecs;
    final Histogram latenessMs;

    SchedulerMetrics(MetricGroup operatorGroup, LongSupplier monitors) {
        MetricGroup group = operatorGroup.addGroup(GROUP);
        checksStarted = group.counter("checksStarted");
        checksDeferred = group.counter("checksDeferred");
        rejectedSpecs = group.counter("rejectedSpecs");
        latenessMs =
                group.histogram("latenessMs", new DescriptiveStatisticsHistogram(LATENESS_WINDOW));
        group.gauge("monitors", (Gauge<Long>) monitors::getAsLong);
    }
}
