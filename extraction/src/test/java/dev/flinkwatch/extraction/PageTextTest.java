package dev.flinkwatch.extraction;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PageTextTest {
    private final PageText pages = new PageText(new Patterns(100), 1000);

    @Test
    void selectorTextWithIgnorePatternsRemoved() {
        PageText.Extracted e =
                pages.extract(
                        "<p>Only <b>3</b> left</p><span id=price>$ 49</span><p>42 people viewing</p>",
                        "text/html",
                        "https://shop.example/",
                        null,
                        List.of("\\d+ people viewing"));
        assertThat(e.ok()).isTrue();
        assertThat(e.text()).isEqualTo("Only 3 left\n$ 49");
    }

    @Test
    void errorsAreTyped() {
        assertThat(pages.extract("<p>x</p>", "text/html", null, "#nope", List.of()).error())
                .isEqualTo(ExtractionError.SELECTOR_NO_MATCH);
        assertThat(pages.extract("{}", "application/json", null, "#x", List.of()).error())
                .isEqualTo(ExtractionError.SELECTOR_NOT_APPLICABLE);
        assertThat(ExtractionError.of("SELECTOR_NO_MATCH"))
                .isEqualTo(ExtractionError.SELECTOR_NO_MATCH);
        assertThat(ExtractionError.of("TIMEOUT")).isNull();
    }

    @Test
    void textIsCappedBeforeTheExpensiveWork() {
        String plain = "line\n".repeat(10_000);
        assertThat(pages.extract(plain, "text/plain", null, null, List.of()).text().length())
                .isLessThanOrEqualTo(1000);
        // every element nested in every other: a selector on all of them would read the text
        // once per level without the cap
        String nested = "<div>".repeat(400) + "word ".repeat(2000) + "</div>".repeat(400);
        PageText.Extracted e = pages.extract(nested, "text/html", null, "div", List.of());
        assertThat(e.ok()).isTrue();
        assertThat(e.text().length()).isLessThanOrEqualTo(1000);
    }
}
