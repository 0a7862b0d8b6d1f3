package dev.flinkwatch.extraction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkwatch.model.UserPatterns;
import java.util.List;
import org.jsoup.Jsoup;
import org.jsoup.helper.Regex;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;

class PatternsTest {
    private final Patterns patterns = new Patterns(100);

    @Test
    void jsoupRunsSelectorRegexesOnRe2j() {
        // jsoup 1.22 picks RE2/J by itself when it is on the classpath (-Djsoup.useRe2j=false
        // would turn it off; Patterns refuses to start then)
        assertThat(Regex.usingRe2j()).isTrue();
        assertThat(Regex.compile("a+").getClass().getSimpleName()).isEqualTo("Re2jRegex");
    }

    @Test
    void catastrophicSelectorRegexesFinishAndAnswerCorrectly() {
        // with java.util.regex each of these backtracks exponentially on the "aaa…" text
        for (int n : new int[] {37, 20_000}) {
            String a = "a".repeat(n);
            Document doc =
                    Jsoup.parse("<p id=x>" + a + "</p><p id=y title=\"" + a + "\">" + a + "b</p>");
            for (String css :
                    List.of(
                            "p:matches((a+)+b)",
                            "p:matchesOwn((a|aa)+b$)",
                            "p[title~=(a+)+b]",
                            "p:matchesWholeText((a|a)+b)")) {
                List<String> ids =
                        doc.select(patterns.selector(css).evaluator()).stream()
                                .map(e -> e.id())
                                .toList();
                if (css.startsWith("p[title")) {
                    assertThat(ids).as(css).isEmpty(); // the title has no b
                } else {
                    assertThat(ids).as(css).containsExactly("y");
                }
            }
        }
    }

    @Test
    void selectorsRe2CannotRunAreRejectedWithTheValidatorsMessage() {
        assertThatThrownBy(() -> patterns.selector("p:matches((?<=\\$)\\d+)"))
                .isInstanceOf(UserPatterns.InvalidPatternException.class)
                .hasMessage(
                        "has a regular expression /(?<=\\$)\\d+/ that lookbehind (?<=) is not"
                                + " supported (patterns use RE2 syntax)");
        assertThatThrownBy(() -> patterns.selector("div[[["))
                .isInstanceOf(UserPatterns.InvalidPatternException.class)
                .hasMessageStartingWith("is not a valid CSS selector: ");
    }

    @Test
    void compiledOnceAndReused() {
        assertThat(patterns.regex("\\d+")).isSameAs(patterns.regex("\\d+"));
        assertThat(patterns.selector("#price")).isSameAs(patterns.selector("#price"));
        assertThat(
                        patterns.removeAll(
                                "\\d+ people viewing",
                                "3 left\n42 people viewing",
                                PatternBudgetTest.generous(),
                                "ignore[0]"))
                .isEqualTo("3 left\n");
    }
}
