package dev.flinkwatch.pipeline.change;

import dev.flinkwatch.model.CheckOutcome;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * The change detector's metrics, group {@code checks} (README, "Metrics"): {@code finished} per
 * {@code outcome} (first, unchanged, changed, error: {@code outcome=changed} is the number of
 * changes detected), {@code skipped} (checks the fetch stage declined: busy host, tenant or DNS;
 * they also count as finished errors), {@code orphanResults} and {@code staleResults}.
 */
final class CheckMetrics {
    static final String GROUP = "checks";

    final Counter orphanResults;
    final Counter staleResults;
    private final Counter skipped;
    private final Map<CheckOutcome, Counter> finished = new EnumMap<>(CheckOutcome.class);

    CheckMetrics(MetricGroup operatorGroup) {
        MetricGroup group = operatorGroup.addGroup(GROUP);
        for (CheckOutcome outcome : CheckOutcome.values()) {
            finished.put(
                    outcome,
                    group.addGroup("outcome", outcome.name().toLowerCase(Locale.ROOT))
                            .counter("finished"));
        }
        skipped = group.counter("skipped");
        orphanResults = group.counter("orphanResults");
        staleResults = group.counter("staleResults");
    }

    void finished(CheckOutcome outcome, boolean declined) {
        finished.get(outcome).inc();
        if (declined) {
            skipped.inc();
        }
    }
}
