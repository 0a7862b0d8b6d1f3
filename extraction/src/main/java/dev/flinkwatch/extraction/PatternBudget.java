package dev.flinkwatch.extraction;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The time one check may spend on its user patterns (selector, ignore patterns, regex condition),
 * all of them together. RE2/J is linear in the text but its constant grows with the pattern: on 1
 * MiB of text {@code (.*a){20}z} takes about 3 s, and a spec carries up to 20 ignore patterns, so
 * without a bound one tenant's check holds the change detector's thread (everyone's checks on that
 * subtask) for seconds.
 *
 * <p>RE2/J reads its input only through {@link CharSequence#charAt} ({@code
 * MachineInput.UTF16Input}: {@code Character.codePointAt(CharSequence, int)}, and its literal
 * prefix search falls back to {@code charAt} for anything that is not a String or StringBuilder);
 * it never copies the text. So {@link #meter} wraps the text and looks at the clock every {@value
 * #READS_PER_LOOK} reads, counted over all of the check's patterns. Checking only every so many
 * reads is sound with RE2: the work between two reads is bounded by the pattern's size (at most
 * {@code UserPatterns.MAX_EXPANDED_SIZE} instructions), so a short text is cheap by construction.
 * (The old backtracking {@code BoundedRegex} could run for seconds between two reads, which is why
 * it never noticed its deadline on short text.) Selector regexes run inside jsoup on its own
 * strings; there {@link #check} is called per element, and {@link PageText} bounds the document.
 *
 * <p>The clock starts when the first pattern does, so parsing and reading the page (bounded by
 * their own caps) do not count. Not thread-safe: one instance per check.
 */
public final class PatternBudget {
    /** Char reads between two looks at the clock; a power of two. */
    static final int READS_PER_LOOK = 256;

    private final LongSupplier nanoTime;
    private final Duration budget;
    private boolean started;
    private long deadline;
    private long reads;

    /**
     * A budget whose clock starts at the first pattern.
     *
     * @param budget how long the check's patterns may run together
     * @param nanoTime the clock ({@code System::nanoTime}; tests pass their own)
     */
    public PatternBudget(Duration budget, LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.budget = budget;
    }

    /** The budget used up: the check stops; {@link #field} names the pattern that was running. */
    public static final class ExceededException extends RuntimeException {
        private final String field;

        ExceededException(String field, Duration budget) {
            super(
                    "the patterns of this check ran longer than "
                            + budget.toMillis()
                            + " ms (stopped in "
                            + field
                            + ")",
                    null,
                    false,
                    false);
            this.field = field;
        }

        /** The spec field whose pattern was running ({@code ignore[2]}, {@code selector}, ...). */
        public String field() {
            return field;
        }
    }

    /**
     * The budget left after {@code spent}, for a check whose patterns run in two places (the fetch
     * stage extracts, the change detector evaluates the rule): together they get one budget.
     */
    public static PatternBudget remainderOf(
            Duration budget, long spentNanos, LongSupplier nanoTime) {
        return new PatternBudget(budget.minusNanos(Math.max(0, spentNanos)), nanoTime);
    }

    /** Nanoseconds since the first pattern started (0 if none ran). */
    public long spentNanos() {
        return started ? nanoTime.getAsLong() - (deadline - budget.toNanos()) : 0;
    }

    /**
     * Throws when the budget is used up.
     *
     * @param field the spec field whose pattern is running
     * @throws ExceededException when the deadline has passed
     */
    public void check(String field) {
        if (!started) {
            start();
        } else if (nanoTime.getAsLong() - deadline >= 0) {
            throw new ExceededException(field, budget);
        }
    }

    /**
     * The text as a pattern of {@code field} should read it: the same characters, with the reads
     * counted against this budget. {@link CharSequence#subSequence} and {@link Object#toString} are
     * not counted (the matcher uses them to copy what it found, not to match).
     */
    public CharSequence meter(String text, String field) {
        start();
        return new CharSequence() {
            @Override
            public int length() {
                return text.length();
            }

            @Override
            public char charAt(int index) {
                if ((++reads & (READS_PER_LOOK - 1)) == 0) {
                    check(field);
                }
                return text.charAt(index);
            }

            @Override
            public CharSequence subSequence(int start, int end) {
                return text.subSequence(start, end);
            }

            @Override
            public String toString() {
                return text;
            }
        };
    }

    private void start() {
        if (!started) {
            started = true;
            deadline = nanoTime.getAsLong() + budget.toNanos();
        }
    }
}
