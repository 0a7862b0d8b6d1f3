package dev.flinkwatch.api.monitors;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.flinkwatch.model.CheckOutcome;
import dev.flinkwatch.model.Condition;
import dev.flinkwatch.model.MonitorSpec;
import dev.flinkwatch.model.MonitorStatus;
import dev.flinkwatch.model.Notify;
import dev.flinkwatch.model.Source;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A monitor as the API returns it: the stored spec, its bookkeeping, and the live state the
 * pipeline last wrote (null until the first check).
 */
public record MonitorView(
        UUID id,
        String name,
        List<Source> sources,
        int intervalSeconds,
        Condition condition,
        List<String> ignore,
        @JsonProperty("notify") Notify notification,
        MonitorStatus status,
        long version,
        Instant createdAt,
        Instant updatedAt,
        Instant lastCheckAt,
        CheckOutcome lastOutcome,
        String lastError,
        int consecutiveFailures,
        Instant lastChangeAt) {

    /** What the pipeline wrote to monitor_status; all null/0 before the first check. */
    record LiveState(
            Instant lastCheckAt,
            CheckOutcome lastOutcome,
            String lastError,
            int consecutiveFailures,
            Instant lastChangeAt) {
        static final LiveState NEVER_CHECKED = new LiveState(null, null, null, 0, null);
    }

    static MonitorView of(MonitorSpec spec, Instant createdAt, Instant updatedAt, LiveState live) {
        return new MonitorView(
                spec.id(),
                spec.name(),
                spec.sources(),
                spec.intervalSeconds(),
                spec.condition(),
                spec.ignore(),
                spec.notification(),
                spec.status(),
                spec.version(),
                createdAt,
                updatedAt,
                live.lastCheckAt(),
                live.lastOutcome(),
                live.lastError(),
                live.consecutiveFailures(),
                live.lastChangeAt());
    }
}
