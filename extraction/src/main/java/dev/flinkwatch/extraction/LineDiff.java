package dev.flinkwatch.extraction;

import com.github.difflib.DiffUtils;
import com.github.difflib.patch.AbstractDelta;
import com.github.difflib.patch.Patch;
import java.util.List;

/**
 * A bounded line diff of two normalized texts: removed lines as "- ", added lines as "+ ". Myers'
 * algorithm costs (lines) x (differences), seconds for two alternating 64 KiB texts, so only the
 * part between the common first and last lines is compared, and only when neither side of it
 * exceeds {@code maxLines}; beyond that the diff is a {@link #TOO_LARGE} note.
 */
public final class LineDiff {
    /** How a diff that was not computed starts. */
    public static final String TOO_LARGE = "diff too large";

    private LineDiff() {}

    /**
     * @param before the previous text (lines separated by \n)
     * @param after the current text
     * @param maxChars upper bound of the returned diff; longer diffs end with a truncation note
     * @param maxLines most changed lines per side that are compared line by line
     */
    public static String between(String before, String after, int maxChars, int maxLines) {
        List<String> a = List.of(before.split("\n", -1));
        List<String> b = List.of(after.split("\n", -1));
        int prefix = 0;
        int common = Math.min(a.size(), b.size());
        while (prefix < common && a.get(prefix).equals(b.get(prefix))) {
            prefix++;
        }
        int suffix = 0;
        while (suffix < common - prefix
                && a.get(a.size() - 1 - suffix).equals(b.get(b.size() - 1 - suffix))) {
            suffix++;
        }
        List<String> removed = a.subList(prefix, a.size() - suffix);
        List<String> added = b.subList(prefix, b.size() - suffix);
        if (removed.size() > maxLines || added.size() > maxLines) {
            return TOO_LARGE
                    + ": "
                    + removed.size()
                    + " lines before and "
                    + added.size()
                    + " after differ (at most "
                    + maxLines
                    + " per side are compared); no line diff";
        }
        Patch<String> patch = DiffUtils.diff(removed, added);
        StringBuilder sb = new StringBuilder();
        for (AbstractDelta<String> delta : patch.getDeltas()) {
            for (String line : delta.getSource().getLines()) {
                if (!append(sb, "- ", line, maxChars)) {
                    return sb.toString();
                }
            }
            for (String line : delta.getTarget().getLines()) {
                if (!append(sb, "+ ", line, maxChars)) {
                    return sb.toString();
                }
            }
        }
        if (!sb.isEmpty()) {
            sb.setLength(sb.length() - 1);
        }
        return sb.toString();
    }

    /** The added lines of a diff, without their markers. */
    public static String added(String diff) {
        return linesMarked(diff, "+ ");
    }

    /** The removed lines of a diff, without their markers. */
    public static String removed(String diff) {
        return linesMarked(diff, "- ");
    }

    private static String linesMarked(String diff, String marker) {
        StringBuilder sb = new StringBuilder();
        for (String line : diff.split("\n")) {
            if (line.startsWith(marker)) {
                sb.append(line, marker.length(), line.length()).append('\n');
            }
        }
        return sb.toString().strip();
    }

    private static boolean append(StringBuilder sb, String marker, String line, int maxChars) {
        if (sb.length() + marker.length() + line.length() + 1 > maxChars) {
            sb.append("… (diff truncated)");
            return false;
        }
        sb.append(marker).append(line).append('\n');
        return true;
    }
}
