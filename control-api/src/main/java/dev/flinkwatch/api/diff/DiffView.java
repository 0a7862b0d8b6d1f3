package dev.flinkwatch.api.diff;

import com.github.difflib.DiffUtils;
import com.github.difflib.algorithm.myers.MyersDiffWithLinearSpace;
import com.github.difflib.patch.AbstractDelta;
import dev.flinkwatch.extraction.LineDiff;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A change as rows for the web UI: hunks of lines for an inline view (context, added and removed
 * lines with their old and new line numbers) and the same hunks as left/right pairs for a side by
 * side view (a removed line paired with the added line that replaced it). Text only: escaping is
 * the template's job.
 *
 * <p>Built from the old and new text when both are known ({@link #ofTexts}), else from the diff the
 * pipeline stored ({@link #ofStored}, {@link LineDiff}'s format: {@code "- "} and {@code "+ "}
 * lines without context or positions, so its rows have no line numbers and each block of removed
 * lines followed by added lines is a hunk of its own).
 *
 * @param hunks the changed regions in order; empty when nothing changed or no diff was computed
 * @param added added lines in the whole change (also those beyond the row cap; for a change too
 *     large to compare, the new side's differing lines)
 * @param removed removed lines in the whole change (likewise)
 * @param truncated true when rows were left out: over {@link #MAX_ROWS}, or the stored diff was
 *     already cut by the pipeline
 * @param note why there are no rows although something changed (a change too large to diff line by
 *     line, or a diff the pipeline left out of an oversized record); null otherwise
 */
public record DiffView(List<Hunk> hunks, int added, int removed, boolean truncated, String note) {

    /** Most inline rows of one view: a page must stay small whatever the change. */
    public static final int MAX_ROWS = 2_000;

    /** Unchanged lines shown around each change of {@link #ofTexts}. */
    public static final int CONTEXT_LINES = 3;

    /**
     * Most lines per side compared line by line after the common first and last lines: Myers'
     * algorithm costs lines times differences (the pipeline bounds its own diffs the same way).
     */
    static final int MAX_COMPARED_LINES = 1_000;

    /** How {@link LineDiff} ends a diff it cut at its size cap. */
    static final String STORED_TRUNCATION = "… (diff truncated)";

    public DiffView {
        hunks = List.copyOf(hunks);
    }

    /** What a line is in the change. */
    public enum LineKind {
        CONTEXT,
        ADDED,
        REMOVED
    }

    /**
     * One line of the inline view.
     *
     * @param oldNumber 1-based line number in the old text; null for an added line or when unknown
     * @param newNumber 1-based line number in the new text; null for a removed line or when unknown
     */
    public record Line(LineKind kind, Integer oldNumber, Integer newNumber, String text) {}

    /**
     * One row of the side by side view.
     *
     * @param left the old side (a context or removed line), null when the row only adds
     * @param right the new side (a context or added line), null when the row only removes
     */
    public record Pair(Line left, Line right) {
        /** True when the row shows a change (either side is not context). */
        public boolean changed() {
            return (left == null || left.kind() != LineKind.CONTEXT)
                    || (right == null || right.kind() != LineKind.CONTEXT);
        }
    }

    /**
     * One changed region.
     *
     * @param oldStart 1-based first old line of the hunk, null when unknown (stored diffs)
     * @param newStart 1-based first new line of the hunk, null when unknown
     * @param lines the inline rows
     * @param pairs the same rows side by side
     */
    public record Hunk(Integer oldStart, Integer newStart, List<Line> lines, List<Pair> pairs) {
        public Hunk {
            lines = List.copyOf(lines);
            pairs = List.copyOf(pairs);
        }
    }

    /** True when there is nothing to show: no rows and no note. */
    public boolean isEmpty() {
        return hunks.isEmpty() && note == null;
    }

    /**
     * The view of a change from what is known of it: the texts when both are there, else the stored
     * diff (null or empty: nothing to show).
     */
    public static DiffView of(String beforeOrNull, String afterOrNull, String storedDiffOrNull) {
        return beforeOrNull != null && afterOrNull != null
                ? ofTexts(beforeOrNull, afterOrNull)
                : ofStored(storedDiffOrNull);
    }

    /** The diff of two texts (lines end with LF or CRLF), with context around each change. */
    public static DiffView ofTexts(String before, String after) {
        List<String> a = lines(before);
        List<String> b = lines(after);
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
        List<String> aMiddle = a.subList(prefix, a.size() - suffix);
        List<String> bMiddle = b.subList(prefix, b.size() - suffix);
        if (aMiddle.size() > MAX_COMPARED_LINES || bMiddle.size() > MAX_COMPARED_LINES) {
            return new DiffView(
                    List.of(),
                    bMiddle.size(),
                    aMiddle.size(),
                    false,
                    LineDiff.TOO_LARGE
                            + ": "
                            + aMiddle.size()
                            + " lines before and "
                            + bMiddle.size()
                            + " after differ (at most "
                            + MAX_COMPARED_LINES
                            + " per side are compared)");
        }
        // the linear-space variant: the default one keeps a path node per step, (differences)^2 of
        // them, several times slower on a large change
        List<AbstractDelta<String>> deltas =
                DiffUtils.diff(aMiddle, bMiddle, new MyersDiffWithLinearSpace<>()).getDeltas();
        int added = 0;
        int removed = 0;
        for (AbstractDelta<String> d : deltas) {
            added += d.getTarget().size();
            removed += d.getSource().size();
        }
        Rows rows = new Rows();
        List<Hunk> hunks = new ArrayList<>();
        int first = 0;
        while (first < deltas.size() && !rows.dropped()) {
            // deltas closer than twice the context share a hunk, as in a unified diff
            int last = first;
            while (last + 1 < deltas.size()
                    && sourceStart(deltas.get(last + 1), prefix)
                                    - sourceEnd(deltas.get(last), prefix)
                            <= 2 * CONTEXT_LINES) {
                last++;
            }
            AbstractDelta<String> head = deltas.get(first);
            int oldFrom = Math.max(0, sourceStart(head, prefix) - CONTEXT_LINES);
            int newFrom =
                    prefix + head.getTarget().getPosition() - (sourceStart(head, prefix) - oldFrom);
            int[] at = {oldFrom, newFrom};
            List<Line> lines = new ArrayList<>();
            context(a, at, sourceStart(head, prefix), rows, lines);
            for (int k = first; k <= last; ) {
                // touching deltas (the linear-space variant splits a change into a delete and an
                // insert, in either order) are one change: its removed lines, then its added ones
                int end = k;
                while (end < last
                        && sourceStart(deltas.get(end + 1), prefix)
                                == sourceEnd(deltas.get(end), prefix)) {
                    end++;
                }
                for (int j = k; j <= end; j++) {
                    for (String line : deltas.get(j).getSource().getLines()) {
                        rows.add(lines, new Line(LineKind.REMOVED, ++at[0], null, line));
                    }
                }
                for (int j = k; j <= end; j++) {
                    for (String line : deltas.get(j).getTarget().getLines()) {
                        rows.add(lines, new Line(LineKind.ADDED, null, ++at[1], line));
                    }
                }
                int until =
                        end < last
                                ? sourceStart(deltas.get(end + 1), prefix)
                                : Math.min(
                                        a.size(),
                                        sourceEnd(deltas.get(end), prefix) + CONTEXT_LINES);
                context(a, at, until, rows, lines);
                k = end + 1;
            }
            if (!lines.isEmpty()) {
                hunks.add(new Hunk(oldFrom + 1, newFrom + 1, lines, pairs(lines)));
            }
            first = last + 1;
        }
        return new DiffView(hunks, added, removed, rows.dropped(), null);
    }

    /**
     * The view of a diff in {@link LineDiff}'s stored format, including its truncation mark. A
     * stored text without any marked line is a note (why there is no diff). Unmarked lines among
     * marked ones (none are written today) show as context.
     */
    public static DiffView ofStored(String storedDiffOrNull) {
        if (storedDiffOrNull == null || storedDiffOrNull.isEmpty()) {
            return new DiffView(List.of(), 0, 0, false, null);
        }
        Rows rows = new Rows();
        List<Hunk> hunks = new ArrayList<>();
        List<Line> block = new ArrayList<>();
        boolean cut = false;
        int added = 0;
        int removed = 0;
        LineKind previous = null;
        for (String raw : lines(storedDiffOrNull)) {
            if (raw.startsWith(STORED_TRUNCATION)) {
                cut = true;
                break;
            }
            LineKind kind = storedKind(raw);
            if (kind == LineKind.ADDED) {
                added++;
            } else if (kind == LineKind.REMOVED) {
                removed++;
            }
            // LineDiff writes each delta as its removed lines, then its added lines: a removed
            // line after an added one starts the next delta
            if (previous != null
                    && ((kind == LineKind.CONTEXT) != (previous == LineKind.CONTEXT)
                            || previous == LineKind.ADDED && kind == LineKind.REMOVED)) {
                flush(block, hunks);
            }
            previous = kind;
            // a marker alone is an empty line whose trailing space was stripped on the way
            String text = kind == LineKind.CONTEXT ? raw : raw.substring(Math.min(2, raw.length()));
            rows.add(block, new Line(kind, null, null, text));
        }
        if (added + removed == 0) {
            // a note instead of a diff: "diff too large: ...", or "[diff omitted: ...]" from a
            // sink whose record would have been too large with it
            return new DiffView(List.of(), 0, 0, false, storedDiffOrNull.strip());
        }
        flush(block, hunks);
        return new DiffView(hunks, added, removed, cut || rows.dropped(), null);
    }

    private static LineKind storedKind(String line) {
        if (line.equals("-") || line.startsWith("- ")) {
            return LineKind.REMOVED;
        }
        if (line.equals("+") || line.startsWith("+ ")) {
            return LineKind.ADDED;
        }
        return LineKind.CONTEXT;
    }

    private static void flush(List<Line> block, List<Hunk> hunks) {
        if (!block.isEmpty()) {
            hunks.add(new Hunk(null, null, block, pairs(block)));
            block.clear();
        }
    }

    /** Unchanged lines from {@code at[0]} up to (excluding) old index {@code until}. */
    private static void context(List<String> a, int[] at, int until, Rows rows, List<Line> lines) {
        while (at[0] < until) {
            String text = a.get(at[0]);
            rows.add(lines, new Line(LineKind.CONTEXT, ++at[0], ++at[1], text));
        }
    }

    private static int sourceStart(AbstractDelta<String> d, int prefix) {
        return prefix + d.getSource().getPosition();
    }

    private static int sourceEnd(AbstractDelta<String> d, int prefix) {
        return sourceStart(d, prefix) + d.getSource().size();
    }

    /** The side by side rows of a hunk: context on both sides, removed lines next to added ones. */
    static List<Pair> pairs(List<Line> lines) {
        List<Pair> pairs = new ArrayList<>();
        int i = 0;
        while (i < lines.size()) {
            Line line = lines.get(i);
            if (line.kind() == LineKind.CONTEXT) {
                pairs.add(new Pair(line, line));
                i++;
                continue;
            }
            int removedFrom = i;
            while (i < lines.size() && lines.get(i).kind() == LineKind.REMOVED) {
                i++;
            }
            int addedFrom = i;
            while (i < lines.size() && lines.get(i).kind() == LineKind.ADDED) {
                i++;
            }
            int removedCount = addedFrom - removedFrom;
            int addedCount = i - addedFrom;
            for (int k = 0; k < Math.max(removedCount, addedCount); k++) {
                pairs.add(
                        new Pair(
                                k < removedCount ? lines.get(removedFrom + k) : null,
                                k < addedCount ? lines.get(addedFrom + k) : null));
            }
        }
        return pairs;
    }

    /** A text's lines; a final line break ends the last line rather than starting an empty one. */
    private static List<String> lines(String text) {
        if (text.isEmpty()) {
            return List.of();
        }
        List<String> lines = new ArrayList<>(List.of(text.split("\r\n|\n", -1)));
        if (lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        return Collections.unmodifiableList(lines);
    }

    /** Counts rows across the hunks of one view and drops those over {@link #MAX_ROWS}. */
    private static final class Rows {
        private int count;
        private boolean dropped;

        /** True once a row was left out. */
        boolean dropped() {
            return dropped;
        }

        void add(List<Line> into, Line line) {
            if (count < MAX_ROWS) {
                into.add(line);
                count++;
            } else {
                dropped = true;
            }
        }
    }
}
