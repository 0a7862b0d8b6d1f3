package dev.flinkwatch.pipeline.change;

import com.github.difflib.DiffUtils;
import com.github.difflib.patch.AbstractDelta;
import com.github.difflib.patch.Patch;
import java.util.List;

/** A bounded line diff of two normalized texts: removed lines as "- ", added lines as "+ ". */
public final class LineDiff {
    private LineDiff() {}

    /**
     * @param before the previous text (lines separated by \n)
     * @param after the current text
     * @param maxChars upper bound of the returned diff; longer diffs end with a truncation note
     */
    public static String between(String before, String after, int maxChars) {
        List<String> a = List.of(before.split("\n", -1));
        List<String> b = List.of(after.split("\n", -1));
        Patch<String> patch = DiffUtils.diff(a, b);
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
        StringBuilder sb = new StringBuilder();
        for (String line : diff.split("\n")) {
            if (line.startsWith("+ ")) {
                sb.append(line, 2, line.length()).append('\n');
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
