package dev.flinkwatch.llm;

/**
 * Fits a change into the character budget of one request, keeping what matters most for judging it:
 * the diff comes first and gets at least half the budget when both do not fit; the current text
 * fills the rest with a window around the first added line of the diff (where the change is), not
 * just the page's head. Cuts are marked, so the model knows text is missing.
 */
final class ContentTrimmer {
    /** Added lines shorter than this are too common to locate the change in the text. */
    private static final int MIN_ANCHOR_LENGTH = 8;

    private ContentTrimmer() {}

    /** The diff and current text, each possibly cut; together at most about maxChars long. */
    record Fitted(String diff, String text) {}

    static Fitted fit(String diff, String text, int maxChars) {
        String d = diff == null ? "" : diff;
        String t = text == null ? "" : text;
        if (d.length() + t.length() <= maxChars) {
            return new Fitted(d, t);
        }
        int diffBudget = Math.min(d.length(), Math.max(maxChars / 2, maxChars - t.length()));
        int textBudget = maxChars - diffBudget;
        return new Fitted(head(d, diffBudget), window(t, textBudget, anchor(d, t)));
    }

    private static String head(String s, int budget) {
        if (s.length() <= budget) {
            return s;
        }
        int end = safeEnd(s, budget);
        int lineEnd = s.lastIndexOf('\n', end);
        if (lineEnd > end * 4 / 5) {
            end = lineEnd; // end on a whole line when one is close
        }
        return s.substring(0, end) + "\n" + omitted(s.length() - end);
    }

    private static String window(String s, int budget, int anchor) {
        if (s.length() <= budget) {
            return s;
        }
        int start = Math.max(0, Math.min(anchor - budget / 4, s.length() - budget));
        if (start > 0 && Character.isLowSurrogate(s.charAt(start))) {
            start++;
        }
        int end = safeEnd(s, Math.min(s.length(), start + budget));
        StringBuilder out = new StringBuilder(budget + 80);
        if (start > 0) {
            out.append(omitted(start)).append('\n');
        }
        out.append(s, start, end);
        if (end < s.length()) {
            out.append('\n').append(omitted(s.length() - end));
        }
        return out.toString();
    }

    /** Where in the text the first added line of the diff is, 0 when it cannot be found. */
    private static int anchor(String diff, String text) {
        for (String line : diff.split("\n")) {
            if (line.startsWith("+")) {
                String added = line.substring(1).strip();
                if (added.length() >= MIN_ANCHOR_LENGTH) {
                    int at = text.indexOf(added);
                    if (at >= 0) {
                        return at;
                    }
                }
            }
        }
        return 0;
    }

    private static int safeEnd(String s, int end) {
        return end > 0 && end < s.length() && Character.isHighSurrogate(s.charAt(end - 1))
                ? end - 1
                : end;
    }

    private static String omitted(int chars) {
        return "[... " + chars + " characters omitted ...]";
    }
}
