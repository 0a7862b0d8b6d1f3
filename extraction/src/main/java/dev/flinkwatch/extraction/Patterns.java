package dev.flinkwatch.pipeline.change;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Applies user-supplied regular expressions to page text with a time limit. Users type the patterns
 * and pages are untrusted, so a catastrophic-backtracking pattern must fail that one check, never
 * stall the operator. The limit is enforced by the text itself: a {@link CharSequence} that throws
 * once the deadline has passed. Compiled patterns are cached (bounded). Not thread-safe: one
 * instance per operator instance.
 */
public final class BoundedRegex {
    private static final int CACHE_SIZE = 2048;

    private final long budgetNanos;
    private final Map<String, Pattern> cache =
            new LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Pattern> eldest) {
                    return size() > CACHE_SIZE;
                }
            };

    public BoundedRegex(Duration budget) {
        this.budgetNanos = budget.toNanos();
    }

    /** Removes every match of {@code regex} from {@code text}. */
    public String removeAll(String regex, String text) {
        return matcher(regex, text).replaceAll("");
    }

    /** Whether {@code regex} matches anywhere in {@code text}. */
    public boolean find(String regex, String text) {
        return matcher(regex, text).find();
    }

    private Matcher matcher(String regex, String text) {
        Pattern pattern = cache.computeIfAbsent(regex, Pattern::compile);
        return pattern.matcher(new DeadlineText(text, System.nanoTime() + budgetNanos));
    }

    /** Thrown when a pattern runs out of time on a text. */
    public static final class TimeoutException extends RuntimeException {
        TimeoutException() {
            super("regular expression took too long on this page", null, false, false);
        }
    }

    private record DeadlineText(String text, long deadline) implements CharSequence {
        @Override
        public int length() {
            return text.length();
        }

        @Override
        public char charAt(int index) {
            // nanoTime is cheap enough to check every 1024 characters read
            if ((index & 1023) == 0 && System.nanoTime() > deadline) {
                throw new TimeoutException();
            }
            return text.charAt(index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new DeadlineText(text.substring(start, end), deadline);
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
