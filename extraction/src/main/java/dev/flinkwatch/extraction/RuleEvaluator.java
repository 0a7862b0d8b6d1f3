package dev.flinkwatch.extraction;

import dev.flinkwatch.model.Condition;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides rule conditions on the normalized text of a source. LLM conditions are not decided here
 * ({@link #evaluate} returns null for them): they go to the LLM evaluator.
 */
public final class RuleEvaluator {
    /**
     * The first number in a text: optional sign, digits with optional thousands separators (",")
     * and an optional decimal part ("."). "$1,299.00" reads as 1299.0.
     */
    private static final Pattern NUMBER =
            Pattern.compile("[-+]?(?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.\\d+)?");

    private RuleEvaluator() {}

    /** Whether a rule holds, and why, in words a user understands. */
    public record RuleResult(boolean met, String reason) {}

    /**
     * Evaluates a rule condition.
     *
     * @param budget the check's pattern budget, which a regex condition draws on
     * @return the result, or null for an LLM condition
     * @throws dev.flinkwatch.model.UserPatterns.InvalidPatternException for a regex RE2 cannot run
     *     (the validator rejects those)
     * @throws PatternBudget.ExceededException when the budget runs out ({@code condition.pattern})
     */
    public static RuleResult evaluate(
            Condition condition, String text, Patterns patterns, PatternBudget budget) {
        return switch (condition.type()) {
            case ANY_CHANGE -> new RuleResult(true, "the content changed");
            case CONTAINS -> {
                boolean found = contains(text, condition.text(), condition.caseInsensitive());
                yield new RuleResult(
                        found,
                        found
                                ? "the page now contains \"" + condition.text() + "\""
                                : "the page does not contain \"" + condition.text() + "\"");
            }
            case NOT_CONTAINS -> {
                boolean found = contains(text, condition.text(), condition.caseInsensitive());
                yield new RuleResult(
                        !found,
                        found
                                ? "the page contains \"" + condition.text() + "\""
                                : "the page no longer contains \"" + condition.text() + "\"");
            }
            case REGEX -> {
                boolean found =
                        patterns.find(condition.pattern(), text, budget, "condition.pattern");
                yield new RuleResult(
                        found,
                        found
                                ? "the pattern /" + condition.pattern() + "/ now matches"
                                : "the pattern /" + condition.pattern() + "/ does not match");
            }
            case NUMBER -> number(condition, text);
            case LLM -> null;
        };
    }

    private static RuleResult number(Condition condition, String text) {
        Matcher m = NUMBER.matcher(text);
        String rule = condition.op().symbol() + " " + format(condition.value());
        if (!m.find()) {
            return new RuleResult(false, "no number found on the page (rule: " + rule + ")");
        }
        double found = Double.parseDouble(m.group().replace(",", ""));
        boolean met = condition.op().test(found, condition.value());
        return new RuleResult(
                met, "the number is " + format(found) + (met ? ", which is " : ", not ") + rule);
    }

    private static boolean contains(String text, String needle, boolean ignoreCase) {
        if (ignoreCase) {
            return text.toLowerCase(Locale.ROOT).contains(needle.toLowerCase(Locale.ROOT));
        }
        return text.contains(needle);
    }

    private static String format(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15
                ? String.valueOf((long) value)
                : String.valueOf(value);
    }
}
