package dev.flinkwatch.llm;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.openai.core.JsonValue;
import com.openai.models.ResponseFormatJsonSchema;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The answer contract: the JSON schema sent as the structured-output response format, and the
 * validation of what comes back. The endpoint's schema enforcement is not trusted (many
 * OpenAI-compatible servers ignore it or only approximate it): every reply is validated here, and
 * one that does not fit is rejected, never repaired into a decision.
 *
 * @param triggered whether the condition holds
 * @param reason the model's one-sentence explanation, invisible characters removed
 * @param value the value the condition is about as read from the page, or null
 */
record VerdictAnswer(boolean triggered, String reason, String value) {
    /** Longest reason and value accepted, in characters. */
    static final int MAX_TEXT = 280;

    private static final Set<String> FIELDS = Set.of("triggered", "reason", "value");

    private static final ObjectMapper JSON =
            JsonMapper.builder()
                    .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .build();

    private static final ResponseFormatJsonSchema RESPONSE_FORMAT = buildResponseFormat();

    /** {@code response_format}: a strict JSON schema with exactly the three fields. */
    static ResponseFormatJsonSchema responseFormat() {
        return RESPONSE_FORMAT;
    }

    private static ResponseFormatJsonSchema buildResponseFormat() {
        Map<String, Object> properties =
                Map.of(
                        "triggered",
                        Map.of(
                                "type",
                                "boolean",
                                "description",
                                "true only if the current page content satisfies the condition"),
                        "reason",
                        Map.of(
                                "type",
                                "string",
                                "maxLength",
                                MAX_TEXT,
                                "description",
                                "one short sentence: what on the page decided it"),
                        "value",
                        Map.of(
                                "type",
                                List.of("string", "null"),
                                "maxLength",
                                MAX_TEXT,
                                "description",
                                "the value the condition is about, as written on the page, or"
                                        + " null"));
        ResponseFormatJsonSchema.JsonSchema.Schema schema =
                ResponseFormatJsonSchema.JsonSchema.Schema.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(properties))
                        .putAdditionalProperty(
                                "required", JsonValue.from(List.of("triggered", "reason", "value")))
                        .putAdditionalProperty("additionalProperties", JsonValue.from(false))
                        .build();
        return ResponseFormatJsonSchema.builder()
                .jsonSchema(
                        ResponseFormatJsonSchema.JsonSchema.builder()
                                .name("condition_verdict")
                                .strict(true)
                                .schema(schema)
                                .build())
                .build();
    }

    /**
     * Parses and validates the assistant's message content.
     *
     * @throws InvalidAnswerException with a short reason (never echoing the content) when the
     *     content is not exactly one JSON object with the three fields of the right types and sizes
     */
    static VerdictAnswer parse(String content) throws InvalidAnswerException {
        if (content == null || content.isBlank()) {
            throw new InvalidAnswerException("empty answer");
        }
        JsonNode root;
        try {
            root = JSON.readTree(content.strip());
        } catch (JsonProcessingException e) {
            throw new InvalidAnswerException("answer is not a single JSON value");
        }
        if (root == null || !root.isObject()) {
            throw new InvalidAnswerException("answer is not a JSON object");
        }
        Set<String> names = new TreeSet<>();
        root.fieldNames().forEachRemaining(names::add);
        if (!names.equals(FIELDS)) {
            throw new InvalidAnswerException(
                    "answer must have exactly the fields [reason, triggered, value], had " + names);
        }
        JsonNode triggered = root.get("triggered");
        if (!triggered.isBoolean()) {
            throw new InvalidAnswerException("triggered is not a boolean");
        }
        String reason = text(root.get("reason"), "reason", false);
        if (reason == null) {
            throw new InvalidAnswerException("reason is empty");
        }
        return new VerdictAnswer(
                triggered.booleanValue(), reason, text(root.get("value"), "value", true));
    }

    private static String text(JsonNode node, String field, boolean nullable)
            throws InvalidAnswerException {
        if (nullable && node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new InvalidAnswerException(
                    field + " is not a string" + (nullable ? " or null" : ""));
        }
        if (node.textValue().length() > MAX_TEXT) {
            throw new InvalidAnswerException(field + " is longer than " + MAX_TEXT + " characters");
        }
        String text = InvisibleCharacters.strip(node.textValue()).strip();
        return text.isEmpty() ? null : text;
    }
}
