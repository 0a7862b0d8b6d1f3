package dev.flinkwatch.delivery;

import dev.flinkwatch.extraction.LineDiff;
import dev.flinkwatch.model.Alert;
import dev.flinkwatch.model.AlertKind;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * What a message about one alert can say: the template tokens. Built at intake from the alert and
 * the monitor's name; holds no receiver secret.
 *
 * @param link the alert list of the monitor in the control API
 */
public record AlertMessageContext(
        String alertId,
        UUID monitorId,
        String monitorName,
        String sourceUrl,
        AlertKind kind,
        String reason,
        Instant detectedAt,
        String excerpt,
        String diff,
        String link) {

    /** Longest token value (diff, excerpt, added and removed lines), in chars. */
    static final int MAX_TOKEN_CHARS = 64 * 1024;

    public static AlertMessageContext of(Alert alert, String monitorName, String apiBaseUrl) {
        return new AlertMessageContext(
                alert.alertId(),
                alert.monitorId(),
                monitorName,
                alert.sourceUrl(),
                alert.kind(),
                alert.reason(),
                alert.detectedAt(),
                alert.excerpt(),
                alert.diff(),
                stripTrailingSlash(apiBaseUrl) + "/v1/monitors/" + alert.monitorId() + "/alerts");
    }

    /**
     * The message of {@code POST /v1/channels/{id}/test}: every token set, marked as a test so
     * nobody mistakes it for a real alert.
     */
    public static AlertMessageContext test(String channelName, String apiBaseUrl, Instant now) {
        return new AlertMessageContext(
                "test",
                new UUID(0, 0),
                "Flinkwatch test message",
                apiBaseUrl,
                AlertKind.CONDITION_MET,
                "This is a test of the channel \"" + channelName + "\"; no page changed.",
                now,
                "test excerpt",
                "- before\n+ after",
                stripTrailingSlash(apiBaseUrl) + "/v1/channels");
    }

    /** A context with every token set, for checking a template before it is stored. */
    static AlertMessageContext sample() {
        return new AlertMessageContext(
                "0123456789abcdef0123456789abcdef",
                new UUID(0, 1),
                "Price watch",
                "https://shop.example/item",
                AlertKind.CONDITION_MET,
                "price dropped below 50",
                Instant.parse("2026-01-01T00:00:00Z"),
                "price 45",
                "- price 60\n+ price 45",
                "https://api.example/v1/monitors/00000000-0000-0000-0000-000000000001/alerts");
    }

    /** A human label of the kind, e.g. "Condition met". */
    public String kindLabel() {
        if (kind == null) {
            return "Alert";
        }
        return switch (kind) {
            case CONDITION_MET -> "Condition met";
            case MONITOR_FAILING -> "Monitor failing";
            case MONITOR_RECOVERED -> "Monitor recovered";
            case LLM_BUDGET_EXCEEDED -> "LLM budget exceeded";
        };
    }

    /** "Condition met: Price watch", the title of every channel type. */
    public String title() {
        return kindLabel() + ": " + (monitorName == null ? String.valueOf(monitorId) : monitorName);
    }

    /**
     * The template tokens, each value capped at {@link #MAX_TOKEN_CHARS} and passed through {@code
     * escape} (values are escaped here, not by the template engine, so a triple mustache {@code
     * {{{x}}}} in a user template cannot unescape page text).
     */
    Map<String, Object> tokens(UnaryOperator<String> escape) {
        String fullDiff = diff == null ? "" : diff;
        Map<String, Object> t = new HashMap<>();
        t.put("alertId", value(alertId, escape));
        t.put("monitorId", value(monitorId == null ? null : monitorId.toString(), escape));
        t.put("monitorName", value(monitorName, escape));
        t.put("sourceUrl", value(sourceUrl, escape));
        t.put("kind", value(kind == null ? null : kind.name(), escape));
        t.put("kindLabel", value(kindLabel(), escape));
        t.put("title", value(title(), escape));
        t.put("reason", value(reason, escape));
        t.put("detectedAt", value(detectedAt == null ? null : detectedAt.toString(), escape));
        t.put("excerpt", value(excerpt, escape));
        t.put("diff", value(fullDiff, escape));
        t.put("added", value(LineDiff.added(fullDiff), escape));
        t.put("removed", value(LineDiff.removed(fullDiff), escape));
        t.put("link", value(link, escape));
        return t;
    }

    private static String value(String raw, UnaryOperator<String> escape) {
        return raw == null ? "" : escape.apply(Truncation.chars(raw, MAX_TOKEN_CHARS));
    }

    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
