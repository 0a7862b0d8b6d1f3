package dev.flinkwatch.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TextSafetyTest {
    @Test
    void acceptsAnyValidUnicode() {
        assertThat(TextSafety.isStorable("plain")).isTrue();
        assertThat(TextSafety.isStorable("\uD83D\uDE00 \u05D0 e\u0301 \u202E")).isTrue();
        assertThat(TextSafety.isStorable("")).isTrue();
    }

    @Test
    void refusesNulAndUnpairedSurrogates() {
        assertThat(TextSafety.isStorable("a\u0000b")).isFalse();
        assertThat(TextSafety.isStorable("\ud800")).isFalse();
        assertThat(TextSafety.isStorable("x\ud800y")).isFalse();
        assertThat(TextSafety.isStorable("\udc00\ud800")).isFalse();
    }

    @Test
    void reportsEachOffendingStringByPath() {
        Map<String, Object> value =
                Map.of("name", "ok", "sources", List.of(Map.of("url", "bad\u0000")), "n", 1);
        assertThat(TextSafety.problems(value)).containsOnlyKeys("sources[0].url");
    }
}
