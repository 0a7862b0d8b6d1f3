package dev.flinkwatch.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flinkwatch.model.ModelCodec;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Finds strings that JSON can carry but storage and the Kafka payload cannot: NUL characters
 * (PostgreSQL text and jsonb refuse them) and unpaired UTF-16 surrogates (not encodable as UTF-8).
 * This is about what can be stored, not about what a valid monitor is (that is the model's
 * validator).
 */
public final class TextSafety {
    public static final String MESSAGE =
            "must be valid Unicode text without NUL characters or unpaired surrogates";

    private TextSafety() {}

    /** Field path to message for every unstorable string in {@code value}'s JSON form. */
    public static Map<String, String> problems(Object value) {
        Map<String, String> problems = new LinkedHashMap<>();
        walk(ModelCodec.mapper().valueToTree(value), "", problems);
        return problems;
    }

    public static boolean isStorable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0) {
                return false;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static void walk(JsonNode node, String path, Map<String, String> problems) {
        if (node.isTextual()) {
            if (!isStorable(node.textValue())) {
                problems.put(path.isEmpty() ? "$" : path, MESSAGE);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), path + "[" + i + "]", problems);
            }
        } else if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                walk(
                        field.getValue(),
                        path.isEmpty() ? field.getKey() : path + "." + field.getKey(),
                        problems);
            }
        }
    }
}
