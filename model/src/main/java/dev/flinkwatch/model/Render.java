package dev.flinkwatch.model;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * How a source's page is read: a plain HTTP fetch, or rendered in a headless browser so content
 * that JavaScript builds is there. Serialized lower case, as in the REST contract.
 */
public enum Render {
    /** One HTTP GET (conditional when validators are known); the default. */
    HTTP,
    /** Rendered by the browser service: scripts run, the DOM after loading is read. */
    BROWSER;

    @JsonValue
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }
}
