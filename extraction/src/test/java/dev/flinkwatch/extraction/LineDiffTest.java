package dev.flinkwatch.extraction;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LineDiffTest {
    @Test
    void diffsOnlyWhatChanged() {
        String before = "title\nprice 45\nfooter";
        String after = "title\nprice 60\nfooter";
        assertThat(LineDiff.between(before, after, 1000, 10)).isEqualTo("- price 45\n+ price 60");
        assertThat(LineDiff.added(LineDiff.between(before, after, 1000, 10))).isEqualTo("price 60");
        assertThat(LineDiff.removed(LineDiff.between(before, after, 1000, 10)))
                .isEqualTo("price 45");
    }

    @Test
    void alternatingTwentyThousandLineVersionsAreReportedTooLargeWithoutADiff() {
        String even = lines(20_000, i -> i % 2 == 0 ? "row " + i : "x");
        String odd = lines(20_000, i -> i % 2 == 1 ? "row " + i : "x");
        String diff = LineDiff.between(even, odd, 8192, 2000);
        assertThat(diff)
                .startsWith(LineDiff.TOO_LARGE)
                .contains("20000 lines before and 20000 after")
                .doesNotContain("\n+ ");
        assertThat(LineDiff.added(diff)).isEmpty();
    }

    @Test
    void aSmallChangeInALongTextIsStillDiffed() {
        String before = lines(20_000, i -> "row " + i);
        String after = before.replace("row 10000\n", "row ten thousand\n");
        assertThat(LineDiff.between(before, after, 8192, 10))
                .isEqualTo("- row 10000\n+ row ten thousand");
    }

    @Test
    void longDiffsAreTruncated() {
        String before = lines(100, i -> "a" + i);
        String after = lines(100, i -> "b" + i);
        String diff = LineDiff.between(before, after, 200, 1000);
        assertThat(diff).endsWith("… (diff truncated)").hasSizeLessThan(220);
    }

    private static String lines(int n, java.util.function.IntFunction<String> line) {
        return IntStream.range(0, n).mapToObj(line).collect(Collectors.joining("\n"));
    }
}
