package dev.flinkwatch.extraction;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PageReaderTest {
    private final PageReader reader =
            new PageReader(100_000, Duration.ofSeconds(5), System::nanoTime);

    @Test
    void theSelectorAndIgnorePatternsShapeTheText() {
        PageReader.Read read =
                reader.read(
                        "<p id=a>Price 49 <span>12 people viewing</span></p><p>other</p>",
                        "text/html",
                        "https://shop.example/",
                        "#a",
                        List.of("\\d+ people viewing"));
        assertThat(read.text()).isEqualTo("Price 49");
        assertThat(read.contentHash()).isNotNull();
        assertThat(read.rawHash()).isNotNull();
        assertThat(read.error()).isNull();
    }

    @Test
    void aSelectorMatchingNothingIsAnErrorNotAnException() {
        PageReader.Read read = reader.read("<p>x</p>", null, null, "#missing", null);
        assertThat(read.text()).isNull();
        assertThat(read.error()).isNotNull();
        assertThat(read.errorMessage()).isNotBlank();
    }

    @Test
    void aPatternTodaysRulesRejectIsAnInvalidSpec() {
        PageReader.Read read = reader.read("<p>x</p>", null, null, null, List.of("(?=x)"));
        assertThat(read.error()).isEqualTo(ExtractionError.INVALID_SPEC);
    }

    private static String page(int nonce, String price) {
        return "<html><head><meta name=csrf content=\"n"
                + nonce
                + "\"><script>t="
                + nonce
                + "</script></head><body><p id=price>"
                + price
                + "</p></body></html>";
    }

    /** Records template events by name. */
    private static final class RecordedEvents implements PageReader.TemplateEvents {
        final List<String> names = new ArrayList<>();

        @Override
        public void reused() {
            names.add("reused");
        }

        @Override
        public void learned() {
            names.add("learned");
        }

        @Override
        public void mismatched(PageReader.Series series) {
            names.add("mismatched");
        }
    }

    private static PageReader templated(PageReader.TemplateEvents events) {
        return new PageReader(100_000, Duration.ofSeconds(5), System::nanoTime, 1 << 20, events);
    }

    @Test
    void aSeriesPageDifferingOnlyInNoncesReusesTheTextAndNewsIsParsed() {
        RecordedEvents events = new RecordedEvents();
        PageReader templated = templated(events);
        PageReader.Series series = new PageReader.Series(UUID.randomUUID(), "https://s/1");
        PageReader.Read first =
                templated.read(series, page(1, "$5"), "text/html", null, "#price", null);
        PageReader.Read second =
                templated.read(series, page(2, "$5"), "text/html", null, "#price", null);
        PageReader.Read otherSelector =
                templated.read(series, page(3, "$5"), "text/html", null, "p", null);
        PageReader.Read news = templated.read(series, page(4, "$6"), "text/html", null, "p", null);
        PageReader.Read noSeries = templated.read(page(5, "$6"), "text/html", null, "p", null);

        assertThat(second.text()).isEqualTo(first.text()).isEqualTo("$5");
        assertThat(second.contentHash()).isEqualTo(first.contentHash());
        // the raw hash names what was read: the page without its nonces
        assertThat(second.rawHash()).isEqualTo(first.rawHash());
        assertThat(news.rawHash()).isNotEqualTo(first.rawHash());
        assertThat(noSeries.rawHash()).isNotEqualTo(news.rawHash()); // the body's own hash
        assertThat(otherSelector.text()).isEqualTo("$5");
        assertThat(news.text()).isEqualTo("$6");
        assertThat(noSeries.text()).isEqualTo("$6");
        assertThat(events.names).containsExactly("learned", "reused", "learned", "learned");
        assertThat(templated.templates()).isEqualTo(1);
    }

    @Test
    void everyVerifyEverythReuseIsParsedAndCompared() {
        RecordedEvents events = new RecordedEvents();
        PageReader templated = templated(events);
        PageReader.Series series = new PageReader.Series(UUID.randomUUID(), "https://s/1");
        for (int i = 0; i <= PageReader.VERIFY_EVERY; i++) {
            assertThat(
                            templated
                                    .read(series, page(i, "$5"), "text/html", null, "#price", null)
                                    .text())
                    .isEqualTo("$5");
        }
        assertThat(events.names).filteredOn("reused"::equals).hasSize(PageReader.VERIFY_EVERY - 1);
        assertThat(events.names).filteredOn("learned"::equals).hasSize(2); // first, verified
        assertThat(events.names).doesNotContain("mismatched");
    }

    @Test
    void aSeriesWhoseTextChangesOnEveryPageIsLearnedFromLessAndLessOften() {
        RecordedEvents events = new RecordedEvents();
        PageReader templated = templated(events);
        PageReader.Series series = new PageReader.Series(UUID.randomUUID(), "https://s/1");
        for (int i = 0; i <= 70; i++) {
            assertThat(
                            templated
                                    .read(
                                            series,
                                            page(i, "$" + i),
                                            "text/html",
                                            null,
                                            "#price",
                                            null)
                                    .text())
                    .isEqualTo("$" + i);
        }
        // the first page, then the 1st, 2nd, 4th, ..., 64th miss in a row
        assertThat(events.names)
                .containsExactly(Collections.nCopies(8, "learned").toArray(String[]::new));

        // a page matching the last learned one (the 64th miss: "$64") is reused again
        assertThat(
                        templated
                                .read(series, page(99, "$64"), "text/html", null, "#price", null)
                                .text())
                .isEqualTo("$64");
        assertThat(events.names).endsWith("reused");
    }

    @Test
    void withoutTemplateMemoryEveryPageIsParsed() {
        PageReader.Series series = new PageReader.Series(UUID.randomUUID(), "https://s/1");
        reader.read(series, page(1, "$5"), "text/html", null, "#price", null);
        assertThat(reader.templates()).isZero();
    }
}
