package dev.flinkwatch.api.web;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** Small display helpers the templates call. */
public final class Format {
    private static final DateTimeFormatter WHEN =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    private Format() {}

    /** A time in UTC to the second, or a dash. */
    public static String when(Instant instant) {
        return instant == null ? "—" : WHEN.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }

    /** A condition in words. */
    public static String condition(dev.flinkwatch.model.Condition c) {
        if (c == null || c.type() == null) {
            return "—";
        }
        return switch (c.type()) {
            case ANY_CHANGE -> "any change";
            case CONTAINS ->
                    "contains \"" + c.text() + "\"" + (c.caseInsensitive() ? " (any case)" : "");
            case NOT_CONTAINS ->
                    "no longer contains \""
                            + c.text()
                            + "\""
                            + (c.caseInsensitive() ? " (any case)" : "");
            case REGEX -> "matches " + c.pattern();
            case NUMBER ->
                    "first number " + (c.op() == null ? "?" : c.op().symbol()) + " " + c.value();
            case LLM -> "LLM: " + c.prompt();
        };
    }

    /** A query-string value, URL-encoded. */
    public static String query(String value) {
        return value == null
                ? ""
                : java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** An enum's name in lower case words ({@code CONDITION_MET} is "condition met"). */
    public static String words(Enum<?> value) {
        return value == null
                ? "—"
                : value.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }
}
