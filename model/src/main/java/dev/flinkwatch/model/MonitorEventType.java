package dev.flinkwatch.model;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Upsert (create, update, pause, resume) or delete. */
public enum MonitorEventType {
    UPSERT,
    DELETE;

    @JsonValue
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }
}
