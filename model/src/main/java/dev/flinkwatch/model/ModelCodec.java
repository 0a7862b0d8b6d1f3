package dev.flinkwatch.model;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The one JSON codec of the contracts. Messages on topics are envelopes with a {@value
 * #SCHEMA_VERSION_FIELD} field: a reader accepts versions up to {@link #SCHEMA_VERSION} and ignores
 * fields it does not know (a newer producer may add fields). Input is read strictly otherwise: no
 * coercion of strings to numbers or numbers to strings, no truncated floats, no duplicate keys, and
 * every failure is a {@link CodecException} naming the field. Absent or null primitives read as 0
 * (system-assigned fields such as {@code version} are absent from REST bodies); range checks are
 * the validator's job.
 */
public final class ModelCodec {
    /** The schema version this build writes and the highest one it reads. */
    public static final int SCHEMA_VERSION = 1;

    public static final String SCHEMA_VERSION_FIELD = "schemaVersion";

    private static final byte[] ENVELOPE_PREFIX =
            ("{\"" + SCHEMA_VERSION_FIELD + "\":" + SCHEMA_VERSION).getBytes();

    private static final ObjectMapper MAPPER = createMapper();

    private ModelCodec() {}

    /** The shared, strictly configured mapper (thread-safe; do not reconfigure). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    private static ObjectMapper createMapper() {
        JsonMapper mapper =
                JsonMapper.builder()
                        .addModule(new JavaTimeModule())
                        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                        .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
                        .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                        .build();
        // Scalars of the wrong JSON type are errors, not silently converted values.
        for (LogicalType type : List.of(LogicalType.Textual, LogicalType.Boolean)) {
            mapper.coercionConfigFor(type)
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        }
        mapper.coercionConfigFor(LogicalType.Collection)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        return mapper;
    }

    /** Writes a contract as an envelope: {@code {"schemaVersion":1, ...fields}}. */
    public static byte[] encode(Object value) {
        byte[] body = toJsonBytes(value);
        if (body.length < 2 || body[0] != '{') {
            throw new IllegalArgumentException("only objects can be enveloped: " + value);
        }
        boolean empty = body.length == 2;
        byte[] out = new byte[ENVELOPE_PREFIX.length + body.length - 1 + (empty ? 0 : 1)];
        System.arraycopy(ENVELOPE_PREFIX, 0, out, 0, ENVELOPE_PREFIX.length);
        int pos = ENVELOPE_PREFIX.length;
        if (!empty) {
            out[pos++] = ',';
        }
        System.arraycopy(body, 1, out, pos, body.length - 1);
        return out;
    }

    /** Reads an envelope written by {@link #encode}, checking its schema version. */
    public static <T> T decode(byte[] json, Class<T> type) {
        JsonNode tree = readTree(json);
        if (!(tree instanceof ObjectNode object)) {
            throw new CodecException("$", "must be a JSON object");
        }
        JsonNode version = object.remove(SCHEMA_VERSION_FIELD);
        if (version == null || version.isNull()) {
            throw new CodecException(SCHEMA_VERSION_FIELD, "is required");
        }
        if (!version.isInt() || version.intValue() < 1) {
            throw new CodecException(SCHEMA_VERSION_FIELD, "must be a positive integer");
        }
        if (version.intValue() > SCHEMA_VERSION) {
            throw new CodecException(
                    SCHEMA_VERSION_FIELD,
                    "version "
                            + version.intValue()
                            + " is newer than this build reads (up to "
                            + SCHEMA_VERSION
                            + ")");
        }
        try {
            return MAPPER.treeToValue(object, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw translate(e);
        }
    }

    /** Reads a plain document (no envelope), such as a REST request body. */
    public static <T> T decodePlain(byte[] json, Class<T> type) {
        try {
            T value = MAPPER.readValue(json, type);
            if (value == null) {
                throw new CodecException("$", "must be a JSON object, not null");
            }
            return value;
        } catch (IOException | IllegalArgumentException e) {
            throw translate(e);
        }
    }

    /** Writes a plain document (no envelope). */
    public static byte[] toJsonBytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not serializable as JSON: " + value.getClass(), e);
        }
    }

    private static JsonNode readTree(byte[] json) {
        try {
            JsonNode tree = MAPPER.readTree(json);
            if (tree == null || tree.isMissingNode()) {
                throw new CodecException("$", "is empty");
            }
            return tree;
        } catch (IOException e) {
            throw translate(e);
        }
    }

    private static CodecException translate(Exception e) {
        if (e instanceof CodecException codec) {
            return codec;
        }
        if (e.getCause() instanceof CodecException codec) {
            return codec;
        }
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            return new CodecException(path(mapping.getPath()), describe(mapping), e);
        }
        if (e instanceof JacksonException jackson) {
            return new CodecException(
                    "$", "malformed JSON: " + firstLine(jackson.getOriginalMessage()), e);
        }
        return new CodecException("$", "malformed JSON: " + firstLine(e.getMessage()), e);
    }

    private static String path(List<JsonMappingException.Reference> refs) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : refs) {
            if (ref.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.isEmpty() ? "$" : sb.toString();
    }

    private static String describe(JsonMappingException e) {
        if (e instanceof InvalidFormatException format) {
            Class<?> target = format.getTargetType();
            if (target != null && target.isEnum()) {
                return "must be one of " + enumValues(target);
            }
            if (target == UUID.class) {
                return "must be a UUID";
            }
            return "must be " + typeName(target);
        }
        if (e instanceof MismatchedInputException mismatch) {
            Class<?> target = mismatch.getTargetType();
            if (target != null && target.isEnum()) {
                return "must be one of " + enumValues(target);
            }
            if (target != null) {
                return "must be " + typeName(target);
            }
        }
        String original = firstLine(e.getOriginalMessage());
        if (original.contains("out of range")) {
            return "is out of range";
        }
        return "is invalid: " + original;
    }

    private static String enumValues(Class<?> enumType) {
        return Arrays.stream(enumType.getEnumConstants())
                .map(c -> MAPPER.convertValue(c, String.class))
                .collect(Collectors.joining(", ", "[", "]"));
    }

    private static String typeName(Class<?> type) {
        if (type == null) {
            return "of another type";
        }
        if (type == int.class
                || type == Integer.class
                || type == long.class
                || type == Long.class) {
            return "an integer";
        }
        if (type == double.class || type == Double.class || type == float.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "a boolean";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == UUID.class) {
            return "a UUID";
        }
        if (type == java.time.Instant.class) {
            return "an ISO-8601 timestamp";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "an object";
        }
        return "of type " + type.getSimpleName();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable input";
        }
        int nl = message.indexOf('\n');
        String line = nl < 0 ? message : message.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
