package dev.flinkwatch.pipeline;

import com.sun.net.httpserver.HttpHandler;
import dev.flinkwatch.testing.LocalSite;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/** Page bodies a hostile tenant points its monitors at, as raw bytes. */
final class HostilePages {
    private HostilePages() {}

    /**
     * Bytes that PostgreSQL (NUL), JSON (unpaired surrogates), terminals (ESC, C1 controls, bidi
     * overrides) or UTF-8 decoders (invalid sequences, surrogates encoded as UTF-8) cannot take.
     */
    static byte[] controlBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ascii(out, "NUL[");
        out.write(0x00);
        ascii(out, "] SOH[");
        out.write(0x01);
        ascii(out, "] ESC[");
        out.write(0x1b);
        ascii(out, "[31mred");
        out.write(0x1b);
        ascii(out, "[0m] DEL[");
        out.write(0x7f);
        ascii(out, "] C1[");
        bytes(out, 0xC2, 0x85, 0xC2, 0x9B);
        ascii(out, "] surrogates-as-utf8[");
        bytes(out, 0xED, 0xA0, 0x80, 0xED, 0xBF, 0xBF);
        ascii(out, "] invalid[");
        bytes(out, 0xFF, 0xFE, 0xC0, 0x80);
        ascii(out, "] noncharacter[");
        bytes(out, 0xEF, 0xBF, 0xBE);
        ascii(out, "] bidi-override[");
        bytes(out, 0xE2, 0x80, 0xAE);
        ascii(out, "]");
        return out.toByteArray();
    }

    /** A UTF-16LE text with an unpaired high surrogate and a NUL code unit. */
    static byte[] utf16WithLoneSurrogate(int n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("Price " + n + " lone[").getBytes(StandardCharsets.UTF_16LE));
        bytes(out, 0x00, 0xD8, 0x41, 0x00); // U+D800 then 'A': unpaired
        out.writeBytes("] nul[".getBytes(StandardCharsets.UTF_16LE));
        bytes(out, 0x00, 0x00);
        out.writeBytes("]\n".getBytes(StandardCharsets.UTF_16LE));
        return out.toByteArray();
    }

    static byte[] plain(int n) {
        return concat("Price " + n + " ", controlBytes(), "\nsecond line ", controlBytes(), "\n");
    }

    static byte[] json(int n) {
        return concat("{\"n\":" + n + ",\"note\":\"", controlBytes(), "\"}");
    }

    static byte[] html(int n) {
        return concat(
                "<html><body><p>", controlBytes(), "</p><p>check " + n + "</p></body></html>");
    }

    /**
     * A text on which {@code pattern} fails only after catastrophic backtracking: a run of a's that
     * a final '!' stops; for {@code (.*a){20}} fewer a's than it needs.
     */
    static String failingText(String pattern, int length) {
        if (pattern.equals("(.*a){20}")) {
            return "a".repeat(19) + "!".repeat(length - 19);
        }
        return "a".repeat(length - 1) + "!";
    }

    /** One of two 20,000-line versions that share no line: a worst case for a line diff. */
    static byte[] twentyThousandLines(boolean second) {
        StringBuilder sb = new StringBuilder(20_000 * 3);
        char prefix = second ? 'b' : 'a';
        for (int i = 0; i < 20_000; i++) {
            sb.append(prefix).append((char) ('0' + i % 10)).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A handler that answers a new body on every request (no validators: never a 304). */
    static HttpHandler changingEveryRequest(String contentType, IntFunction<byte[]> body) {
        AtomicInteger n = new AtomicInteger();
        return exchange -> {
            exchange.getResponseHeaders().set("Content-Type", contentType);
            LocalSite.send(exchange, 200, body.apply(n.incrementAndGet()));
        };
    }

    static byte[] concat(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof byte[] b) {
                out.writeBytes(b);
            } else {
                ascii(out, part.toString());
            }
        }
        return out.toByteArray();
    }

    private static void ascii(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    private static void bytes(ByteArrayOutputStream out, int... values) {
        for (int v : values) {
            out.write(v);
        }
    }
}
