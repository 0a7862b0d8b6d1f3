package dev.flinkwatch.model;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jsoup.parser.TokenQueue;

/**
 * The one definition of what a user-typed regular expression may be: RE2 syntax, compiled by RE2/J,
 * which matches in time linear in the text (no backtracking), so no pattern can stall the job. Used
 * by the validator (at creation, naming what RE2 cannot do) and by the pipeline (for specs stored
 * before a rule tightened). CSS selectors carry regexes too ({@code :matches}, {@code [attr~=re]});
 * jsoup compiles them with RE2/J when it is on the classpath, and {@link #inSelector} finds them so
 * they pass the same checks first.
 */
public final class UserPatterns {
    /**
     * Upper bound of a pattern's size once counted repetitions are expanded ({@code (a{100}){100}}
     * is 10,000). RE2/J expands them at compile time and matches in time proportional to text
     * length times this size; unchecked, a 23-character pattern exhausts the heap while compiling.
     */
    public static final int MAX_EXPANDED_SIZE = 2_000;

    private static final String RE2 = " (patterns use RE2 syntax)";
    private static final Set<String> SELECTOR_REGEX_PSEUDOS =
            Set.of("matches", "matchesOwn", "matchesWholeText", "matchesWholeOwnText");

    private UserPatterns() {}

    /** A pattern RE2/J cannot run; the message says why in words for the user. */
    public static final class InvalidPatternException extends IllegalArgumentException {
        public InvalidPatternException(String message) {
            super(message);
        }
    }

    /** Compiles a user pattern, or explains why it cannot run. */
    public static Pattern compile(String pattern) {
        int size = expandedSize(pattern);
        if (size > MAX_EXPANDED_SIZE) {
            throw new InvalidPatternException(
                    "is too large once its repetitions are expanded (about "
                            + size
                            + " steps, at most "
                            + MAX_EXPANDED_SIZE
                            + "): use smaller repeat counts");
        }
        try {
            return Pattern.compile(pattern);
        } catch (PatternSyntaxException e) {
            throw new InvalidPatternException(explain(e) + RE2);
        } catch (StackOverflowError e) {
            throw new InvalidPatternException("is nested too deeply" + RE2);
        }
    }

    /** Why a pattern cannot run, or null when it can. */
    public static String problem(String pattern) {
        try {
            compile(pattern);
            return null;
        } catch (InvalidPatternException e) {
            return e.getMessage();
        }
    }

    /**
     * The regexes a CSS selector carries, as jsoup's parser reads them: the argument of {@code
     * :matches}, {@code :matchesOwn}, {@code :matchesWholeText}, {@code :matchesWholeOwnText} and
     * the value of {@code [attr~=regex]}, also inside {@code :has}, {@code :is} and {@code :not}.
     */
    public static List<String> inSelector(String selector) {
        List<String> found = new ArrayList<>();
        collect(selector, found);
        return found;
    }

    private static void collect(String selector, List<String> found) {
        try (TokenQueue tq = new TokenQueue(selector)) {
            while (!tq.isEmpty()) {
                if (tq.matches('[')) {
                    String attribute = tq.chompBalanced('[', ']');
                    int op = firstOperator(attribute);
                    if (op >= 0 && attribute.startsWith("~=", op)) {
                        found.add(attribute.substring(op + 2).stripLeading());
                    }
                } else if (tq.matchChomp(':')) {
                    String pseudo = tq.consumeCssIdentifier();
                    if (tq.matches('(')) {
                        String argument = tq.chompBalanced('(', ')');
                        if (SELECTOR_REGEX_PSEUDOS.contains(pseudo)) {
                            found.add(argument);
                        } else {
                            collect(argument, found); // :has, :is, :not nest selectors
                        }
                    }
                } else if (tq.matches('(')) {
                    collect(tq.chompBalanced('(', ')'), found);
                } else {
                    tq.consume();
                }
            }
        } catch (IllegalArgumentException unbalanced) {
            // jsoup's parser rejects the same input, with its own message
        }
    }

    /**
     * How deeply {@code :has} nests in a selector ({@code div:has(p)} is 1). jsoup evaluates a
     * {@code :has} by walking the element's subtree, once per nesting level, with no memo: {@code
     * body:has(div:has(div:has(div:has(x))))} runs about 11 s on a 28 KB page, inside one element's
     * evaluation where no budget can look at the clock.
     */
    public static int hasNesting(String selector) {
        int deepest = 0;
        try (TokenQueue tq = new TokenQueue(selector)) {
            while (!tq.isEmpty()) {
                if (tq.matches('[')) {
                    tq.chompBalanced('[', ']');
                } else if (tq.matchChomp(':')) {
                    String pseudo = tq.consumeCssIdentifier();
                    if (tq.matches('(')) {
                        String argument = tq.chompBalanced('(', ')');
                        if (!SELECTOR_REGEX_PSEUDOS.contains(pseudo)) {
                            int inner = hasNesting(argument) + (pseudo.equals("has") ? 1 : 0);
                            deepest = Math.max(deepest, inner);
                        }
                    }
                } else if (tq.matches('(')) {
                    deepest = Math.max(deepest, hasNesting(tq.chompBalanced('(', ')')));
                } else {
                    tq.consume();
                }
            }
        } catch (IllegalArgumentException unbalanced) {
            // jsoup's parser rejects the same input, with its own message
        }
        return deepest;
    }

    /** Where the first attribute operator starts, as jsoup splits key from operator. */
    private static int firstOperator(String attribute) {
        for (int i = 0; i < attribute.length(); i++) {
            char c = attribute.charAt(i);
            if (c == '='
                    || (c == '!' || c == '^' || c == '$' || c == '*' || c == '~')
                            && i + 1 < attribute.length()
                            && attribute.charAt(i + 1) == '=') {
                return i;
            }
        }
        return -1;
    }

    private static String explain(PatternSyntaxException e) {
        String what = e.getDescription();
        String at = e.getPattern() == null ? "" : e.getPattern();
        switch (what) {
            case "invalid named capture":
                if (at.startsWith("(?<=")) {
                    return "lookbehind (?<=) is not supported";
                }
                if (at.startsWith("(?<!")) {
                    return "negative lookbehind (?<!) is not supported";
                }
                break;
            case "invalid or unsupported Perl syntax":
                if (at.startsWith("(?=")) {
                    return "lookahead (?=) is not supported";
                }
                if (at.startsWith("(?!")) {
                    return "negative lookahead (?!) is not supported";
                }
                if (at.startsWith("(?>")) {
                    return "atomic group (?>) is not supported";
                }
                return "group " + at + " is not supported (flags: i, m, s, U)";
            case "invalid escape sequence":
                if (at.length() == 2 && Character.isDigit(at.charAt(1))) {
                    return "backreference " + at + " is not supported";
                }
                if (at.equals("\\k")) {
                    return "named backreference \\k is not supported";
                }
                return "escape " + at + " is not supported";
            case "invalid nested repetition operator":
                if (at.endsWith("+")) {
                    return "possessive quantifier " + at + " is not supported";
                }
                break;
            default:
                break;
        }
        return what + ": `" + at + "`";
    }

    /**
     * A cheap over-estimate of the compiled program's size: every atom counts 1, a counted
     * repetition multiplies its atom by its largest count, alternatives add up. Runs before RE2/J
     * sees the pattern; unbalanced input is tolerated (RE2/J rejects it right after).
     */
    static int expandedSize(String p) {
        List<long[]> groups = new ArrayList<>(); // per open group: {size so far}
        long total = 0; // of the current (innermost) sequence
        long last = 0; // size of the last atom, which a quantifier applies to
        int i = 0;
        while (i < p.length()) {
            char c = p.charAt(i);
            if (c == '\\') {
                if (i + 1 < p.length() && p.charAt(i + 1) == 'Q') {
                    int end = p.indexOf("\\E", i + 2);
                    int stop = end < 0 ? p.length() : end;
                    total += stop - (i + 2);
                    last = 1;
                    i = end < 0 ? p.length() : end + 2;
                    continue;
                }
                i = skipEscape(p, i);
                last = 1;
                total += 1;
                continue;
            }
            if (c == '[') {
                i = skipClass(p, i);
                last = 1;
                total += 1;
                continue;
            }
            if (c == '(') {
                groups.add(new long[] {total});
                total = 0;
                last = 0;
                i++;
                continue;
            }
            if (c == ')') {
                long inner = total;
                total = groups.isEmpty() ? 0 : groups.remove(groups.size() - 1)[0];
                total += inner;
                last = inner;
                i++;
                continue;
            }
            if (c == '{') {
                int close = p.indexOf('}', i);
                long count = close < 0 ? -1 : repeatCount(p.substring(i + 1, close));
                if (count >= 0) {
                    long grown = last * Math.max(count, 1);
                    total += grown - last;
                    last = grown;
                    total = Math.min(total, Integer.MAX_VALUE);
                    last = Math.min(last, Integer.MAX_VALUE);
                    i = close + 1;
                    continue;
                }
            }
            if (c == '*' || c == '+' || c == '?') {
                total += 1; // a loop or split instruction
                i++;
                continue;
            }
            total += 1;
            last = 1;
            i++;
        }
        while (!groups.isEmpty()) {
            total += groups.remove(groups.size() - 1)[0];
        }
        return (int) Math.min(total, Integer.MAX_VALUE);
    }

    /** The largest count of "n", "n," or "n,m"; -1 when it is not a repeat (then a literal). */
    private static long repeatCount(String body) {
        String[] parts = body.split(",", -1);
        if (parts.length > 2) {
            return -1;
        }
        long max = -1;
        for (String part : parts) {
            if (part.isEmpty()) {
                continue;
            }
            if (part.length() > 9 || !part.chars().allMatch(Character::isDigit)) {
                return -1;
            }
            max = Math.max(max, Long.parseLong(part));
        }
        return max;
    }

    private static int skipEscape(String p, int i) {
        int next = i + 2;
        if (i + 1 < p.length()) {
            char e = p.charAt(i + 1);
            if ((e == 'p' || e == 'P' || e == 'x') && next < p.length() && p.charAt(next) == '{') {
                int close = p.indexOf('}', next);
                return close < 0 ? p.length() : close + 1;
            }
        }
        return Math.min(next, p.length());
    }

    /** Index after a character class; an unclosed one counts as a literal '['. */
    private static int skipClass(String p, int start) {
        int i = start + 1;
        if (i < p.length() && p.charAt(i) == '^') {
            i++;
        }
        if (i < p.length() && p.charAt(i) == ']') {
            i++;
        }
        while (i < p.length()) {
            char c = p.charAt(i);
            if (c == '\\') {
                i = skipEscape(p, i);
            } else if (c == '[' && i + 1 < p.length() && p.charAt(i + 1) == ':') {
                int close = p.indexOf(":]", i + 2);
                i = close < 0 ? i + 1 : close + 2;
            } else if (c == ']') {
                return i + 1;
            } else {
                i++;
            }
        }
        return start + 1;
    }
}
