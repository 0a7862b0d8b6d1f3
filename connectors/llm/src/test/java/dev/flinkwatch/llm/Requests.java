package dev.flinkwatch.llm;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;

/** Test requests: a content hash derived from the text, as the change detector does. */
final class Requests {
    static final Instant DETECTED_AT = Instant.parse("2026-11-28T12:00:00Z");

    private Requests() {}

    static LlmRequest request(String condition, String diff, String text) {
        return request(UUID.randomUUID(), UUID.randomUUID(), condition, diff, text);
    }

    static LlmRequest request(
            UUID monitorId, UUID tenantId, String condition, String diff, String text) {
        return new LlmRequest(
                monitorId,
                tenantId,
                "https://shop.example/kettle",
                condition,
                diff,
                text,
                hash(text),
                DETECTED_AT);
    }

    static String hash(String text) {
        try {
            return HexFormat.of()
                    .formatHex(
                            MessageDigest.getInstance("SHA-256")
                                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
