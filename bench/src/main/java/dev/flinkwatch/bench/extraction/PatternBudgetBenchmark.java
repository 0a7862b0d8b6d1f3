package dev.flinkwatch.bench.extraction;

import dev.flinkwatch.extraction.PageText;
import dev.flinkwatch.extraction.PatternBudget;
import dev.flinkwatch.extraction.Patterns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * What the per-check pattern budget costs and bounds, on the largest text a check reads (the
 * default 256 Ki extracted chars): the metering overhead on a normal ignore pattern, how long an
 * adversarial pattern runs unbounded and under the default 250 ms budget, and how long an
 * adversarial selector runs under it (jsoup's own work is checked per element only).
 *
 * <pre>bench/run.sh dev.flinkwatch.bench.extraction.PatternBudgetBenchmark [rounds]</pre>
 */
public final class PatternBudgetBenchmark {
    private static final int CHARS = 256 * 1024;
    private static final Duration BUDGET = Duration.ofMillis(250);

    private PatternBudgetBenchmark() {}

    public static void main(String[] args) throws IOException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Patterns patterns = new Patterns(100);
        PageText pages = new PageText(patterns, CHARS);
        List<String> lines = new ArrayList<>();

        String normal = "Only 3 left\n42 people viewing\n".repeat(CHARS / 31);
        String a = "a".repeat(CHARS);
        PatternBudget unlimited = new PatternBudget(Duration.ofDays(1), System::nanoTime);
        lines.add(
                row(
                        "normal ignore pattern, plain String (no budget)",
                        rounds,
                        () ->
                                patterns.regex("\\d+ people viewing")
                                        .matcher(normal)
                                        .replaceAll("")));
        lines.add(
                row(
                        "normal ignore pattern, metered",
                        rounds,
                        () -> patterns.removeAll("\\d+ people viewing", normal, unlimited, "i")));
        lines.add(
                row(
                        "(.*a){20}z on 256 Ki a's, no budget",
                        1,
                        () -> patterns.regex("(.*a){20}z").matcher(a).find()));
        lines.add(
                row(
                        "(.*a){20}z on 256 Ki a's, 250 ms budget (until it trips)",
                        rounds,
                        () -> tripped(() -> patterns.find("(.*a){20}z", a, budget(), "c"))));
        lines.add(
                row(
                        "[a-z]{1,100}[0-9]{1,100}q, 250 ms budget (until it trips)",
                        rounds,
                        () ->
                                tripped(
                                        () ->
                                                patterns.find(
                                                        "[a-z]{1,100}[0-9]{1,100}q",
                                                        a,
                                                        budget(),
                                                        "c"))));

        // selectors: jsoup reads its own strings; the budget is looked at per element, so the
        // overshoot is one element's work (bounded by the document bounds)
        int regexText = PageText.MAX_SELECTOR_REGEX_TEXT;
        String flat = "<p>" + "a".repeat(regexText) + "</p>";
        String deep = "<div>".repeat(PageText.MAX_DEPTH) + "a".repeat(regexText - 200);
        StringBuilder wide = new StringBuilder();
        for (int i = 0; i < 780; i++) {
            wide.append("<div>".repeat(128)).append("x").append("</div>".repeat(128));
        }
        lines.add(
                selectorRow(
                        pages,
                        "p:matches((.*a){20}z) on one 64 Ki text, 250 ms budget",
                        rounds,
                        flat,
                        "p:matches((.*a){20}z)"));
        lines.add(
                selectorRow(
                        pages,
                        "div:matches((.*a){20}z) on 128 nested divs, 64 Ki text, 250 ms budget",
                        rounds,
                        deep,
                        "div:matches((.*a){20}z)"));
        lines.add(
                selectorRow(
                        pages,
                        "#nope on 99,840 divs 128 deep (parse and bounds only)",
                        rounds,
                        wide.toString(),
                        "#nope"));
        lines.add(
                selectorRow(
                        pages,
                        "*:has(nope) on 99,840 divs 128 deep, 250 ms budget",
                        rounds,
                        wide.toString(),
                        "*:has(nope)"));
        lines.add(
                selectorRow(
                        pages,
                        "*:contains(nope) on 99,840 divs 128 deep, 250 ms budget",
                        rounds,
                        wide.toString(),
                        "*:contains(nope)"));
        lines.add(
                selectorRow(
                        pages,
                        "p:matches((.*a){20}z) on 65 Ki text (refused before running)",
                        rounds,
                        "<p>" + "a".repeat(regexText + 1024) + "</p>",
                        "p:matches((.*a){20}z)"));

        Path out = Path.of("bench/results/extraction.txt");
        Files.createDirectories(out.getParent());
        StringBuilder report =
                new StringBuilder(
                        "# PatternBudgetBenchmark: median ms over "
                                + rounds
                                + " rounds (first round warms up), "
                                + Runtime.getRuntime().availableProcessors()
                                + " cores\n");
        lines.forEach(l -> report.append(l).append('\n'));
        Files.writeString(out, report);
        System.out.print(report);
    }

    private static PatternBudget budget() {
        return new PatternBudget(BUDGET, System::nanoTime);
    }

    private static Object tripped(Runnable run) {
        try {
            run.run();
            return "no trip";
        } catch (PatternBudget.ExceededException e) {
            return "tripped in " + e.field();
        }
    }

    private static String selectorRow(
            PageText pages, String name, int rounds, String html, String selector) {
        return row(
                name,
                rounds,
                () -> {
                    PageText.Extracted e =
                            pages.extract(html, "text/html", null, selector, List.of(), budget());
                    return e.ok() ? "ok" : e.error();
                });
    }

    private static String row(String name, int rounds, Supplier<Object> work) {
        long[] ms = new long[rounds];
        Object result = null;
        work.get(); // warm-up
        for (int i = 0; i < rounds; i++) {
            long start = System.nanoTime();
            result = work.get();
            ms[i] = (System.nanoTime() - start) / 1_000_000;
        }
        java.util.Arrays.sort(ms);
        String outcome =
                result instanceof String s && s.length() > 40 ? "text" : String.valueOf(result);
        return String.format("%-70s %6d ms  (%s)", name, ms[rounds / 2], outcome);
    }
}
