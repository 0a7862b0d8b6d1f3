package dev.flinkwatch.pipeline.alert;

import dev.flinkwatch.model.AlertKind;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Alert metrics, group {@code alerts} (README, "Metrics"): {@code raised} per {@code kind}
 * (condition_met, monitor_failing, monitor_recovered from the decider, llm_budget_exceeded from the
 * budget notice), and the decider's {@code deferred} (held by the cool-down) and {@code
 * staleEvaluations}.
 */
final class AlertMetrics {
    static final String GROUP = "alerts";

    private final MetricGroup group;
    private final Map<AlertKind, Counter> raised = new EnumMap<>(AlertKind.class);

    AlertMetrics(MetricGroup operatorGroup) {
        group = operatorGroup.addGroup(GROUP);
        for (AlertKind kind : AlertKind.values()) {
            raised.put(
                    kind,
                    group.addGroup("kind", kind.name().toLowerCase(Locale.ROOT)).counter("raised"));
        }
    }

    Counter counter(String name) {
        return group.counter(name);
    }

    void raised(AlertKind kind) {
        raised.get(kind).inc();
    }
}
