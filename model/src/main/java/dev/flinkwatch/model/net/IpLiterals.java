package dev.flinkwatch.model.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Parses IP address literals the way browsers and {@code inet_aton} do (WHATWG URL host parsing),
 * so every spelling that a client would connect to is recognised: {@code 2130706433}, {@code
 * 0177.0.0.1}, {@code 0x7f.1}, {@code 127.1}, {@code [::ffff:127.0.0.1]}. Pure computation: never a
 * DNS lookup.
 */
final class IpLiterals {
    private IpLiterals() {}

    /** The address bytes (4 or 16) of an IP literal host, or null when the host is not one. */
    static byte[] parseBytes(String host) {
        if (host == null || host.isEmpty()) {
            return null;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            return parseIpv6(h.substring(1, h.length() - 1));
        }
        if (h.indexOf(':') >= 0) {
            return parseIpv6(h);
        }
        return endsInNumber(h) ? parseIpv4(h) : null;
    }

    /**
     * Whether a host's last label is numeric, which makes it an IPv4 literal or an invalid host
     * (never a DNS name) for browsers and URL parsers.
     */
    static boolean endsInNumber(String host) {
        String[] parts = labels(host);
        if (parts.length == 0) {
            return false;
        }
        String last = parts[parts.length - 1];
        // Every numeric spelling starts with a digit ("0x.." included): names leave here cheaply.
        if (last.isEmpty() || last.charAt(0) < '0' || last.charAt(0) > '9') {
            return false;
        }
        return last.chars().allMatch(c -> c >= '0' && c <= '9') || ipv4Number(last) >= 0;
    }

    static InetAddress toAddress(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("address must have 4 or 16 bytes", e);
        }
    }

    static String format(byte[] bytes) {
        return bytes.length == 16 && bytes[0] == 0 && isMappedPrefix(bytes)
                ? "::ffff:" + toAddress(bytes).getHostAddress()
                : toAddress(bytes).getHostAddress();
    }

    private static boolean isMappedPrefix(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }

    /** Labels with one trailing empty label (a trailing dot) removed. */
    private static String[] labels(String host) {
        String[] parts = host.split("\\.", -1);
        if (parts.length > 1 && parts[parts.length - 1].isEmpty()) {
            String[] trimmed = new String[parts.length - 1];
            System.arraycopy(parts, 0, trimmed, 0, trimmed.length);
            return trimmed;
        }
        return parts;
    }

    /** WHATWG IPv4 parser: 1 to 4 parts, each decimal, octal (leading 0) or hex (0x). */
    private static byte[] parseIpv4(String host) {
        String[] parts = labels(host);
        if (parts.length > 4) {
            return null;
        }
        long[] numbers = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            numbers[i] = ipv4Number(parts[i]);
            if (numbers[i] < 0 || (i < parts.length - 1 && numbers[i] > 255)) {
                return null;
            }
        }
        long last = numbers[parts.length - 1];
        if (last >= 1L << (8 * (5 - parts.length))) {
            return null;
        }
        long value = last;
        for (int i = 0; i < parts.length - 1; i++) {
            value += numbers[i] << (8 * (3 - i));
        }
        return new byte[] {
            (byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value
        };
    }

    /** One IPv4 part as a number, or -1 when it is not one (or absurdly long). */
    private static long ipv4Number(String part) {
        if (part.isEmpty()) {
            return -1;
        }
        int radix = 10;
        String digits = part;
        if (part.startsWith("0x")) {
            radix = 16;
            digits = part.substring(2);
        } else if (part.length() > 1 && part.charAt(0) == '0') {
            radix = 8;
            digits = part.substring(1);
        }
        if (digits.isEmpty()) {
            return 0;
        }
        // Leading zeros are harmless; more significant digits than 2^32 needs are not.
        int firstSignificant = 0;
        while (firstSignificant < digits.length() - 1 && digits.charAt(firstSignificant) == '0') {
            firstSignificant++;
        }
        String significant = digits.substring(firstSignificant);
        if (significant.length() > 12) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < significant.length(); i++) {
            char c = significant.charAt(i);
            int d = c < 128 ? Character.digit(c, radix) : -1;
            if (d < 0) {
                return -1;
            }
            value = value * radix + d;
        }
        return value;
    }

    /** RFC 4291 text form, with an optional trailing dotted quad and zone id (dropped). */
    private static byte[] parseIpv6(String text) {
        int zone = text.indexOf('%');
        String s = zone >= 0 ? text.substring(0, zone) : text;
        if (zone == 0 || s.isEmpty()) {
            return null;
        }
        int gap = s.indexOf("::");
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        int[] head = groups(gap >= 0 ? s.substring(0, gap) : s, gap < 0);
        int[] tail = gap >= 0 ? groups(s.substring(gap + 2), true) : new int[0];
        if (head == null || tail == null) {
            return null;
        }
        int count = head.length + tail.length;
        if (gap < 0 ? count != 8 : count > 7) {
            return null;
        }
        byte[] out = new byte[16];
        for (int i = 0; i < head.length; i++) {
            out[2 * i] = (byte) (head[i] >>> 8);
            out[2 * i + 1] = (byte) head[i];
        }
        for (int i = 0; i < tail.length; i++) {
            int at = 8 - tail.length + i;
            out[2 * at] = (byte) (tail[i] >>> 8);
            out[2 * at + 1] = (byte) tail[i];
        }
        return out;
    }

    /** 16-bit groups separated by colons; a final dotted quad (when allowed) counts as two. */
    private static int[] groups(String s, boolean mayEndInIpv4) {
        if (s.isEmpty()) {
            return new int[0];
        }
        String[] parts = s.split(":", -1);
        int[] out = new int[parts.length + 1];
        int n = 0;
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (i == parts.length - 1 && mayEndInIpv4 && p.indexOf('.') >= 0) {
                byte[] v4 = dottedQuad(p);
                if (v4 == null) {
                    return null;
                }
                out[n++] = ((v4[0] & 0xff) << 8) | (v4[1] & 0xff);
                out[n++] = ((v4[2] & 0xff) << 8) | (v4[3] & 0xff);
            } else {
                if (p.isEmpty() || p.length() > 4) {
                    return null;
                }
                int value = 0;
                for (int c = 0; c < p.length(); c++) {
                    char ch = p.charAt(c);
                    int d = ch < 128 ? Character.digit(ch, 16) : -1;
                    if (d < 0) {
                        return null;
                    }
                    value = value * 16 + d;
                }
                out[n++] = value;
            }
        }
        int[] exact = new int[n];
        System.arraycopy(out, 0, exact, 0, n);
        return exact;
    }

    /** Strict a.b.c.d in decimal, as RFC 4291 requires inside IPv6 literals. */
    private static byte[] dottedQuad(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return null;
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                return null;
            }
            out[i] = (byte) v;
        }
        return out;
    }
}
