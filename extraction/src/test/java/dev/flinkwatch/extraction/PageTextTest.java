package dev.flinkwatch.extraction;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PageTextTest {
    private final PageText pages = new PageText(new Patterns(100), 1000);

    private static PatternBudget budget() {
        return PatternBudgetTest.generous();
    }

    /** A budget already used up: the first look at the clock stops the check. */
    private static PatternBudget spent() {
        return new PatternBudget(Duration.ZERO, () -> 0L);
    }

    @Test
    void selectorTextWithIgnorePatternsRemoved() {
        PageText.Extracted e =
                pages.extract(
                        "<p>Only <b>3</b> left</p><span id=price>$ 49</span><p>42 people viewing</p>",
                        "text/html",
                        "https://shop.example/",
                        null,
                        List.of("\\d+ people viewing"),
                        budget());
        assertThat(e.ok()).isTrue();
        assertThat(e.text()).isEqualTo("Only 3 left\n$ 49");
    }

    @Test
    void errorsAreTyped() {
        assertThat(
                        pages.extract("<p>x</p>", "text/html", null, "#nope", List.of(), budget())
                                .error())
                .isEqualTo(ExtractionError.SELECTOR_NO_MATCH);
        assertThat(pages.extract("{}", "application/json", null, "#x", List.of(), budget()).error())
                .isEqualTo(ExtractionError.SELECTOR_NOT_APPLICABLE);
        assertThat(ExtractionError.of("SELECTOR_NO_MATCH"))
                .isEqualTo(ExtractionError.SELECTOR_NO_MATCH);
        assertThat(ExtractionError.of("TIMEOUT")).isNull();
    }

    @Test
    void textIsCappedBeforeTheExpensiveWork() {
        String plain = "line\n".repeat(10_000);
        assertThat(
                        pages.extract(plain, "text/plain", null, null, List.of(), budget())
                                .text()
                                .length())
                .isLessThanOrEqualTo(1000);
        // every element nested in every other: a selector on all of them would read the text
        // once per level without the cap
        String nested = "<div>".repeat(400) + "word ".repeat(2000) + "</div>".repeat(400);
        PageText.Extracted e = pages.extract(nested, "text/html", null, "div", List.of(), budget());
        assertThat(e.ok()).isTrue();
        assertThat(e.text().length()).isLessThanOrEqualTo(1000);
    }

    @Test
    void runningOutOfTheBudgetIsARecordedErrorNamingTheField() {
        String page = "<p>" + "word ".repeat(200) + "</p>";
        PageText.Extracted ignore =
                pages.extract(page, "text/html", null, null, List.of("x", "y"), spent());
        assertThat(ignore.error()).isEqualTo(ExtractionError.PATTERN_BUDGET_EXCEEDED);
        assertThat(ignore.errorMessage()).endsWith("(stopped in ignore[0])");

        // jsoup runs selectors on its own strings: the budget is looked at before each element
        PageText.Extracted selector =
                pages.extract(page, "text/html", null, "p:matches(w)", List.of(), spent());
        assertThat(selector.error()).isEqualTo(ExtractionError.PATTERN_BUDGET_EXCEEDED);
        assertThat(selector.errorMessage()).endsWith("(stopped in selector)");
    }

    @Test
    void selectorsRunOnBoundedDocuments() {
        String many = "<b>x</b>".repeat(PageText.MAX_SELECTOR_ELEMENTS);
        PageText.Extracted tooMany =
                pages.extract(many, "text/html", null, "b", List.of(), budget());
        assertThat(tooMany.error()).isEqualTo(ExtractionError.SELECTOR_DOCUMENT_TOO_LARGE);
        assertThat(tooMany.errorMessage())
                .isEqualTo(
                        "the page has 100004 elements; a selector runs on pages of at most 100000");
        assertThat(pages.extract(many, "text/html", null, null, List.of(), budget()).ok())
                .isTrue(); // the whole page's text is one linear walk

        // a regex reads every element's text inside jsoup: at most the extraction cap of it
        String wordy = "<p>" + "word ".repeat(300) + "</p>";
        PageText.Extracted regex =
                pages.extract(wordy, "text/html", null, "p:matches(\\d)", List.of(), budget());
        assertThat(regex.error()).isEqualTo(ExtractionError.SELECTOR_DOCUMENT_TOO_LARGE);
        assertThat(regex.errorMessage())
                .isEqualTo(
                        "the page has 1500 characters of text; a selector with a regular"
                                + " expression runs on pages of at most 1000 (select by structure and use"
                                + " a regex condition instead)");
        assertThat(pages.extract(wordy, "text/html", null, "p", List.of(), budget()).ok()).isTrue();
    }

    @Test
    void deepNestingIsFlattenedAndItsContentStillFound() {
        String deep = "<div>".repeat(2000) + "<span id=x>deep</span>" + "</div>".repeat(2000);
        PageText.Extracted e = pages.extract(deep, "text/html", null, "#x", List.of(), budget());
        assertThat(e.text()).isEqualTo("deep");
    }
}
