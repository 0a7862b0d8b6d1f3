package dev.flinkwatch.browser;

import java.util.Map;

/** A render that ends in an error answer; the message reaches the caller, so no page content. */
public final class RenderFailure extends RuntimeException {
    private final ErrorCode code;
    private final Map<String, String> fields;

    public RenderFailure(ErrorCode code, String message) {
        this(code, message, Map.of());
    }

    private RenderFailure(ErrorCode code, String message, Map<String, String> fields) {
        super(message, null, false, false);
        this.code = code;
        this.fields = Map.copyOf(fields);
    }

    /** A 400 naming the offending field. */
    public static RenderFailure invalid(String field, String message) {
        return new RenderFailure(
                ErrorCode.VALIDATION_FAILED, field + ": " + message, Map.of(field, message));
    }

    public ErrorCode code() {
        return code;
    }

    public Map<String, String> fields() {
        return fields;
    }
}
