package dev.flinkwatch.pipeline;

import dev.flinkwatch.model.Condition;
import dev.flinkwatch.model.MonitorEvent;
import dev.flinkwatch.model.MonitorSpec;
import dev.flinkwatch.model.MonitorStatus;
import dev.flinkwatch.model.Source;
import java.util.List;
import java.util.UUID;

/** Monitor specs for pipeline tests. */
public final class TestSpecs {
    public static final UUID TENANT = UUID.fromString("00000000-0000-4000-8000-000000000001");

    private TestSpecs() {}

    public static MonitorSpec spec(
            UUID id, long version, int intervalSeconds, Condition condition, String... urls) {
        return new MonitorSpec(
                id,
                TENANT,
                version,
                "monitor " + id.toString().substring(0, 8),
                java.util.Arrays.stream(urls).map(Source::of).toList(),
                intervalSeconds,
                condition,
                List.of(),
                null,
                MonitorStatus.ACTIVE);
    }

    public static MonitorEvent upsert(MonitorSpec spec) {
        return MonitorEvent.upsert(spec);
    }

    public static MonitorEvent delete(MonitorSpec spec) {
        return MonitorEvent.delete(spec.id(), spec.tenantId(), spec.version() + 1);
    }
}
