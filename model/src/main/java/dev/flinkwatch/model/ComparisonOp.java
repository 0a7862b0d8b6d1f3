package dev.flinkwatch.model;

import com.fasterxml.jackson.annotation.JsonValue;

/** Comparison of a number condition, serialized as its symbol ({@code "<"}, {@code "<="}, ...). */
public enum ComparisonOp {
    LT("<"),
    LE("<="),
    GT(">"),
    GE(">="),
    EQ("=="),
    NE("!=");

    private final String symbol;

    ComparisonOp(String symbol) {
        this.symbol = symbol;
    }

    @JsonValue
    public String symbol() {
        return symbol;
    }

    /** Applies this comparison as {@code left <op> right}. */
    public boolean test(double left, double right) {
        int c = Double.compare(left, right);
        return switch (this) {
            case LT -> c < 0;
            case LE -> c <= 0;
            case GT -> c > 0;
            case GE -> c >= 0;
            case EQ -> c == 0;
            case NE -> c != 0;
        };
    }
}
