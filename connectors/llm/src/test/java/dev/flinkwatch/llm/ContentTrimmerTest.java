package dev.flinkwatch.llm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ContentTrimmerTest {

    @Test
    void keepsEverythingThatFits() {
        ContentTrimmer.Fitted fitted = ContentTrimmer.fit("+ a", "text", 100);

        assertThat(fitted.diff()).isEqualTo("+ a");
        assertThat(fitted.text()).isEqualTo("text");
    }

    @Test
    void nullsBecomeEmpty() {
        ContentTrimmer.Fitted fitted = ContentTrimmer.fit(null, null, 100);

        assertThat(fitted.diff()).isEmpty();
        assertThat(fitted.text()).isEmpty();
    }

    @Test
    void textWindowIsCentredOnTheChangeNotThePageHead() {
        String before = "navigation menu line\n".repeat(500); // 10,500 chars of boilerplate
        String change = "Price now $45.00 for the blue kettle";
        String after = "\nfooter line".repeat(500);
        String text = before + change + after;

        ContentTrimmer.Fitted fitted = ContentTrimmer.fit("+ " + change, text, 2_000);

        assertThat(fitted.diff()).isEqualTo("+ " + change);
        assertThat(fitted.text())
                .contains(change)
                .startsWith("[... ")
                .endsWith(" characters omitted ...]");
        assertThat(fitted.text().length()).isLessThan(2_000 + 100);
    }

    @Test
    void withoutAnAnchorTheTextHeadIsKept() {
        String text = "HEAD " + "x".repeat(5_000);

        ContentTrimmer.Fitted fitted = ContentTrimmer.fit("", text, 1_000);

        assertThat(fitted.text()).startsWith("HEAD ").endsWith("characters omitted ...]");
    }

    @Test
    void aHugeDiffGetsHalfTheBudgetAndTheTextTheOtherHalf() {
        String diff = "+ added line number\n".repeat(1_000);
        String text = "t".repeat(10_000);

        ContentTrimmer.Fitted fitted = ContentTrimmer.fit(diff, text, 4_000);

        assertThat(fitted.diff()).startsWith("+ added line number\n");
        assertThat(fitted.diff().length()).isBetween(1_500, 2_100);
        assertThat(fitted.text().length()).isBetween(1_900, 2_100);
    }

    @Test
    void aSmallDiffLeavesTheRestToTheText() {
        String text = "t".repeat(10_000);

        ContentTrimmer.Fitted fitted = ContentTrimmer.fit("+ x", text, 4_000);

        assertThat(fitted.diff()).isEqualTo("+ x");
        assertThat(fitted.text().length()).isGreaterThan(3_900);
    }

    @Test
    void neverSplitsASurrogatePair() {
        String text = "😀".repeat(3_000); // 6,000 chars, all surrogate pairs

        ContentTrimmer.Fitted fitted = ContentTrimmer.fit("", text, 1_001);

        String kept = fitted.text().substring(0, fitted.text().indexOf('\n'));
        assertThat(kept.codePoints()).allMatch(cp -> cp == "😀".codePointAt(0));
    }
}
