package dev.flinkwatch.delivery;

import java.nio.charset.StandardCharsets;

/**
 * Cuts text to a receiver's documented limit, on a code point boundary (never half a surrogate
 * pair), ending with {@link #MARKER}.
 */
final class Truncation {
    static final String MARKER = "… (truncated)";

    private Truncation() {}

    /** At most {@code max} UTF-16 units (what Slack, Discord and Telegram count). */
    static String chars(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        String marker = MARKER.length() <= max / 2 ? MARKER : "…";
        int cut = Math.max(0, max - marker.length());
        if (cut > 0 && Character.isHighSurrogate(text.charAt(cut - 1))) {
            cut--;
        }
        return text.substring(0, cut) + marker;
    }

    /** At most {@code maxBytes} bytes of UTF-8 (what ntfy counts). */
    static String utf8(String text, int maxBytes) {
        if (text.length() * 3L <= maxBytes
                || text.getBytes(StandardCharsets.UTF_8).length <= maxBytes) {
            return text;
        }
        int budget = maxBytes - MARKER.getBytes(StandardCharsets.UTF_8).length;
        int bytes = 0;
        int i = 0;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            int size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + size > budget) {
                break;
            }
            bytes += size;
            i += Character.charCount(cp);
        }
        return text.substring(0, i) + MARKER;
    }
}
