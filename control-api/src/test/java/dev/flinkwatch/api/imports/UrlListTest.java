package dev.flinkwatch.api.imports;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UrlListTest {
    @Test
    void oneUrlPerLineWithOptionalNameSkippingCommentsAndBlankLines() {
        String text =
                "\uFEFF# exported 2026-12-01\r\n"
                        + "https://shop.example/a\r\n"
                        + "\n"
                        + "   https://shop.example/b   Widget B price  \n"
                        + "  # https://shop.example/commented-out\n"
                        + "https://shop.example/c\tC";
        assertThat(UrlList.parse(text))
                .containsExactly(
                        new UrlList.Entry(2, "https://shop.example/a", null),
                        new UrlList.Entry(4, "https://shop.example/b", "Widget B price"),
                        new UrlList.Entry(6, "https://shop.example/c", "C"));
    }

    @Test
    void anEmptyListHasNoEntries() {
        assertThat(UrlList.parse("")).isEmpty();
        assertThat(UrlList.parse("# nothing\n\n")).isEmpty();
    }
}
