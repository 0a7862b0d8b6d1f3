package dev.flinkwatch.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;
import java.util.UUID;

/**
 * A change to a monitor, published on the {@code monitors} topic (key = monitor id). An upsert
 * carries the full spec; a delete carries only ids and version (on a compacted topic it is followed
 * by a tombstone, which consumers treat the same way).
 *
 * @param type upsert or delete
 * @param monitorId the monitor
 * @param tenantId its owner
 * @param version the spec version this event brings the monitor to
 * @param spec the full spec for upserts, null for deletes
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MonitorEvent(
        MonitorEventType type, UUID monitorId, UUID tenantId, long version, MonitorSpec spec) {

    public static MonitorEvent upsert(MonitorSpec spec) {
        Objects.requireNonNull(spec, "spec");
        return new MonitorEvent(
                MonitorEventType.UPSERT, spec.id(), spec.tenantId(), spec.version(), spec);
    }

    public static MonitorEvent delete(UUID monitorId, UUID tenantId, long version) {
        return new MonitorEvent(MonitorEventType.DELETE, monitorId, tenantId, version, null);
    }

    @JsonIgnore
    public boolean isDelete() {
        return type == MonitorEventType.DELETE;
    }
}
