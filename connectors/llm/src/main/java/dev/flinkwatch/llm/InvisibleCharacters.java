package dev.flinkwatch.llm;

/**
 * Removes characters a reader of the page cannot see but a model reads: the classic carrier of
 * hidden prompt injections. Stripped: format characters (Unicode category Cf: zero-width space,
 * joiners, word joiner, BOM, soft hyphen, bidi embeddings/overrides/isolates, the whole tag block
 * U+E0000..U+E007F), control characters other than newline and tab, variation selectors (they can
 * smuggle bytes after an emoji), Hangul filler characters and unpaired surrogates (JSON encoders
 * and PostgreSQL refuse them). Line and paragraph separators become newlines. Model output (a
 * verdict's reason and value, error details) goes through the same filter before it reaches alerts
 * and PostgreSQL, so it never carries a NUL byte.
 */
final class InvisibleCharacters {
    private InvisibleCharacters() {}

    /** The text without invisible characters; null stays null. */
    static String strip(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == '\r' && i < text.length() && text.charAt(i) == '\n') {
                continue; // CRLF: the LF that follows is the newline
            }
            if (cp == '\r' || cp == 0x2028 || cp == 0x2029) {
                out.append('\n');
            } else if (!invisible(cp)) {
                out.appendCodePoint(cp);
            }
        }
        return out.toString();
    }

    static boolean invisible(int cp) {
        if (cp == '\n' || cp == '\t') {
            return false;
        }
        int type = Character.getType(cp);
        return type == Character.FORMAT
                || type == Character.CONTROL
                || type == Character.SURROGATE // only unpaired ones: pairs arrive as one code point
                || (cp >= 0xE0000 && cp <= 0xE007F) // tag block, including unassigned slots
                || (cp >= 0xFE00 && cp <= 0xFE0F) // variation selectors
                || (cp >= 0xE0100 && cp <= 0xE01EF) // variation selectors supplement
                || cp == 0x034F // combining grapheme joiner
                || cp == 0x115F
                || cp == 0x1160
                || cp == 0x3164
                || cp == 0xFFA0; // Hangul fillers render as nothing
    }
}
