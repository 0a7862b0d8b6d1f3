package dev.flinkwatch.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The platform's content identity: the first 128 bits of SHA-256, hex encoded (32 characters). Used
 * for content hashes, alert ids and cache keys, so they agree wherever they are computed.
 */
public final class Hashing {
    /** One digest per thread: getInstance's provider lookup cost more than hashing a page. */
    private static final ThreadLocal<MessageDigest> SHA256 =
            ThreadLocal.withInitial(Hashing::newSha256);

    private Hashing() {}

    /** Hash of one text (UTF-8). */
    public static String sha256Hex128(String text) {
        MessageDigest sha = sha256();
        return HexFormat.of().formatHex(sha.digest(text.getBytes(StandardCharsets.UTF_8)), 0, 16);
    }

    /**
     * Hash of several parts, each followed by a zero byte, so ("ab", "c") and ("a", "bc") differ.
     */
    public static String sha256Hex128(String... parts) {
        MessageDigest sha = sha256();
        for (String part : parts) {
            sha.update(String.valueOf(part).getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
        }
        return HexFormat.of().formatHex(sha.digest(), 0, 16);
    }

    private static MessageDigest sha256() {
        MessageDigest sha = SHA256.get();
        sha.reset();
        return sha;
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }
}
