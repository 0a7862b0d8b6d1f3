package dev.flinkwatch.extraction;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextSanitizerTest {
    @Test
    void removesWhatPostgresJsonOrATerminalCannotTake() {
        assertThat(TextSanitizer.clean("In\u0000 stock")).isEqualTo("In stock");
        assertThat(TextSanitizer.clean("a\u0001b\u001Bc\u007Fd\u0085e")).isEqualTo("abcde");
        assertThat(TextSanitizer.clean("x\uD800y")).isEqualTo("xy"); // lone high surrogate
        assertThat(TextSanitizer.clean("x\uDC00")).isEqualTo("x"); // lone low surrogate
        assertThat(TextSanitizer.clean("\uFFFEz\uFFFF")).isEqualTo("z");
    }

    @Test
    void keepsTextEmojiAndLineStructure() {
        String text = "Price:\t€49 🎉\r\nnext line\n日本語";
        assertThat(TextSanitizer.clean(text)).isSameAs(text);
        assertThat(TextSanitizer.clean("🎉\u0000🎉")).isEqualTo("🎉🎉");
        assertThat(TextSanitizer.clean(null)).isNull();
    }

    @Test
    void truncateNeverSplitsASurrogatePair() {
        assertThat(TextSanitizer.truncate("ab🎉", 3)).isEqualTo("ab");
        assertThat(TextSanitizer.truncate("ab🎉", 4)).isEqualTo("ab🎉");
        assertThat(TextSanitizer.truncate("abcd", 2)).isEqualTo("ab");
    }
}
