package dev.flinkwatch.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One watched URL of a monitor, optionally narrowed to the elements a CSS selector matches.
 *
 * @param url absolute http or https URL
 * @param selector CSS selector (jsoup syntax); null means the readable text of the whole page
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Source(String url, String selector) {
    public static Source of(String url) {
        return new Source(url, null);
    }
}
