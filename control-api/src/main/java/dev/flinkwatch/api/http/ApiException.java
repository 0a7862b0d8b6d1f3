package dev.flinkwatch.api.http;

import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import dev.flinkwatch.model.CodecException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request that ends in an error response: {@code {"error": {"code", "message", "fields"}}}.
 * Thrown anywhere while handling a request and rendered by {@link ErrorResponses}.
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String code;
    private final Map<String, String> fields;
    private final long retryAfterSeconds;
    private final List<ItemProblem> items;

    public ApiException(int status, String code, String message, Map<String, String> fields) {
        this(status, code, message, fields, 0, List.of());
    }

    private ApiException(
            int status,
            String code,
            String message,
            Map<String, String> fields,
            long retryAfterSeconds,
            List<ItemProblem> items) {
        // No stack trace: these are expected outcomes, thrown often (fuzzing, bad clients).
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        this.retryAfterSeconds = retryAfterSeconds;
        this.items = List.copyOf(items);
    }

    public ApiException(int status, String code, String message) {
        this(status, code, message, Map.of());
    }

    /** 400 with one message per offending field, in the order they were found. */
    public static ApiException validation(Map<String, String> fields) {
        return new ApiException(400, "validation_failed", "the request has invalid fields", fields);
    }

    /**
     * 400 {@code validation_failed} for a multi-item request: every problem of every item, and the
     * same as {@code fields} under {@code <itemsField>[<index>].<field>} for clients that read only
     * fields.
     */
    public static ApiException itemValidation(String itemsField, List<ItemProblem> problems) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (ItemProblem p : problems) {
            fields.putIfAbsent(itemsField + "[" + p.index() + "]." + p.field(), p.message());
        }
        long bad = problems.stream().mapToInt(ItemProblem::index).distinct().count();
        return new ApiException(
                400,
                "validation_failed",
                bad + " item(s) have invalid fields; nothing was created",
                fields,
                0,
                problems);
    }

    /**
     * 400 for a body the codec could not read, with the codec's field path: {@code malformed_json}
     * when the bytes are not a JSON document (syntax, encoding, nesting limits, or not an object at
     * all), {@code validation_failed} when a field holds the wrong type of value.
     */
    public static ApiException fromCodec(CodecException e) {
        Map<String, String> fields = Map.of(e.field(), e.getMessage());
        return "$".equals(e.field()) || isSyntaxError(e)
                ? new ApiException(400, "malformed_json", e.getMessage(), fields)
                : validation(fields);
    }

    private static boolean isSyntaxError(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InputCoercionException) {
                return false; // a number out of its field's range: a value problem
            }
            if (t instanceof StreamReadException || t instanceof StreamConstraintsException) {
                return true;
            }
        }
        return false;
    }

    /** 400 for a query parameter that cannot be used. */
    public static ApiException invalidParameter(String name, String message) {
        return new ApiException(
                400, "invalid_parameter", name + " " + message, Map.of(name, message));
    }

    /** 404, also for ids of other tenants: the response never reveals that they exist. */
    public static ApiException notFound(String what) {
        return new ApiException(404, "not_found", what + " not found");
    }

    public static ApiException unauthorized(String message) {
        return new ApiException(401, "unauthorized", message);
    }

    /** 429 {@code rate_limited}; the response carries {@code Retry-After: retryAfterSeconds}. */
    public static ApiException rateLimited(String message, long retryAfterSeconds) {
        if (retryAfterSeconds < 1) {
            throw new IllegalArgumentException("retryAfterSeconds must be at least 1");
        }
        return new ApiException(
                429, "rate_limited", message, Map.of(), retryAfterSeconds, List.of());
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** Seconds for a {@code Retry-After} header; 0 when the response has none. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** Per-item problems of a multi-item request; empty otherwise. */
    public List<ItemProblem> items() {
        return items;
    }

    /** Field path to message, in the order the problems were found. */
    public Map<String, String> fields() {
        return fields;
    }
}
