package dev.flinkwatch.extraction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkwatch.model.ComparisonOp;
import dev.flinkwatch.model.Condition;
import dev.flinkwatch.model.UserPatterns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RuleEvaluatorTest {
    private static final PatternBudget BUDGET = PatternBudgetTest.generous();
    private final Patterns regex = new Patterns(100);

    @ParameterizedTest(name = "{0} {1} {2} -> {3}")
    @CsvSource(
            delimiter = '|',
            value = {
                "Price: $49.99         | <  | 50   | true",
                "Price: $50.00         | <  | 50   | false",
                "Now $1,299.00 (was $1,499.00) | <= | 1299 | true",
                "Temperature -3.5 C    | <  | 0    | true",
                "Only 3 left           | == | 3    | true",
                "Only 3 left           | != | 3    | false",
                "12 reviews, 4.5 stars | >= | 12   | true",
                "no digits here        | >  | 0    | false",
            })
    void numberConditionReadsTheFirstNumber(String text, String op, double value, boolean met) {
        ComparisonOp comparison =
                java.util.Arrays.stream(ComparisonOp.values())
                        .filter(o -> o.symbol().equals(op))
                        .findFirst()
                        .orElseThrow();
        assertThat(
                        RuleEvaluator.evaluate(
                                        Condition.number(comparison, value), text, regex, BUDGET)
                                .met())
                .isEqualTo(met);
    }

    @Test
    void reasonsSayWhatWasFound() {
        assertThat(
                        RuleEvaluator.evaluate(
                                        Condition.number(ComparisonOp.LT, 50),
                                        "$49.99",
                                        regex,
                                        BUDGET)
                                .reason())
                .isEqualTo("the number is 49.99, which is < 50");
        assertThat(
                        RuleEvaluator.evaluate(
                                        Condition.number(ComparisonOp.LT, 50),
                                        "sold out",
                                        regex,
                                        BUDGET)
                                .reason())
                .isEqualTo("no number found on the page (rule: < 50)");
    }

    @Test
    void textConditions() {
        assertThat(
                        RuleEvaluator.evaluate(
                                        Condition.contains("in stock", true),
                                        "IN STOCK",
                                        regex,
                                        BUDGET)
                                .met())
                .isTrue();
        assertThat(
                        RuleEvaluator.evaluate(
                                        Condition.contains("in stock", false),
                                        "IN STOCK",
                                        regex,
                                        BUDGET)
                                .met())
                .isFalse();
        assertThat(
                        RuleEvaluator.evaluate(
                                        Condition.notContains("Sold out", false),
                                        "Available",
                                        regex,
                                        BUDGET)
                                .met())
                .isTrue();
        assertThat(
                        RuleEvaluator.evaluate(
                                        Condition.regex("v\\d+\\.\\d+"),
                                        "release v2.3",
                                        regex,
                                        BUDGET)
                                .met())
                .isTrue();
        assertThat(RuleEvaluator.evaluate(Condition.anyChange(), "x", regex, BUDGET).met())
                .isTrue();
        assertThat(RuleEvaluator.evaluate(Condition.llm("anything"), "x", regex, BUDGET)).isNull();
    }

    @Test
    void catastrophicRegexesRunInLinearTime() {
        // backtracking engines take exponential time here; RE2 answers at once, short or long
        for (int n : new int[] {37, 100_000}) {
            String text = "x".repeat(n);
            assertThat(
                            RuleEvaluator.evaluate(Condition.regex("(x+x+)+y"), text, regex, BUDGET)
                                    .met())
                    .isFalse();
            assertThat(
                            RuleEvaluator.evaluate(Condition.regex("(a|aa)+$"), text, regex, BUDGET)
                                    .met())
                    .isFalse();
            assertThat(
                            RuleEvaluator.evaluate(
                                            Condition.regex("(x+x+)+y"), text + "y", regex, BUDGET)
                                    .met())
                    .isTrue();
        }
    }

    @Test
    void aPatternRe2CannotRunIsAnInvalidPatternNotAHang() {
        assertThatThrownBy(
                        () ->
                                RuleEvaluator.evaluate(
                                        Condition.regex("(a)\\1"), "aa", regex, BUDGET))
                .isInstanceOf(UserPatterns.InvalidPatternException.class)
                .hasMessageContaining("backreference \\1 is not supported");
    }
}
