package dev.flinkwatch.api.diff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.flinkwatch.api.diff.DiffView.Hunk;
import dev.flinkwatch.api.diff.DiffView.Line;
import dev.flinkwatch.api.diff.DiffView.LineKind;
import dev.flinkwatch.api.diff.DiffView.Pair;
import dev.flinkwatch.extraction.LineDiff;
import java.util.List;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DiffViewTest {
    /** The pipeline's defaults (flinkwatch.change.max-diff-chars / max-diff-lines). */
    private static final int STORED_CHARS = 8 * 1024;

    private static final int STORED_LINES = 500;

    @Test
    void nothingChangedIsEmpty() {
        assertThat(DiffView.ofTexts("", "").isEmpty()).isTrue();
        assertThat(DiffView.ofTexts("a\nb", "a\nb").isEmpty()).isTrue();
        assertThat(DiffView.ofStored(null).isEmpty()).isTrue();
        assertThat(DiffView.ofStored("").isEmpty()).isTrue();
        assertThat(DiffView.of(null, "new", null).isEmpty()).isTrue();
    }

    @Test
    void aChangedLineHasThreeLinesOfContextAndBothLineNumbers() {
        String before = lines(10, i -> "line " + i);
        String after = before.replace("line 5", "line five");
        DiffView view = DiffView.ofTexts(before, after);

        assertThat(view.added()).isEqualTo(1);
        assertThat(view.removed()).isEqualTo(1);
        assertThat(view.truncated()).isFalse();
        assertThat(view.note()).isNull();
        assertThat(view.hunks()).hasSize(1);
        Hunk hunk = view.hunks().get(0);
        assertThat(hunk.oldStart()).isEqualTo(3);
        assertThat(hunk.newStart()).isEqualTo(3);
        assertThat(hunk.lines())
                .extracting(Line::kind, Line::oldNumber, Line::newNumber, Line::text)
                .containsExactly(
                        tuple(LineKind.CONTEXT, 3, 3, "line 2"),
                        tuple(LineKind.CONTEXT, 4, 4, "line 3"),
                        tuple(LineKind.CONTEXT, 5, 5, "line 4"),
                        tuple(LineKind.REMOVED, 6, null, "line 5"),
                        tuple(LineKind.ADDED, null, 6, "line five"),
                        tuple(LineKind.CONTEXT, 7, 7, "line 6"),
                        tuple(LineKind.CONTEXT, 8, 8, "line 7"),
                        tuple(LineKind.CONTEXT, 9, 9, "line 8"));
        // side by side: the removed line next to the one that replaced it
        assertThat(hunk.pairs()).hasSize(7);
        Pair changed = hunk.pairs().get(3);
        assertThat(changed.changed()).isTrue();
        assertThat(changed.left().text()).isEqualTo("line 5");
        assertThat(changed.right().text()).isEqualTo("line five");
        assertThat(hunk.pairs().get(0).changed()).isFalse();
        assertThat(hunk.pairs().get(0).left()).isSameAs(hunk.pairs().get(0).right());
    }

    @Test
    void insertionsShiftTheNewLineNumbers() {
        String before = "a\nb\nc";
        String after = "a\nnew 1\nnew 2\nb\nc";
        Hunk hunk = single(DiffView.ofTexts(before, after));
        assertThat(hunk.lines())
                .extracting(Line::kind, Line::oldNumber, Line::newNumber)
                .containsExactly(
                        tuple(LineKind.CONTEXT, 1, 1),
                        tuple(LineKind.ADDED, null, 2),
                        tuple(LineKind.ADDED, null, 3),
                        tuple(LineKind.CONTEXT, 2, 4),
                        tuple(LineKind.CONTEXT, 3, 5));
        assertThat(hunk.pairs()).extracting(Pair::left).containsNull();
    }

    @Test
    void distantChangesAreSeparateHunksAndNearOnesShareOne() {
        String before = lines(40, i -> "row " + i);
        String distant = before.replace("row 5\n", "row V\n").replace("row 30\n", "row XXX\n");
        assertThat(DiffView.ofTexts(before, distant).hunks())
                .extracting(Hunk::oldStart)
                .containsExactly(3, 28);
        String near = before.replace("row 5\n", "row V\n").replace("row 11\n", "row XI\n");
        List<Hunk> hunks = DiffView.ofTexts(before, near).hunks();
        assertThat(hunks).hasSize(1);
        // 3 context, change, 5 unchanged between (within 2 x context), change, 3 context
        assertThat(hunks.get(0).lines()).hasSize(3 + 2 + 5 + 2 + 3);
    }

    @Test
    void allAddedAndAllRemoved() {
        Hunk added = single(DiffView.ofTexts("", "one\ntwo\n"));
        assertThat(added.lines())
                .extracting(Line::kind, Line::newNumber, Line::text)
                .containsExactly(tuple(LineKind.ADDED, 1, "one"), tuple(LineKind.ADDED, 2, "two"));
        assertThat(added.pairs()).allSatisfy(p -> assertThat(p.left()).isNull());

        DiffView removed = DiffView.ofTexts("one\ntwo", "");
        assertThat(removed.removed()).isEqualTo(2);
        assertThat(removed.added()).isZero();
        assertThat(single(removed).lines())
                .extracting(Line::kind, Line::oldNumber, Line::text)
                .containsExactly(
                        tuple(LineKind.REMOVED, 1, "one"), tuple(LineKind.REMOVED, 2, "two"));
        assertThat(single(removed).pairs()).allSatisfy(p -> assertThat(p.right()).isNull());
    }

    @Test
    void unicodeIsKeptExactly() {
        String before = "Preis: 45 €\n\u05DE\u05D7\u05D9\u05E8\ncafe\u0301";
        String after = "Preis: 39 €\n\u05DE\u05D7\u05D9\u05E8\ncafe\u0301 \uD83D\uDE00";
        DiffView view = DiffView.ofTexts(before, after);
        assertThat(view.hunks().get(0).lines())
                .extracting(Line::kind, Line::text)
                .containsExactly(
                        tuple(LineKind.REMOVED, "Preis: 45 €"),
                        tuple(LineKind.ADDED, "Preis: 39 €"),
                        tuple(LineKind.CONTEXT, "\u05DE\u05D7\u05D9\u05E8"),
                        tuple(LineKind.REMOVED, "cafe\u0301"),
                        tuple(LineKind.ADDED, "cafe\u0301 \uD83D\uDE00"));
        // and the same through the stored format
        DiffView stored =
                DiffView.ofStored(LineDiff.between(before, after, STORED_CHARS, STORED_LINES));
        assertThat(stored.hunks())
                .flatExtracting(Hunk::lines)
                .extracting(Line::text)
                .containsExactly(
                        "Preis: 45 €", "Preis: 39 €", "cafe\u0301", "cafe\u0301 \uD83D\uDE00");
    }

    @Test
    void crlfAndLfLineEndsCompareEqual() {
        DiffView view = DiffView.ofTexts("a\r\nb\r\nc\r\n", "a\nB\nc\n");
        assertThat(view.hunks().get(0).lines())
                .extracting(Line::kind, Line::text)
                .containsExactly(
                        tuple(LineKind.CONTEXT, "a"),
                        tuple(LineKind.REMOVED, "b"),
                        tuple(LineKind.ADDED, "B"),
                        tuple(LineKind.CONTEXT, "c"));
        assertThat(DiffView.ofTexts("x\r\ny", "x\ny").isEmpty()).isTrue();
        assertThat(DiffView.ofStored("- b\r\n+ B").hunks().get(0).lines())
                .extracting(Line::text)
                .containsExactly("b", "B");
    }

    @Test
    void aHugeChangeIsCappedAtMaxRowsAndSaysSo() {
        // as many differing lines as are compared, between unchanged ones: 3 + 2 x 1000 + 3 rows
        int n = DiffView.MAX_COMPARED_LINES;
        String before = "a\nb\nc\n" + lines(n, i -> "old " + i) + "\nx\ny\nz";
        String after = "a\nb\nc\n" + lines(n, i -> "new " + i) + "\nx\ny\nz";
        DiffView view = DiffView.ofTexts(before, after);
        assertThat(view.truncated()).isTrue();
        assertThat(view.added()).isEqualTo(n);
        assertThat(view.removed()).isEqualTo(n);
        assertThat(view.hunks().stream().mapToInt(h -> h.lines().size()).sum())
                .isEqualTo(DiffView.MAX_ROWS);
        assertThat(view.hunks().stream().mapToInt(h -> h.pairs().size()).sum())
                .isLessThanOrEqualTo(DiffView.MAX_ROWS);
    }

    @Test
    void exactlyMaxRowsIsNotTruncated() {
        int n = DiffView.MAX_ROWS / 2;
        DiffView view = DiffView.ofTexts(lines(n, i -> "old " + i), lines(n, i -> "new " + i));
        assertThat(view.truncated()).isFalse();
        assertThat(single(view).lines()).hasSize(DiffView.MAX_ROWS);
    }

    @Test
    void aSmallChangeInAHugeTextIsCheapAndNumberedFromItsPosition() {
        String before = lines(200_000, i -> "row " + i);
        String after = before.replace("row 150000\n", "row changed\n");
        Hunk hunk = single(DiffView.ofTexts(before, after));
        assertThat(hunk.oldStart()).isEqualTo(149_998);
        assertThat(hunk.lines().get(3))
                .isEqualTo(new Line(LineKind.REMOVED, 150_001, null, "row 150000"));
    }

    @Test
    void tooManyDifferingLinesAreANoteNotADiff() {
        String even = lines(20_000, i -> i % 2 == 0 ? "row " + i : "x");
        String odd = lines(20_000, i -> i % 2 == 1 ? "row " + i : "x");
        DiffView view = DiffView.ofTexts(even, odd);
        assertThat(view.hunks()).isEmpty();
        assertThat(view.isEmpty()).isFalse();
        assertThat(view.note())
                .startsWith(LineDiff.TOO_LARGE)
                .contains("20000 lines before and 20000 after");
    }

    @Test
    void storedDiffsFromThePipelineBecomeOneHunkPerDelta() {
        String before = "title\nprice 45\nin stock\nfooter\nold a\nold b\nend";
        String after = "title\nprice 39\nin stock\nfooter\nnew a\nend";
        String stored = LineDiff.between(before, after, STORED_CHARS, STORED_LINES);
        DiffView view = DiffView.ofStored(stored);
        assertThat(view.added()).isEqualTo(2);
        assertThat(view.removed()).isEqualTo(3);
        assertThat(view.truncated()).isFalse();
        assertThat(view.hunks()).hasSize(2);
        assertThat(view.hunks())
                .allSatisfy(
                        h -> {
                            assertThat(h.oldStart()).isNull();
                            assertThat(h.lines())
                                    .allSatisfy(
                                            l -> {
                                                assertThat(l.oldNumber()).isNull();
                                                assertThat(l.newNumber()).isNull();
                                            });
                        });
        assertThat(view.hunks().get(0).lines())
                .extracting(Line::kind, Line::text)
                .containsExactly(
                        tuple(LineKind.REMOVED, "price 45"), tuple(LineKind.ADDED, "price 39"));
        assertThat(view.hunks().get(1).pairs())
                .extracting(p -> p.left().text(), p -> p.right() == null ? null : p.right().text())
                .containsExactly(tuple("old a", "new a"), tuple("old b", null));
    }

    @Test
    void storedAllAddedAllRemovedAndEmptyLines() {
        DiffView added =
                DiffView.ofStored(LineDiff.between("x", "x\na\n\nb", STORED_CHARS, STORED_LINES));
        assertThat(single(added).lines())
                .extracting(Line::kind, Line::text)
                .containsExactly(
                        tuple(LineKind.ADDED, "a"),
                        tuple(LineKind.ADDED, ""),
                        tuple(LineKind.ADDED, "b"));
        DiffView removed =
                DiffView.ofStored(LineDiff.between("a\nb\nx", "x", STORED_CHARS, STORED_LINES));
        assertThat(single(removed).lines()).extracting(Line::kind).containsOnly(LineKind.REMOVED);
        // a removed empty line whose trailing space was lost
        assertThat(single(DiffView.ofStored("-\n+ x")).lines())
                .extracting(Line::kind, Line::text)
                .containsExactly(tuple(LineKind.REMOVED, ""), tuple(LineKind.ADDED, "x"));
    }

    @Test
    void storedNotesAndTruncationsAreReported() {
        String even = lines(20_000, i -> i % 2 == 0 ? "row " + i : "x");
        String odd = lines(20_000, i -> i % 2 == 1 ? "row " + i : "x");
        DiffView tooLarge =
                DiffView.ofStored(LineDiff.between(even, odd, STORED_CHARS, STORED_LINES));
        assertThat(tooLarge.hunks()).isEmpty();
        assertThat(tooLarge.note()).startsWith(LineDiff.TOO_LARGE);

        String omitted = "[diff omitted: the record exceeded the size limit]";
        assertThat(DiffView.ofStored(omitted).note()).isEqualTo(omitted);
        assertThat(DiffView.ofStored(omitted).hunks()).isEmpty();

        String cut =
                LineDiff.between(
                        lines(100, i -> "a" + i), lines(100, i -> "b" + i), 200, STORED_LINES);
        DiffView truncated = DiffView.ofStored(cut);
        assertThat(truncated.truncated()).isTrue();
        assertThat(truncated.hunks())
                .flatExtracting(Hunk::lines)
                .extracting(Line::text)
                .isNotEmpty()
                .noneMatch(t -> t.contains("truncated"));
    }

    @Test
    void aHugeStoredDiffIsCapped() {
        String stored = lines(5_000, i -> "- gone " + i + "\n+ here " + i);
        DiffView view = DiffView.ofStored(stored);
        assertThat(view.truncated()).isTrue();
        assertThat(view.added()).isEqualTo(5_000);
        assertThat(view.hunks().stream().mapToInt(h -> h.lines().size()).sum())
                .isEqualTo(DiffView.MAX_ROWS);
    }

    @Test
    void textsWinOverTheStoredDiffWhenBothAreKnown() {
        DiffView view = DiffView.of("a\nb", "a\nc", "- something else");
        assertThat(single(view).lines())
                .extracting(Line::kind, Line::text)
                .containsExactly(
                        tuple(LineKind.CONTEXT, "a"),
                        tuple(LineKind.REMOVED, "b"),
                        tuple(LineKind.ADDED, "c"));
        assertThat(DiffView.of(null, "a", "- x").hunks().get(0).lines().get(0).text())
                .isEqualTo("x");
    }

    private static Hunk single(DiffView view) {
        assertThat(view.hunks()).hasSize(1);
        return view.hunks().get(0);
    }

    private static String lines(int n, IntFunction<String> line) {
        return IntStream.range(0, n).mapToObj(line).collect(Collectors.joining("\n"));
    }
}
