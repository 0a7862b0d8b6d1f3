package dev.flinkwatch.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UserPatternsTest {
    private static final MonitorSpecValidator VALIDATOR =
            new MonitorSpecValidator(ValidationLimits.DEFAULTS);

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "(?<=\\$)\\d+   | lookbehind (?<=) is not supported (patterns use RE2 syntax)",
                "(?<!x)y        | negative lookbehind (?<!) is not supported (patterns use RE2 syntax)",
                "price(?=:)     | lookahead (?=) is not supported (patterns use RE2 syntax)",
                "a(?!b)         | negative lookahead (?!) is not supported (patterns use RE2 syntax)",
                "(?>a+)b        | atomic group (?>) is not supported (patterns use RE2 syntax)",
                "(a)\\1         | backreference \\1 is not supported (patterns use RE2 syntax)",
                "(?<n>a)\\k<n>  | named backreference \\k is not supported (patterns use RE2 syntax)",
                "a++b           | possessive quantifier ++ is not supported (patterns use RE2 syntax)",
                "a{2}+          | possessive quantifier {2}+ is not supported (patterns use RE2 syntax)",
                "\\h+           | escape \\h is not supported (patterns use RE2 syntax)",
            })
    void namesWhatRe2CannotDo(String pattern, String message) {
        assertThat(UserPatterns.problem(pattern)).isEqualTo(message);
    }

    @Test
    void acceptsWhatRe2Runs() {
        for (String ok :
                List.of(
                        "\\d+ people viewing",
                        "(?i)in stock",
                        "v\\d+\\.\\d+",
                        "(?P<price>\\$[0-9,.]+)",
                        "[[:alpha:]]+",
                        "\\pL{2,}",
                        "(a+)+b",
                        "(a|aa)+$",
                        ".{0,500}",
                        "\\Qa{1000}{1000}\\E")) {
            assertThat(UserPatterns.problem(ok)).as(ok).isNull();
        }
    }

    @Test
    void nestedRepetitionsAreRejectedBeforeTheyAreExpanded() {
        // RE2/J would expand this to 10^9 instructions: out of memory while compiling
        assertThat(UserPatterns.problem("((a{1000}){1000}){1000}"))
                .startsWith("is too large once its repetitions are expanded");
        assertThat(UserPatterns.problem("(a{1000}){3}")).startsWith("is too large");
        assertThat(UserPatterns.problem("(ab{10}){10}")).isNull();
        assertThat(UserPatterns.expandedSize("(ab{10}){10}")).isBetween(110, 130);
        assertThatThrownBy(() -> UserPatterns.compile("(a{1000}){1000}"))
                .isInstanceOf(UserPatterns.InvalidPatternException.class);
    }

    @Test
    void findsTheRegexesOfASelector() {
        assertThat(
                        UserPatterns.inSelector(
                                "div.p:matches((a+)+b) > a[href~=^https?://] span:has(p:matchesOwn(x{3}))"
                                        + ", :not(:matchesWholeText(y)) [title=\"~=z\"]"))
                .containsExactly("(a+)+b", "^https?://", "x{3}", "y");
        assertThat(UserPatterns.inSelector("#price, span.a[data-x=1]")).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "p:matches((?<=x)y) | has a regular expression /(?<=x)y/ that lookbehind (?<=) is"
                        + " not supported (patterns use RE2 syntax)",
                "a[href~=(a{1000}){1000}] | has a regular expression /(a{1000}){1000}/ that is too"
                        + " large once its repetitions are expanded (about 1000000 steps, at most"
                        + " 2000): use smaller repeat counts",
            })
    void selectorRegexesAreValidatedLikePatterns(String selector, String message) {
        MonitorSpec spec =
                new MonitorSpec(
                        UUID.randomUUID(),
                        UUID.randomUUID(),
                        1,
                        "w",
                        List.of(new Source("https://shop.example/", selector)),
                        300,
                        Condition.anyChange(),
                        List.of(),
                        null,
                        MonitorStatus.ACTIVE);
        Map<String, String> errors = VALIDATOR.validate(spec);
        assertThat(errors).containsExactly(Map.entry("sources[0].selector", message));
    }

    @Test
    void ignorePatternErrorsNameTheField() {
        MonitorSpec spec =
                new MonitorSpec(
                        UUID.randomUUID(),
                        UUID.randomUUID(),
                        1,
                        "w",
                        List.of(Source.of("https://shop.example/")),
                        300,
                        Condition.regex("a(?=b)"),
                        List.of("ok", "(?<=\\$)\\d+"),
                        null,
                        MonitorStatus.ACTIVE);
        assertThat(VALIDATOR.validate(spec))
                .containsExactly(
                        Map.entry(
                                "condition.pattern",
                                "is not a valid regular expression: lookahead (?=) is not"
                                        + " supported (patterns use RE2 syntax)"),
                        Map.entry(
                                "ignore[1]",
                                "is not a valid regular expression: lookbehind (?<=) is not"
                                        + " supported (patterns use RE2 syntax)"));
    }
}
