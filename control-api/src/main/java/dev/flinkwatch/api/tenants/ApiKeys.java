package dev.flinkwatch.api.tenants;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * API key material. A key is {@value #PREFIX} followed by 256 random bits (base64url); only its
 * SHA-256 is stored, and keys are looked up by that hash. A fast unsalted hash is right here
 * because the secret has full entropy: there is nothing to brute-force or precompute.
 */
public final class ApiKeys {
    public static final String PREFIX = "fwk_";
    private static final int SECRET_BYTES = 32;
    private static final int DISPLAY_CHARS = 8;
    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiKeys() {}

    /**
     * A newly generated key.
     *
     * @param secret the key itself: returned to the caller once, never stored or logged
     * @param hash SHA-256 of the secret
     * @param displayPrefix the first characters, so people can tell keys apart
     */
    public record Generated(String secret, byte[] hash, String displayPrefix) {
        @Override
        public String toString() {
            return "ApiKeys.Generated{" + displayPrefix + "...}";
        }
    }

    public static Generated generate() {
        return generate(PREFIX);
    }

    /**
     * A secret of the same strength for another use (feed tokens), told apart by its prefix
     * (base64url-safe: it goes into URLs).
     */
    public static Generated generate(String prefix) {
        byte[] random = new byte[SECRET_BYTES];
        RANDOM.nextBytes(random);
        String secret = prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        return new Generated(
                secret, sha256(secret), secret.substring(0, prefix.length() + DISPLAY_CHARS));
    }

    public static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }
}
