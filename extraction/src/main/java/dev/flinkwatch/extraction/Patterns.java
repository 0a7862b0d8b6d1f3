package dev.flinkwatch.extraction;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.re2j.Pattern;
import dev.flinkwatch.model.MonitorSpecValidator;
import dev.flinkwatch.model.UserPatterns;
import dev.flinkwatch.model.UserPatterns.InvalidPatternException;
import org.jsoup.helper.Regex;
import org.jsoup.select.Evaluator;
import org.jsoup.select.QueryParser;

/**
 * Compiled user patterns: regexes on RE2/J ({@link UserPatterns}: linear time in the text, run
 * under a check's {@link PatternBudget}) and CSS selectors, whose regexes jsoup compiles with RE2/J
 * too. Both are cached, bounded, by their source text. Thread-safe.
 */
public final class Patterns {
    private final Cache<String, Pattern> regexes;
    private final Cache<String, Selector> selectors;

    /**
     * A compiled CSS selector.
     *
     * @param evaluator what jsoup runs
     * @param hasRegex whether it carries regexes ({@code :matches}, {@code [attr~=re]}), which
     *     jsoup runs on every element's text where no {@link PatternBudget} can meter the reads
     */
    public record Selector(Evaluator evaluator, boolean hasRegex) {}

    /**
     * @param maxEntries compiled regexes, and separately selectors, kept
     * @throws IllegalStateException when jsoup would run selector regexes on java.util.regex (re2j
     *     missing, or {@code -Djsoup.useRe2j=false}): they could backtrack without limit
     */
    public Patterns(int maxEntries) {
        if (!Regex.usingRe2j()) {
            throw new IllegalStateException(
                    "jsoup does not use RE2/J for selector regexes: put com.google.re2j on the"
                            + " classpath and do not set -Djsoup.useRe2j=false");
        }
        this.regexes = Caffeine.newBuilder().maximumSize(maxEntries).build();
        this.selectors = Caffeine.newBuilder().maximumSize(maxEntries).build();
    }

    /**
     * The compiled regex.
     *
     * @throws InvalidPatternException when RE2/J cannot run it (a spec stored before the rule)
     */
    public Pattern regex(String regex) {
        return regexes.get(regex, UserPatterns::compile);
    }

    /**
     * The compiled selector.
     *
     * @throws InvalidPatternException when it cannot run, with the validator's message
     */
    public Selector selector(String css) {
        return selectors.get(
                css,
                s -> {
                    String problem = MonitorSpecValidator.selectorProblem(s);
                    if (problem != null) {
                        throw new InvalidPatternException(problem);
                    }
                    return new Selector(
                            QueryParser.parse(s), !UserPatterns.inSelector(s).isEmpty());
                });
    }

    /**
     * Removes every match of {@code regex} from {@code text}.
     *
     * @param field the spec field of the regex, named when the budget runs out
     * @throws PatternBudget.ExceededException when the check's budget runs out
     */
    public String removeAll(String regex, String text, PatternBudget budget, String field) {
        return regex(regex).matcher(budget.meter(text, field)).replaceAll("");
    }

    /**
     * Whether {@code regex} matches anywhere in {@code text}.
     *
     * @param field the spec field of the regex, named when the budget runs out
     * @throws PatternBudget.ExceededException when the check's budget runs out
     */
    public boolean find(String regex, String text, PatternBudget budget, String field) {
        return regex(regex).matcher(budget.meter(text, field)).find();
    }
}
