package dev.flinkwatch.llm;

/** The model's reply does not satisfy the answer contract; it is never turned into a decision. */
final class InvalidAnswerException extends Exception {
    InvalidAnswerException(String message) {
        super(message);
    }
}
