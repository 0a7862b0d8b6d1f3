package dev.flinkwatch.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What makes a change worth an alert. One flat record rather than a class hierarchy: it is the REST
 * shape ({@code {"type": "number", "op": "<", "value": 50}}) and a plain record that Flink
 * serializes without Kryo. Which fields a type needs is checked by {@link MonitorSpecValidator}.
 *
 * @param type the kind of condition
 * @param text for contains / not_contains
 * @param ignoreCase for contains / not_contains; null means false
 * @param pattern for regex (Java syntax)
 * @param op for number
 * @param value for number
 * @param prompt for llm: the natural-language condition
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Condition(
        ConditionType type,
        String text,
        Boolean ignoreCase,
        String pattern,
        ComparisonOp op,
        Double value,
        String prompt) {

    public static Condition anyChange() {
        return new Condition(ConditionType.ANY_CHANGE, null, null, null, null, null, null);
    }

    public static Condition contains(String text, boolean ignoreCase) {
        return new Condition(ConditionType.CONTAINS, text, ignoreCase, null, null, null, null);
    }

    public static Condition notContains(String text, boolean ignoreCase) {
        return new Condition(ConditionType.NOT_CONTAINS, text, ignoreCase, null, null, null, null);
    }

    public static Condition regex(String pattern) {
        return new Condition(ConditionType.REGEX, null, null, pattern, null, null, null);
    }

    public static Condition number(ComparisonOp op, double value) {
        return new Condition(ConditionType.NUMBER, null, null, null, op, value, null);
    }

    public static Condition llm(String prompt) {
        return new Condition(ConditionType.LLM, null, null, null, null, null, prompt);
    }

    /** True for contains / not_contains conditions that compare case-insensitively. */
    public boolean caseInsensitive() {
        return Boolean.TRUE.equals(ignoreCase);
    }
}
