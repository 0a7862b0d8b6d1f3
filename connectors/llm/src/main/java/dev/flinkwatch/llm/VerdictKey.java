package dev.flinkwatch.llm;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

/**
 * What a cached verdict answers: the tenant, and a SHA-256 over everything the prompt is built from
 * (the system message, the character budget, the model, the condition, the diff and the current
 * text). So a verdict is reused only for the same tenant asking exactly the same question: no
 * tenant can plant a verdict for another or read a reason that quotes another's page. The key holds
 * a digest, never the text.
 *
 * @param tenantId the tenant the verdict belongs to
 * @param promptDigest hex SHA-256 of the prompt's inputs
 */
record VerdictKey(UUID tenantId, String promptDigest) {
    private static final byte[] SYSTEM = VerdictPrompt.SYSTEM.getBytes(StandardCharsets.UTF_8);

    static VerdictKey of(LlmRequest request, String model, int maxInputChars) {
        MessageDigest sha = sha256();
        part(sha, SYSTEM);
        sha.update(ByteBuffer.allocate(Integer.BYTES).putInt(maxInputChars).array());
        part(sha, model);
        part(sha, request.condition());
        part(sha, request.diff());
        part(sha, request.currentText());
        return new VerdictKey(request.tenantId(), HexFormat.of().formatHex(sha.digest()));
    }

    private static void part(MessageDigest sha, String text) {
        part(sha, text == null ? null : text.getBytes(StandardCharsets.UTF_8));
    }

    /** Length-prefixed, so no choice of texts can make two different splits hash alike. */
    private static void part(MessageDigest sha, byte[] bytes) {
        int length = bytes == null ? -1 : bytes.length;
        sha.update(ByteBuffer.allocate(Integer.BYTES).putInt(length).array());
        if (bytes != null) {
            sha.update(bytes);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }
}
