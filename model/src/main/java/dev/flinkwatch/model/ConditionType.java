package dev.flinkwatch.model;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The kinds of condition a monitor can have; serialized snake case, as in the REST contract. */
public enum ConditionType {
    /** Every change of the watched text alerts. */
    ANY_CHANGE,
    /** Alerts when the text starts to contain {@code text}. */
    CONTAINS,
    /** Alerts when the text stops containing {@code text}. */
    NOT_CONTAINS,
    /** Alerts when {@code pattern} starts to match. */
    REGEX,
    /** Alerts when the first number in the text starts to satisfy {@code op value}. */
    NUMBER,
    /** Alerts when an LLM judges that the natural-language {@code prompt} holds. */
    LLM;

    @JsonValue
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }
}
