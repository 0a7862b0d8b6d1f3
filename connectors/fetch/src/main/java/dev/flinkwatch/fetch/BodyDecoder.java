package dev.flinkwatch.fetch;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns body bytes into text with the charset a browser would pick: a byte order mark first, then
 * the Content-Type charset, then (HTML and XML) a {@code <meta charset>}, {@code <meta
 * http-equiv="Content-Type">} or {@code <?xml encoding?>} declaration in the first 1024 bytes;
 * otherwise UTF-8 when the bytes are valid UTF-8, else windows-1252. Undecodable bytes become
 * U+FFFD; nothing here throws.
 */
final class BodyDecoder {
    private BodyDecoder() {}

    /** The text and the charset it was decoded with. */
    record Decoded(String text, Charset charset) {}

    private static final int PRESCAN_BYTES = 1024;
    private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");
    private static final Pattern HEADER_CHARSET =
            Pattern.compile("(?i)charset\\s*=\\s*[\"']?([^\"';\\s]+)");
    private static final Pattern META_CHARSET =
            Pattern.compile(
                    "(?is)<meta[^>]+?charset\\s*=\\s*[\"']?\\s*([a-z0-9_:.\\-]+)"
                            + "|<\\?xml[^>]+?encoding\\s*=\\s*[\"']([a-z0-9_.\\-]+)");

    static Decoded decode(byte[] body, String contentType) {
        Optional<Decoded> withBom = decodeWithBom(body);
        if (withBom.isPresent()) {
            return withBom.get();
        }
        Charset charset = fromContentType(contentType).or(() -> fromDeclaration(body)).orElse(null);
        if (charset != null) {
            return new Decoded(new String(body, charset), charset);
        }
        return strictUtf8(body)
                .map(text -> new Decoded(text, StandardCharsets.UTF_8))
                .orElseGet(() -> new Decoded(new String(body, WINDOWS_1252), WINDOWS_1252));
    }

    private static Optional<Decoded> decodeWithBom(byte[] b) {
        if (b.length >= 3
                && (b[0] & 0xff) == 0xEF
                && (b[1] & 0xff) == 0xBB
                && (b[2] & 0xff) == 0xBF) {
            return Optional.of(decodeFrom(b, 3, StandardCharsets.UTF_8));
        }
        if (b.length >= 2 && (b[0] & 0xff) == 0xFE && (b[1] & 0xff) == 0xFF) {
            return Optional.of(decodeFrom(b, 2, StandardCharsets.UTF_16BE));
        }
        if (b.length >= 2 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xFE) {
            return Optional.of(decodeFrom(b, 2, StandardCharsets.UTF_16LE));
        }
        return Optional.empty();
    }

    private static Decoded decodeFrom(byte[] b, int offset, Charset charset) {
        return new Decoded(new String(b, offset, b.length - offset, charset), charset);
    }

    private static Optional<Charset> fromContentType(String contentType) {
        if (contentType == null) {
            return Optional.empty();
        }
        Matcher m = HEADER_CHARSET.matcher(contentType);
        return m.find() ? charset(m.group(1)) : Optional.empty();
    }

    private static Optional<Charset> fromDeclaration(byte[] body) {
        int prescan = Math.min(body.length, PRESCAN_BYTES);
        if (!containsAscii(body, prescan, "charset") && !containsAscii(body, prescan, "encoding")) {
            return Optional.empty(); // most pages: skip the copy and the regex
        }
        // Declarations are ASCII; ISO-8859-1 maps every byte to one char, so offsets stay sane.
        String head = new String(body, 0, prescan, StandardCharsets.ISO_8859_1);
        Matcher m = META_CHARSET.matcher(head);
        if (!m.find()) {
            return Optional.empty();
        }
        return charset(m.group(1) != null ? m.group(1) : m.group(2))
                // A document that could declare itself in ASCII is not UTF-16 (WHATWG rule).
                .map(c -> c.name().startsWith("UTF-16") ? StandardCharsets.UTF_8 : c);
    }

    /**
     * Whether the first {@code length} bytes hold {@code word} (lower-case ASCII letters), in any
     * case. Horspool's skip: a byte that is not in the word moves the window by its whole length,
     * so a page's head is read about one byte in seven, not every byte.
     */
    static boolean containsAscii(byte[] bytes, int length, String word) {
        int last = word.length() - 1;
        for (int end = last; end < length; ) {
            int folded = (bytes[end] | 0x20) & 0xff;
            int j = last;
            while (j >= 0 && (bytes[end - last + j] | 0x20) == word.charAt(j)) {
                j--;
            }
            if (j < 0) {
                return true;
            }
            end += last - word.lastIndexOf(folded, last - 1);
        }
        return false;
    }

    /** A supported charset by name, with the WHATWG rule that Latin-1 labels mean windows-1252. */
    private static Optional<Charset> charset(String label) {
        String name = label.trim().toLowerCase(Locale.ROOT);
        if (name.equals("iso-8859-1")
                || name.equals("latin1")
                || name.equals("us-ascii")
                || name.equals("ascii")) {
            return Optional.of(WINDOWS_1252);
        }
        try {
            return Optional.of(Charset.forName(name));
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // unknown or illegal name: try the next source
        }
    }

    /** The text when the bytes are valid UTF-8: one fast decode, strict only when in doubt. */
    private static Optional<String> strictUtf8(byte[] body) {
        String lenient = new String(body, StandardCharsets.UTF_8);
        if (lenient.indexOf('\uFFFD') < 0) {
            return Optional.of(lenient); // nothing was replaced: the bytes are valid
        }
        try {
            return Optional.of(
                    StandardCharsets.UTF_8
                            .newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(body))
                            .toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }
}
