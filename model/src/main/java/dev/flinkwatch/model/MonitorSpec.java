package dev.flinkwatch.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * A user's monitor, as the control API stores it and the pipeline schedules it.
 *
 * @param id monitor id, assigned by the control API
 * @param tenantId owner
 * @param version increases on every change; the pipeline ignores events that are not newer
 * @param name human-readable name
 * @param sources 1 to 20 watched URLs
 * @param intervalSeconds check interval, between the configured floor and 7 days
 * @param condition what makes a change alert-worthy
 * @param ignore regular expressions whose matches are removed from the text before comparing
 * @param notification optional delivery targets ({@code notify} in JSON; {@code notify} is a method
 *     of every Java object, so the component cannot have that name)
 * @param status active or paused
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MonitorSpec(
        UUID id,
        UUID tenantId,
        long version,
        String name,
        List<Source> sources,
        int intervalSeconds,
        Condition condition,
        List<String> ignore,
        @JsonProperty("notify") Notify notification,
        MonitorStatus status) {

    public MonitorSpec {
        // Unmodifiable copies that keep null elements, so the validator can report them by index.
        sources = sources == null ? null : Collections.unmodifiableList(new ArrayList<>(sources));
        ignore = ignore == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(ignore));
    }

    public MonitorSpec withVersion(long newVersion) {
        return new MonitorSpec(
                id,
                tenantId,
                newVersion,
                name,
                sources,
                intervalSeconds,
                condition,
                ignore,
                notification,
                status);
    }

    public MonitorSpec withStatus(MonitorStatus newStatus) {
        return new MonitorSpec(
                id,
                tenantId,
                version,
                name,
                sources,
                intervalSeconds,
                condition,
                ignore,
                notification,
                newStatus);
    }

    public MonitorSpec withNotification(Notify newNotification) {
        return new MonitorSpec(
                id,
                tenantId,
                version,
                name,
                sources,
                intervalSeconds,
                condition,
                ignore,
                newNotification,
                status);
    }

    public boolean active() {
        return status == MonitorStatus.ACTIVE;
    }
}
