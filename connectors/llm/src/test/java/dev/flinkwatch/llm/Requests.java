package dev.flinkwatch.llm;

import dev.flinkwatch.model.Hashing;
import java.time.Instant;
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
                1,
                DETECTED_AT);
    }

    /**
     * The tokens the evaluator reserves for the request's call (the token is random, its length
     * not).
     */
    static long worstCase(LlmRequest request, LlmConfig config) {
        return VerdictPrompt.of(request, config.maxInputChars(), "0".repeat(24)).tokenEstimate()
                + config.maxOutputTokens();
    }

    static String hash(String text) {
        return Hashing.sha256Hex128(text);
    }
}
