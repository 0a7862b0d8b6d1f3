package dev.flinkwatch.model;

import com.fasterxml.jackson.annotation.JsonValue;

/** Whether a monitor is being checked. Serialized lower case, as in the REST contract. */
public enum MonitorStatus {
    ACTIVE,
    PAUSED;

    @JsonValue
    public String json() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
