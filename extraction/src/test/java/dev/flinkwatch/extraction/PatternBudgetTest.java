package dev.flinkwatch.extraction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The budget on a fake clock that advances a fixed step per look: no test depends on speed. */
class PatternBudgetTest {
    private final Patterns patterns = new Patterns(100);

    /** A budget whose clock never moves: for tests about something else. */
    static PatternBudget generous() {
        return new PatternBudget(Duration.ofDays(1), () -> 0L);
    }

    /** A clock that advances {@code step} on every look, counting the looks. */
    private static final class SteppingClock {
        final AtomicLong now = new AtomicLong();
        final AtomicLong looks = new AtomicLong();
        final long step;

        SteppingClock(Duration step) {
            this.step = step.toNanos();
        }

        long read() {
            looks.incrementAndGet();
            return now.getAndAdd(step);
        }
    }

    @Test
    void tripsOnALongAdversarialTextAndNamesTheField() {
        SteppingClock clock = new SteppingClock(Duration.ofMillis(1));
        PatternBudget budget = new PatternBudget(Duration.ofMillis(10), clock::read);
        String text = "a".repeat(256 * 1024);

        PatternBudget.ExceededException e =
                catchThrowableOfType(
                        () -> patterns.removeAll("(.*a){20}z", text, budget, "ignore[3]"),
                        PatternBudget.ExceededException.class);

        assertThat(e.field()).isEqualTo("ignore[3]");
        assertThat(e.getMessage())
                .isEqualTo(
                        "the patterns of this check ran longer than 10 ms (stopped in ignore[3])");
        // stopped at the first look past the deadline: 10 steps after the start
        assertThat(clock.looks.get()).isEqualTo(1 + 10);
    }

    @Test
    void doesNotTripForNormalPatternsOnTheLargestText() {
        // 1 µs per look of 256 reads is far slower than any machine: still within 250 ms
        SteppingClock clock = new SteppingClock(Duration.ofNanos(1000));
        PatternBudget budget = new PatternBudget(Duration.ofMillis(250), clock::read);
        String text = "Only 3 left\n42 people viewing\n".repeat(8000); // ~240 Ki chars

        String kept = patterns.removeAll("\\d+ people viewing", text, budget, "ignore[0]");
        boolean found = patterns.find("[0-9]+ left", kept, budget, "condition.pattern");

        assertThat(kept).isEqualTo("Only 3 left\n\n".repeat(8000));
        assertThat(found).isTrue();
        assertThat(clock.looks.get()).isGreaterThan(100); // the text was metered
    }

    @Test
    void oneBudgetCoversAllOfACheckPatterns() {
        // each text alone is shorter than one look's worth of reads; together they are not
        PatternBudget budget = new PatternBudget(Duration.ZERO, () -> 0L);
        String shortText = "x".repeat(100);
        assertThatThrownBy(
                        () -> {
                            for (int i = 0; i < 20; i++) {
                                patterns.removeAll("y", shortText, budget, "ignore[" + i + "]");
                            }
                        })
                .isInstanceOf(PatternBudget.ExceededException.class)
                .hasMessageEndingWith("(stopped in ignore[2])");
    }

    @Test
    void aShortTextIsNeverTimed() {
        // the clock is read only every 256 reads: with RE2 the work between two reads is bounded
        // by the pattern's size, so a short text cannot be expensive
        AtomicLong looks = new AtomicLong();
        PatternBudget budget = new PatternBudget(Duration.ZERO, looks::getAndIncrement);
        assertThat(patterns.find("(x+x+)+y", "x".repeat(30), budget, "condition.pattern"))
                .isFalse();
        assertThat(looks.get()).isEqualTo(1); // the start only
    }

    @Test
    void theClockStartsWithTheFirstPattern() {
        // parsing a large page before the first pattern must not use up the budget
        SteppingClock clock = new SteppingClock(Duration.ofSeconds(10));
        PatternBudget budget = new PatternBudget(Duration.ofSeconds(15), clock::read);
        clock.now.addAndGet(Duration.ofMinutes(1).toNanos());
        budget.check("selector"); // starts the clock
        budget.check("selector"); // 10 s in
        assertThatThrownBy(() -> budget.check("selector"))
                .hasMessageEndingWith("(stopped in selector)");
    }

    @Test
    void theMeteredTextIsTheText() {
        PatternBudget budget = generous();
        CharSequence metered = budget.meter("price: 49 EUR", "ignore[0]");
        assertThat(metered.length()).isEqualTo(13);
        assertThat(metered.subSequence(7, 9).toString()).isEqualTo("49");
        assertThat(metered.toString()).isEqualTo("price: 49 EUR");
        assertThat(patterns.removeAll("\\s*\\d+\\s*", "price: 49 EUR", budget, "ignore[0]"))
                .isEqualTo("price:EUR");
    }
}
