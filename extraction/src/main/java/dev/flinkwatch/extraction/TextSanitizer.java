package dev.flinkwatch.extraction;

/**
 * Makes page-derived text safe for every place it goes: PostgreSQL {@code text} (refuses NUL), JSON
 * (lone surrogates cannot be encoded as UTF-8), a terminal or log viewer (control characters move
 * the cursor or change colours). Removes C0 controls except tab, line feed and carriage return, DEL
 * and the C1 controls, lone surrogates and the noncharacters U+FFFE and U+FFFF; everything else
 * (emoji and other surrogate pairs included) is kept. Applied once, where page text enters the
 * job's state; later cuts use {@link #truncate} so they cannot split a pair again.
 */
public final class TextSanitizer {
    private TextSanitizer() {}

    /** The text without unsafe characters; the same instance when there are none, null for null. */
    public static String clean(String text) {
        if (text == null) {
            return null;
        }
        int first = firstUnsafe(text);
        if (first < 0) {
            return text;
        }
        StringBuilder sb = new StringBuilder(text.length());
        sb.append(text, 0, first);
        for (int i = first; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)
                    && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                sb.append(c).append(text.charAt(++i));
            } else if (!unsafe(c)) {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /**
     * At most {@code maxChars} chars of the text, cut before a surrogate pair, never inside one.
     */
    public static String truncate(String text, int maxChars) {
        if (text.length() <= maxChars) {
            return text;
        }
        int end = maxChars;
        if (end > 0 && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end);
    }

    private static int firstUnsafe(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c < 0x7F) {
                continue; // printable ASCII, most of a page: one test instead of six
            }
            if (Character.isHighSurrogate(c)
                    && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (unsafe(c)) {
                return i;
            }
        }
        return -1;
    }

    /** Unsafe on its own (a surrogate reaching here is unpaired). */
    private static boolean unsafe(char c) {
        if (c < 0x20) {
            return c != '\t' && c != '\n' && c != '\r';
        }
        return (c >= 0x7F && c <= 0x9F)
                || Character.isSurrogate(c)
                || c == '\uFFFE'
                || c == '\uFFFF';
    }
}
