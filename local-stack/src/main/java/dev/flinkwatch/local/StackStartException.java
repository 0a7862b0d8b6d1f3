package dev.flinkwatch.local;

/**
 * The stack cannot start for a reason the user can fix (data directory in use, port taken, a bad
 * option); the message says what and how. The run command prints it without a stack trace.
 */
public final class StackStartException extends RuntimeException {
    public StackStartException(String message) {
        super(message);
    }
}
