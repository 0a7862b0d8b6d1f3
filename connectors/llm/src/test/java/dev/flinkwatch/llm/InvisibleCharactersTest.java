package dev.flinkwatch.llm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InvisibleCharactersTest {

    @Test
    void removesZeroWidthBidiTagAndVariationCharacters() {
        String hidden =
                "Pri\u200Bce\u200C \u200D$4\u2060"
                        + "9\uFEFF \u00AD\u202Eevil\u202C \u2066x\u2069"
                        + new String(Character.toChars(0xE0041)) // TAG LATIN CAPITAL LETTER A
                        + new String(Character.toChars(0xE007F)) // CANCEL TAG
                        + "\uFE0F\u180E\u3164\u034F"
                        + "\u0000\u0007end";

        assertThat(InvisibleCharacters.strip(hidden)).isEqualTo("Price $49 evil xend");
    }

    @Test
    void keepsVisibleTextNewlinesTabsAndNonLatinScripts() {
        String visible = "Preis: 49 €\n\tカート 🛒 \u05E9\u05DC\u05D5\u05DD";

        assertThat(InvisibleCharacters.strip(visible)).isEqualTo(visible);
    }

    @Test
    void normalizesLineBreaks() {
        assertThat(InvisibleCharacters.strip("a\r\nb\rc\u2028d\u2029e")).isEqualTo("a\nb\nc\nd\ne");
    }

    @Test
    void removesUnpairedSurrogatesAndKeepsPairs() {
        assertThat(InvisibleCharacters.strip("a\uD800b\uDC00c\uD83D\uDED2"))
                .isEqualTo("abc\uD83D\uDED2");
    }

    @Test
    void nullStaysNull() {
        assertThat(InvisibleCharacters.strip(null)).isNull();
    }
}
