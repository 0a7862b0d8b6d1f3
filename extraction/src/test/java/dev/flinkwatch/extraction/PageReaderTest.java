package dev.flinkwatch.extraction;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
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
}
