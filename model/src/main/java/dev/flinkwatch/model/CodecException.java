package dev.flinkwatch.model;

/**
 * JSON that cannot be read as the expected contract. {@link #field()} names the offending field as
 * a path ({@code sources[0].url}), or {@code "$"} when the document itself is malformed.
 */
public final class CodecException extends RuntimeException {
    private final String field;

    public CodecException(String field, String message, Throwable cause) {
        super(message, cause);
        this.field = field;
    }

    public CodecException(String field, String message) {
        this(field, message, null);
    }

    /** The offending field as a path, or {@code "$"} for the whole document. */
    public String field() {
        return field;
    }

    @Override
    public String toString() {
        return "CodecException{" + field + ": " + getMessage() + "}";
    }
}
