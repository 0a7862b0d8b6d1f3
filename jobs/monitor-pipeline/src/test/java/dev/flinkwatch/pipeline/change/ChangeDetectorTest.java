package dev.flinkwatch.pipeline.change;

import static dev.flinkwatch.pipeline.TestSpecs.spec;
import static dev.flinkwatch.pipeline.TestSpecs.upsert;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkwatch.extraction.PageReader;
import dev.flinkwatch.extraction.TextSanitizer;
import dev.flinkwatch.fetch.FetchResult;
import dev.flinkwatch.fetch.FetchStatus;
import dev.flinkwatch.flink.FlinkTypes;
import dev.flinkwatch.flink.UuidTypeInfo;
import dev.flinkwatch.model.AlertKind;
import dev.flinkwatch.model.CheckOutcome;
import dev.flinkwatch.model.CheckRequest;
import dev.flinkwatch.model.CheckResult;
import dev.flinkwatch.model.Condition;
import dev.flinkwatch.model.ModelCodec;
import dev.flinkwatch.model.MonitorEvent;
import dev.flinkwatch.model.MonitorSpec;
import dev.flinkwatch.model.MonitorStatus;
import dev.flinkwatch.model.Render;
import dev.flinkwatch.model.Source;
import dev.flinkwatch.pipeline.TestSpecs;
import dev.flinkwatch.pipeline.alert.AlertDecider;
import dev.flinkwatch.pipeline.alert.Evaluation;
import dev.flinkwatch.pipeline.fetch.FetchedText;
import dev.flinkwatch.pipeline.fetch.PageExtractor;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ChangeDetectorTest {
    private static final String URL = "https://shop.example/widget";
    private static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");

    private KeyedTwoInputStreamOperatorTestHarness<UUID, MonitorEvent, FetchedText, CheckResult>
            harness;
    private final UUID id = UUID.randomUUID();
    private int checks;

    @BeforeEach
    void setUp() throws Exception {
        harness =
                ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(
                        new ChangeDetector(
                                60,
                                new ChangeDetector.Limits(2000, 4000, 2000, Duration.ofMinutes(1)),
                                Duration.ofHours(1)),
                        MonitorEvent::monitorId,
                        r -> r.request().monitorId(),
                        UuidTypeInfo.INSTANCE);
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    /** The specs the scheduler knows: a request carries its spec's selector and ignore list. */
    private final Map<UUID, MonitorSpec> scheduled = new HashMap<>();

    /** As the job runs it: with page templates, so reused texts meet every rule below. */
    private final PageExtractor extractor =
            new PageExtractor(
                    100_000,
                    Duration.ofMinutes(1),
                    System::nanoTime,
                    1 << 20,
                    PageReader.TemplateEvents.NONE);

    private final PageExtractor zeroBudget =
            new PageExtractor(100_000, Duration.ZERO, System::nanoTime);

    private void event(StreamRecord<MonitorEvent> event) throws Exception {
        if (!event.getValue().isDelete()) {
            scheduled(event.getValue().spec());
        }
        harness.processElement1(event);
    }

    private void scheduled(MonitorSpec spec) {
        scheduled.put(spec.id(), spec);
    }

    /** The fetch stage's reading of a fetch, with the scheduler's selector and ignore list. */
    private FetchedText read(FetchResult f) {
        return read(extractor, f);
    }

    private FetchedText readZero(FetchResult f) {
        return read(zeroBudget, f);
    }

    private FetchedText read(PageExtractor x, FetchResult f) {
        CheckRequest r = f.request();
        MonitorSpec spec = scheduled.get(r.monitorId());
        if (spec == null) {
            return x.extract(f);
        }
        Source source =
                spec.sources().stream()
                        .filter(s -> s.url().equals(r.url()))
                        .findFirst()
                        .orElse(new Source(r.url(), null));
        return x.extract(
                withRequest(
                        f,
                        CheckRequest.scheduled(
                                        r.monitorId(),
                                        r.tenantId(),
                                        r.specVersion(),
                                        source,
                                        spec.ignore(),
                                        r.scheduledAt())
                                .withValidators(r.etag(), r.lastModified())));
    }

    private static CheckRequest withSelector(CheckRequest r, String selector, List<String> ignore) {
        return CheckRequest.scheduled(
                        r.monitorId(),
                        r.tenantId(),
                        r.specVersion(),
                        new Source(r.url(), selector),
                        ignore,
                        r.scheduledAt())
                .withValidators(r.etag(), r.lastModified());
    }

    private static FetchResult withRequest(FetchResult f, CheckRequest r) {
        return copy(f, r, f.screenshot());
    }

    private static FetchResult withScreenshot(FetchResult f, byte[] jpeg) {
        return copy(f, f.request(), jpeg);
    }

    private static FetchResult copy(FetchResult f, CheckRequest r, byte[] screenshot) {
        return new FetchResult(
                r,
                f.status(),
                f.httpStatus(),
                f.finalUrl(),
                f.contentType(),
                f.charset(),
                f.body(),
                f.etag(),
                f.lastModified(),
                f.startedAt(),
                f.finishedAt(),
                f.latencyMs(),
                f.attempts(),
                f.redirects(),
                f.bodyBytes(),
                f.message(),
                screenshot);
    }

    private MonitorSpec watch(String selector, Condition condition, List<String> ignore) {
        return watch(id, selector, condition, ignore);
    }

    private static MonitorSpec watch(
            UUID id, String selector, Condition condition, List<String> ignore) {
        return watch(id, new Source(URL, selector), condition, ignore);
    }

    private static MonitorSpec watch(
            UUID id, Source source, Condition condition, List<String> ignore) {
        MonitorSpec base = spec(id, 1, 300, condition, URL);
        return new MonitorSpec(
                id,
                base.tenantId(),
                1,
                base.name(),
                List.of(source),
                300,
                condition,
                ignore,
                null,
                MonitorStatus.ACTIVE);
    }

    private CheckRequest request() {
        return new CheckRequest(
                id,
                TestSpecs.TENANT,
                1,
                URL,
                null,
                null,
                T0.plusSeconds(300L * checks),
                null,
                null,
                null,
                null);
    }

    private FetchResult ok(String html) {
        CheckRequest r = request();
        checks++;
        return ok(r, html);
    }

    private FetchResult ok(CheckRequest r, String html) {
        return new FetchResult(
                r,
                FetchStatus.OK,
                200,
                URL,
                "text/html; charset=utf-8",
                "UTF-8",
                html,
                null,
                null,
                r.scheduledAt(),
                r.scheduledAt().plusMillis(40),
                40L,
                1,
                0,
                (long) html.length(),
                "200 OK",
                null);
    }

    private FetchResult okPlain(String text) {
        FetchResult html = ok(text);
        return new FetchResult(
                html.request(),
                html.status(),
                html.httpStatus(),
                html.finalUrl(),
                "text/plain",
                html.charset(),
                text,
                "\"v\u0000\"",
                null,
                html.startedAt(),
                html.finishedAt(),
                html.latencyMs(),
                html.attempts(),
                html.redirects(),
                html.bodyBytes(),
                html.message(),
                null);
    }

    private FetchResult failed(FetchStatus status, String message) {
        CheckRequest r = request();
        checks++;
        return new FetchResult(
                r,
                status,
                status == FetchStatus.NOT_MODIFIED ? 304 : null,
                URL,
                null,
                null,
                null,
                null,
                null,
                r.scheduledAt(),
                r.scheduledAt().plusSeconds(1),
                1000L,
                1,
                0,
                0L,
                message,
                null);
    }

    private static String page(String price) {
        return "<html><head><title>Widget</title><script>var t="
                + System.nanoTime()
                + "</script></head><body><h1>Widget</h1><p>Only <b>3</b> left</p>"
                + "<span id=\"price\">"
                + price
                + "</span><p>42 people viewing</p></body></html>";
    }

    private CheckResult check(FetchResult fetch) throws Exception {
        harness.processElement2(new StreamRecord<>(read(fetch)));
        List<CheckResult> out = harness.extractOutputValues();
        return out.get(out.size() - 1);
    }

    private <T> List<T> side(OutputTag<T> tag) {
        var records = harness.getSideOutput(tag);
        return records == null ? List.of() : records.stream().map(StreamRecord::getValue).toList();
    }

    @Test
    void firstIsABaselineThenUnchangedThenChangedWithALineDiff() throws Exception {
        event(new StreamRecord<>(upsert(watch(null, Condition.anyChange(), List.of()))));
        CheckResult first = check(ok(page("$59.99")));
        assertThat(first.outcome()).isEqualTo(CheckOutcome.FIRST);
        assertThat(first.contentHash()).hasSize(32);
        assertThat(first.diff()).isNull();

        // a different script, same visible text: not a change
        CheckResult same = check(ok(page("$59.99")));
        assertThat(same.outcome()).isEqualTo(CheckOutcome.UNCHANGED);
        assertThat(same.contentHash()).isEqualTo(first.contentHash());

        CheckResult changed = check(ok(page("$49.99")));
        assertThat(changed.outcome()).isEqualTo(CheckOutcome.CHANGED);
        assertThat(changed.diff()).isEqualTo("- $59.99\n+ $49.99");
        assertThat(changed.contentHash()).isNotEqualTo(first.contentHash());
        assertThat(changed.httpStatus()).isEqualTo(200);
        assertThat(changed.scheduledAt()).isEqualTo(T0.plusSeconds(600));
    }

    @Test
    void notModifiedIsUnchanged() throws Exception {
        event(new StreamRecord<>(upsert(watch(null, Condition.anyChange(), List.of()))));
        CheckResult first = check(ok(page("$1")));
        CheckResult notModified = check(failed(FetchStatus.NOT_MODIFIED, "304 Not Modified"));
        assertThat(notModified.outcome()).isEqualTo(CheckOutcome.UNCHANGED);
        assertThat(notModified.contentHash()).isEqualTo(first.contentHash());
        assertThat(notModified.httpStatus()).isEqualTo(304);
    }

    @Test
    void fetchErrorsPassThroughAndCountConsecutiveFailures() throws Exception {
        event(new StreamRecord<>(upsert(watch(null, Condition.anyChange(), List.of()))));
        check(ok(page("$1")));
        CheckResult timeout = check(failed(FetchStatus.TIMEOUT, "no response within 10 s"));
        check(failed(FetchStatus.CONNECTION_ERROR, "refused"));
        assertThat(timeout.outcome()).isEqualTo(CheckOutcome.ERROR);
        assertThat(timeout.errorCode()).isEqualTo("TIMEOUT");
        assertThat(timeout.errorMessage()).isEqualTo("no response within 10 s");
        assertThat(timeout.contentHash()).isNull();
        CheckResult back = check(ok(page("$1")));
        assertThat(back.outcome()).isEqualTo(CheckOutcome.UNCHANGED);

        assertThat(side(ChangeDetector.EVALUATIONS))
                .extracting(Evaluation::outcome, Evaluation::consecutiveFailures)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(CheckOutcome.FIRST, 0),
                        org.assertj.core.groups.Tuple.tuple(CheckOutcome.ERROR, 1),
                        org.assertj.core.groups.Tuple.tuple(CheckOutcome.ERROR, 2),
                        org.assertj.core.groups.Tuple.tuple(CheckOutcome.UNCHANGED, 0));
    }

    @Test
    void checksTheFetchStageDeclinedAreRecordedButAreNoFailureAndEndNoStreak() throws Exception {
        event(new StreamRecord<>(upsert(watch(null, Condition.anyChange(), List.of()))));
        check(ok(page("$1")));
        check(failed(FetchStatus.TIMEOUT, "no response within 10 s"));
        for (FetchStatus busy :
                List.of(FetchStatus.HOST_BUSY, FetchStatus.TENANT_BUSY, FetchStatus.DNS_BUSY)) {
            CheckResult declined = check(failed(busy, "busy"));
            assertThat(declined.outcome()).isEqualTo(CheckOutcome.ERROR);
            assertThat(declined.errorCode()).isEqualTo(busy.name());
        }
        check(failed(FetchStatus.TIMEOUT, "no response within 10 s"));
        CheckResult back = check(ok(page("$1")));
        assertThat(back.outcome()).isEqualTo(CheckOutcome.UNCHANGED);

        // the decider sees the streak 1, 2 across the declined checks, then the recovery
        assertThat(side(ChangeDetector.EVALUATIONS))
                .extracting(Evaluation::outcome, Evaluation::consecutiveFailures)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(CheckOutcome.FIRST, 0),
                        org.assertj.core.groups.Tuple.tuple(CheckOutcome.ERROR, 1),
                        org.assertj.core.groups.Tuple.tuple(CheckOutcome.ERROR, 2),
                        org.assertj.core.groups.Tuple.tuple(CheckOutcome.UNCHANGED, 0));
        assertThat(side(ChangeDetector.STATUS))
                .extracting(StatusUpdate::consecutiveFailures)
                .containsExactly(0, 1, 1, 1, 1, 2, 0);
    }

    @Test
    void aDeclinedFirstCheckLeavesNoState() throws Exception {
        event(new StreamRecord<>(upsert(watch(null, Condition.anyChange(), List.of()))));
        check(failed(FetchStatus.HOST_BUSY, "busy"));
        assertThat(side(ChangeDetector.EVALUATIONS)).isEmpty();
        CheckResult first = check(ok(page("$1")));
        assertThat(first.outcome()).isEqualTo(CheckOutcome.FIRST);
    }

    @Test
    void selectorMatchingNothingIsAnErrorNotAChangeToEmptyText() throws Exception {
        event(new StreamRecord<>(upsert(watch("#price", Condition.anyChange(), List.of()))));
        CheckResult first = check(ok(page("$59.99")));
        assertThat(first.outcome()).isEqualTo(CheckOutcome.FIRST);

        CheckResult gone = check(ok("<html><body><p>Maintenance</p></body></html>"));
        assertThat(gone.outcome()).isEqualTo(CheckOutcome.ERROR);
        assertThat(gone.errorCode()).isEqualTo("SELECTOR_NO_MATCH");
        assertThat(gone.errorMessage()).isEqualTo("selector matched nothing");

        // the element is back with the same price: unchanged against the kept baseline
        assertThat(check(ok(page("$59.99"))).outcome()).isEqualTo(CheckOutcome.UNCHANGED);
    }

    @Test
    void ignorePatternsAndMarkupNoiseAreNotChanges() throws Exception {
        event(
                new StreamRecord<>(
                        upsert(
                                watch(
                                        null,
                                        Condition.anyChange(),
                                        List.of("\\d+ people viewing")))));
        check(ok(page("$5")));
        String noisy =
                page("$5")
                        .replace("42 people viewing", "97 people viewing")
                        .replace("<h1>Widget</h1>", "<h1 class=\"big\">  Widget\n </h1>");
        assertThat(check(ok(noisy)).outcome()).isEqualTo(CheckOutcome.UNCHANGED);
    }

    @Test
    void catastrophicPatternsAndSelectorsRunInLinearTimeOnShortAndLongTexts() throws Exception {
        // each of these backtracks exponentially in java.util.regex (the 37-character text took
        // over 25 s there); RE2/J answers at once, and correctly
        event(
                new StreamRecord<>(
                        upsert(
                                watch(
                                        "p:matches((a+)+b)",
                                        Condition.regex("(a|aa)+$"),
                                        List.of("(x+x+)+y")))));
        for (int n : new int[] {37, 20_000}) {
            String a = "a".repeat(n);
            String x = "x".repeat(n);
            CheckResult r = check(ok("<p>" + a + "b " + x + "</p><p>" + a + "</p>"));
            assertThat(r.outcome()).isIn(CheckOutcome.FIRST, CheckOutcome.CHANGED);
            assertThat(side(ChangeDetector.EVALUATIONS))
                    .last()
                    .satisfies(
                            e -> {
                                // the ignore pattern removed nothing (no y), the condition
                                // needs the text to end in a's: it ends in x's
                                assertThat(e.conditionMet()).isFalse();
                                assertThat(e.excerpt()).startsWith("a");
                            });
        }
    }

    @Test
    void patternsBeyondTheCheckBudgetAreAnErrorNamingTheFieldAndOtherChecksGoOn() throws Exception {
        // a budget of zero is used up at the first look at the clock (after 256 reads of page
        // text): deterministic on any machine, where a real budget would depend on its speed
        try (var zero =
                ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(
                        new ChangeDetector(
                                60,
                                new ChangeDetector.Limits(2000, 4000, 2000, Duration.ZERO),
                                Duration.ofHours(1)),
                        MonitorEvent::monitorId,
                        r -> r.request().monitorId(),
                        UuidTypeInfo.INSTANCE)) {
            UUID ignoring = UUID.randomUUID();
            UUID matching = UUID.randomUUID();
            UUID plain = UUID.randomUUID();
            List<MonitorSpec> specs =
                    List.of(
                            watch(
                                    ignoring,
                                    (String) null,
                                    Condition.anyChange(),
                                    List.of("(.*a){20}z", "x")),
                            watch(
                                    matching,
                                    (String) null,
                                    Condition.regex("(.*a){20}z"),
                                    List.of()),
                            watch(plain, (String) null, Condition.anyChange(), List.of()));
            for (MonitorSpec spec : specs) {
                scheduled(spec);
                zero.processElement1(new StreamRecord<>(upsert(spec)));
            }
            String longPage = "<p>" + "a".repeat(20_000) + "</p>";
            for (int round = 0; round < 2; round++) {
                for (MonitorSpec spec : specs) {
                    CheckRequest r =
                            new CheckRequest(
                                    spec.id(),
                                    TestSpecs.TENANT,
                                    1,
                                    URL,
                                    null,
                                    null,
                                    T0.plusSeconds(300L * round),
                                    null,
                                    null,
                                    null,
                                    null);
                    zero.processElement2(new StreamRecord<>(readZero(ok(r, longPage))));
                }
            }
            List<CheckResult> results = zero.extractOutputValues();
            assertThat(results).hasSize(6);
            for (int round = 0; round < 2; round++) {
                // the same bytes again: the same error, without running the patterns again
                assertThat(results.get(3 * round))
                        .satisfies(
                                r -> {
                                    assertThat(r.outcome()).isEqualTo(CheckOutcome.ERROR);
                                    assertThat(r.errorCode()).isEqualTo("PATTERN_BUDGET_EXCEEDED");
                                    assertThat(r.errorMessage())
                                            .isEqualTo(
                                                    "the patterns of this check ran longer than 0"
                                                            + " ms (stopped in ignore[0])");
                                });
                assertThat(results.get(3 * round + 1))
                        .satisfies(
                                r -> {
                                    assertThat(r.errorCode()).isEqualTo("PATTERN_BUDGET_EXCEEDED");
                                    assertThat(r.errorMessage())
                                            .endsWith("(stopped in condition.pattern)");
                                });
            }
            assertThat(results.get(2).outcome()).isEqualTo(CheckOutcome.FIRST);
            assertThat(results.get(5).outcome()).isEqualTo(CheckOutcome.UNCHANGED);
            assertThat(zero.getSideOutput(ChangeDetector.STATUS))
                    .extracting(st -> st.getValue().lastError())
                    .contains(
                            "PATTERN_BUDGET_EXCEEDED: the patterns of this check ran longer than 0"
                                    + " ms (stopped in ignore[0])");

            for (MonitorSpec spec : specs) {
                zero.processElement1(new StreamRecord<>(TestSpecs.delete(spec)));
            }
            assertThat(zero.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void aStoredSpecThatNoLongerCompilesIsAVisibleErrorNamingTheField() throws Exception {
        // held in state since before patterns became RE2: Java's lookbehind, which today's
        // validator (and so the gate) would reject; it is put into state as a restore would
        MonitorSpec legacy = watch(null, Condition.anyChange(), List.of("(?<=\\$)\\d+"));
        var operator = (AbstractStreamOperator<?>) harness.getOperator();
        operator.setCurrentKey(id);
        operator.getKeyedStateStore()
                .getState(new ValueStateDescriptor<>("spec", FlinkTypes.info(MonitorSpec.class)))
                .update(legacy);
        scheduled(legacy);

        CheckResult r = check(ok(page("$1")));
        assertThat(r.outcome()).isEqualTo(CheckOutcome.ERROR);
        assertThat(r.errorCode()).isEqualTo("INVALID_SPEC");
        assertThat(r.errorMessage())
                .contains("ignore[0]")
                .contains("lookbehind (?<=) is not supported (patterns use RE2 syntax)");
        check(ok(page("$1")));
        check(ok(page("$1")));
        assertThat(side(ChangeDetector.STATUS))
                .last()
                .satisfies(
                        st -> assertThat(st.lastError()).startsWith("INVALID_SPEC: {ignore[0]="));

        // the decider turns the failing streak into a MONITOR_FAILING alert that says why
        try (var decider =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new AlertDecider(3, Duration.ZERO),
                        Evaluation::monitorId,
                        UuidTypeInfo.INSTANCE)) {
            for (Evaluation e : side(ChangeDetector.EVALUATIONS)) {
                decider.processElement(new StreamRecord<>(e));
            }
            assertThat(decider.extractOutputValues())
                    .singleElement()
                    .satisfies(
                            alert -> {
                                assertThat(alert.kind()).isEqualTo(AlertKind.MONITOR_FAILING);
                                assertThat(alert.reason()).contains("ignore[0]");
                            });
        }

        // a valid edit runs again
        event(
                new StreamRecord<>(
                        upsert(watch(null, Condition.anyChange(), List.of()).withVersion(2))));
        assertThat(check(ok(page("$1"))).outcome()).isEqualTo(CheckOutcome.FIRST);
    }

    @Test
    void controlCharactersOfAPageNeverReachAnOutput() throws Exception {
        event(new StreamRecord<>(upsert(watch(null, Condition.llm("any news?"), List.of()))));
        String dirty = "Price\u0000 \u0001$5\u001B[31m\uD800 🎉\u0085";
        check(okPlain("line one\n" + dirty + "\nend"));
        CheckResult changed = check(okPlain("line one\n" + dirty.replace("$5", "$6") + "\nend"));
        assertThat(changed.outcome()).isEqualTo(CheckOutcome.CHANGED);
        assertThat(changed.diff()).isEqualTo("- Price $5[31m 🎉\n+ Price $6[31m 🎉");

        List<String> texts = new java.util.ArrayList<>();
        for (CheckResult r : harness.extractOutputValues()) {
            texts.add(r.diff());
            texts.add(r.errorMessage());
        }
        for (Evaluation e : side(ChangeDetector.EVALUATIONS)) {
            texts.add(e.excerpt());
            texts.add(e.diff());
            texts.add(e.reason());
        }
        side(ChangeDetector.LLM_REQUESTS).forEach(l -> texts.add(l.currentText() + l.diff()));
        side(ChangeDetector.STATUS).forEach(st -> texts.add(st.lastError()));
        assertThat(texts.stream().filter(java.util.Objects::nonNull))
                .isNotEmpty()
                .allSatisfy(
                        t -> {
                            assertThat(t).doesNotContain("\u0000", "\u0001", "\u001B", "\u0085");
                            assertThat(TextSanitizer.clean(t)).isEqualTo(t);
                        });

        // a server's error text is page-derived too
        CheckResult failed = check(failed(FetchStatus.HTTP_ERROR, "HTTP 500 \u0000boom\u0007"));
        assertThat(failed.errorMessage()).isEqualTo("HTTP 500 boom");

        event(
                new StreamRecord<>(
                        TestSpecs.delete(watch(null, Condition.llm("any news?"), List.of()))));
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void ruleConditionsAreDecidedOnBaselinesAndChangesOnly() throws Exception {
        event(
                new StreamRecord<>(
                        upsert(watch("#price", Condition.contains("$49", false), List.of()))));
        check(ok(page("$59.99")));
        check(ok(page("$59.99")));
        check(ok(page("$49.99")));
        assertThat(side(ChangeDetector.EVALUATIONS))
                .extracting(Evaluation::outcome, Evaluation::conditionMet)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(CheckOutcome.FIRST, false),
                        org.assertj.core.groups.Tuple.tuple(CheckOutcome.CHANGED, true));
        assertThat(side(ChangeDetector.LLM_REQUESTS)).isEmpty();
    }

    @Test
    void llmConditionsSendOnlyChangedContentToTheLlm() throws Exception {
        event(
                new StreamRecord<>(
                        upsert(watch("#price", Condition.llm("price below $50"), List.of()))));
        check(ok(page("$59.99")));
        check(ok(page("$59.99")));
        CheckResult changed = check(ok(page("$49.99")));
        assertThat(side(ChangeDetector.LLM_REQUESTS))
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat(r.condition()).isEqualTo("price below $50");
                            assertThat(r.currentText()).isEqualTo("$49.99");
                            assertThat(r.diff()).isEqualTo("- $59.99\n+ $49.99");
                            assertThat(r.contentHash()).isEqualTo(changed.contentHash());
                        });
        // the detector does not decide llm conditions itself
        assertThat(side(ChangeDetector.EVALUATIONS))
                .allSatisfy(e -> assertThat(e.conditionMet()).isNull());
    }

    @Test
    void storedTextIsCapped() throws Exception {
        event(new StreamRecord<>(upsert(watch(null, Condition.anyChange(), List.of()))));
        String longLine = "x".repeat(10_000);
        check(ok("<p>" + longLine + "</p>"));
        CheckResult changed = check(ok("<p>" + longLine + "y</p>"));
        // the change is beyond the 2,000-character cap: still detected by the full-text hash
        assertThat(changed.outcome()).isEqualTo(CheckOutcome.CHANGED);
    }

    @Test
    void statusRowsAreWrittenOnNewsAndThrottledWhileNothingHappens() throws Exception {
        event(new StreamRecord<>(upsert(watch(null, Condition.anyChange(), List.of()))));
        check(ok(page("$1")));
        check(ok(page("$1")));
        check(ok(page("$1")));
        check(ok(page("$1")));
        check(ok(page("$2")));
        assertThat(side(ChangeDetector.STATUS))
                .extracting(StatusUpdate::lastOutcome)
                .containsExactly(CheckOutcome.FIRST, CheckOutcome.UNCHANGED, CheckOutcome.CHANGED);
    }

    @Test
    void deleteClearsAllStateAndLateResultsAreDropped() throws Exception {
        MonitorSpec spec = watch(null, Condition.anyChange(), List.of());
        event(new StreamRecord<>(upsert(spec)));
        check(ok(page("$1")));
        assertThat(harness.numKeyedStateEntries()).isGreaterThan(0);

        event(new StreamRecord<>(TestSpecs.delete(spec)));
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(side(ChangeDetector.EVALUATIONS))
                .last()
                .satisfies(e -> assertThat(e.kind()).isEqualTo(Evaluation.Kind.FORGET));

        int before = harness.extractOutputValues().size();
        harness.processElement2(new StreamRecord<>(read(ok(page("$2")))));
        assertThat(harness.extractOutputValues()).hasSize(before);
        // the late result waits briefly for a spec that never comes, then nothing is left
        harness.setProcessingTime(harness.getProcessingTime() + Duration.ofMinutes(10).toMillis());
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    private <V> org.apache.flink.api.common.state.MapState<String, V> sourceState(
            org.apache.flink.api.common.state.MapStateDescriptor<String, V> descriptor) {
        var operator = (AbstractStreamOperator<?>) harness.getOperator();
        operator.setCurrentKey(id);
        return operator.getKeyedStateStore().getMapState(descriptor);
    }

    @Test
    void anUnchangedCheckRewritesOnlyTheHotStateNeverTheTextCopy() throws Exception {
        event(new StreamRecord<>(upsert(watch(null, Condition.anyChange(), List.of()))));
        check(ok(page("$1")));
        var texts = sourceState(SourceStore.textsDescriptor());
        var hot = sourceState(SourceStore.checksDescriptor());
        assertThat(texts.get(URL)).contains("$1");
        // a marker only a write could remove: the copy as the FIRST check stored it, renamed
        String marker = texts.get(URL).replace("Widget", "Marker");
        texts.put(URL, marker);
        SourceCheck before = hot.get(URL);

        // different bytes (the script's token), same text; then the same bytes; then a 304
        assertThat(check(ok(page("$1"))).outcome()).isEqualTo(CheckOutcome.UNCHANGED);
        String fixed = page("$1");
        assertThat(check(ok(fixed)).outcome()).isEqualTo(CheckOutcome.UNCHANGED);
        assertThat(check(ok(fixed)).outcome()).isEqualTo(CheckOutcome.UNCHANGED);
        assertThat(check(failed(FetchStatus.NOT_MODIFIED, "304")).outcome())
                .isEqualTo(CheckOutcome.UNCHANGED);
        assertThat(sourceState(SourceStore.textsDescriptor()).get(URL)).isEqualTo(marker);
        assertThat(sourceState(SourceStore.checksDescriptor()).get(URL).lastFetchStartedAt())
                .isAfter(before.lastFetchStartedAt());

        // new content rewrites the copy, and the diff was taken against the stored copy
        CheckResult changed = check(ok(page("$2")));
        assertThat(changed.outcome()).isEqualTo(CheckOutcome.CHANGED);
        assertThat(changed.diff()).contains("- Marker").contains("+ $2");
        assertThat(sourceState(SourceStore.textsDescriptor()).get(URL))
                .contains("$2")
                .doesNotContain("Marker");

        event(new StreamRecord<>(TestSpecs.delete(watch(null, Condition.anyChange(), List.of()))));
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void aSourceOfTheOldOneValueLayoutMovesOverOnItsFirstCheck() throws Exception {
        event(new StreamRecord<>(upsert(watch("#price", Condition.anyChange(), List.of()))));
        check(ok(page("$1")));
        var hot = sourceState(SourceStore.checksDescriptor());
        var texts = sourceState(SourceStore.textsDescriptor());
        SourceCheck c = hot.get(URL);
        String text = texts.get(URL);
        // as a savepoint of the old layout restores it
        hot.clear();
        texts.clear();
        sourceState(SourceStore.legacyDescriptor())
                .put(
                        URL,
                        new SourceState(
                                "an older body",
                                c.contentHash(),
                                text,
                                c.lastOutcome(),
                                null,
                                null,
                                0,
                                c.lastChangeAt(),
                                c.contentVersion(),
                                null));

        CheckResult same = check(ok(page("$1")));
        assertThat(same.outcome()).isEqualTo(CheckOutcome.UNCHANGED);
        assertThat(sourceState(SourceStore.legacyDescriptor()).isEmpty()).isTrue();
        assertThat(sourceState(SourceStore.textsDescriptor()).get(URL)).isEqualTo(text);
        assertThat(sourceState(SourceStore.checksDescriptor()).get(URL).contentVersion())
                .isEqualTo(c.contentVersion());
        assertThat(check(ok(page("$2"))).diff()).isEqualTo("- $1\n+ $2");

        event(
                new StreamRecord<>(
                        TestSpecs.delete(watch("#price", Condition.anyChange(), List.of()))));
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void aResultThatArrivesBeforeItsSpecWaitsForIt() throws Exception {
        // a new monitor: the scheduler's first fetch is faster than the event on this input
        scheduled(watch("#price", Condition.anyChange(), List.of()));
        FetchResult first = ok(page("$1"));
        harness.processElement2(new StreamRecord<>(read(first)));
        assertThat(harness.extractOutputValues()).isEmpty();
        event(new StreamRecord<>(upsert(watch("#price", Condition.anyChange(), List.of()))));
        assertThat(harness.extractOutputValues())
                .extracting(CheckResult::outcome)
                .containsExactly(CheckOutcome.FIRST);
        assertThat(harness.numProcessingTimeTimers()).isZero();
        assertThat(check(ok(page("$1"))).outcome()).isEqualTo(CheckOutcome.UNCHANGED);
    }

    @Test
    void changingTheSelectorTakesANewBaseline() throws Exception {
        event(new StreamRecord<>(upsert(watch("#price", Condition.anyChange(), List.of()))));
        check(ok(page("$1")));
        MonitorSpec v2 = watch("h1", Condition.anyChange(), List.of()).withVersion(2);
        event(new StreamRecord<>(upsert(v2)));
        assertThat(check(ok(page("$1"))).outcome()).isEqualTo(CheckOutcome.FIRST);
    }

    @Test
    void switchingToBrowserRenderingTakesANewBaselineAndIgnoresPlainFetchesOfTheOldSpec()
            throws Exception {
        event(new StreamRecord<>(upsert(watch("#price", Condition.anyChange(), List.of()))));
        check(ok(page("$1")));
        CheckRequest plainUnderV1 = withSelector(request(), "#price", List.of());
        checks++;
        MonitorSpec v2 =
                watch(id, Source.browser(URL, "#price"), Condition.anyChange(), List.of())
                        .withVersion(2);
        event(new StreamRecord<>(upsert(v2)));
        int results = harness.extractOutputValues().size();
        // fetched over plain HTTP under v1: the rendered page's text is not comparable with it
        harness.processElement2(
                new StreamRecord<>(extractor.extract(ok(plainUnderV1, page("$2")))));
        assertThat(harness.extractOutputValues()).hasSize(results);
        CheckResult rendered = check(ok(page("$2")));
        assertThat(rendered.outcome()).isEqualTo(CheckOutcome.FIRST);
        assertThat(check(ok(page("$3"))).outcome()).isEqualTo(CheckOutcome.CHANGED);
    }

    @Test
    void aScreenshotIsKeptWithChangesOnly() throws Exception {
        Source shots = new Source(URL, "#price", Render.BROWSER, true);
        event(new StreamRecord<>(upsert(watch(id, shots, Condition.anyChange(), List.of()))));
        byte[] jpeg = {(byte) 0xff, (byte) 0xd8, (byte) 0xff, 1};
        assertThat(check(withScreenshot(ok(page("$1")), jpeg)).screenshot()).isNull(); // FIRST
        assertThat(check(withScreenshot(ok(page("$1")), jpeg)).screenshot()).isNull(); // UNCHANGED
        CheckResult changed = check(withScreenshot(ok(page("$2")), jpeg));
        assertThat(changed.outcome()).isEqualTo(CheckOutcome.CHANGED);
        assertThat(changed.screenshot()).isEqualTo(jpeg);
        assertThat(new String(ModelCodec.toJsonBytes(changed))).doesNotContain("screenshot");
    }

    @Test
    void aTextReadWithTheSelectorOfAnOlderSpecIsIgnored() throws Exception {
        event(new StreamRecord<>(upsert(watch("#price", Condition.anyChange(), List.of()))));
        check(ok(page("$1")));
        CheckRequest scheduledUnderV1 = withSelector(request(), "#price", List.of());
        checks++;
        event(
                new StreamRecord<>(
                        upsert(watch("h1", Condition.anyChange(), List.of()).withVersion(2))));
        int results = harness.extractOutputValues().size();
        // read at the fetch stage with the old selector: not comparable with the new baseline
        harness.processElement2(
                new StreamRecord<>(extractor.extract(ok(scheduledUnderV1, page("$2")))));
        assertThat(harness.extractOutputValues()).hasSize(results);
        assertThat(check(ok(page("$2"))).outcome()).isEqualTo(CheckOutcome.FIRST);
    }

    @Test
    void anOldFetchResultOvertakenByANewerOneIsIgnored() throws Exception {
        event(new StreamRecord<>(upsert(watch("#price", Condition.anyChange(), List.of()))));
        check(ok(page("$1")));
        CheckRequest older = request();
        checks++;
        CheckRequest newer = request();
        checks++;
        assertThat(check(ok(newer, page("$2"))).outcome()).isEqualTo(CheckOutcome.CHANGED);
        int results = harness.extractOutputValues().size();
        int evaluations = side(ChangeDetector.EVALUATIONS).size();

        // the slower fetch of the earlier check arrives last, with the old price
        harness.processElement2(new StreamRecord<>(read(ok(older, page("$1")))));
        assertThat(harness.extractOutputValues()).hasSize(results);
        assertThat(side(ChangeDetector.EVALUATIONS)).hasSize(evaluations);
        // and the state still holds $2: the next check of $2 is unchanged
        assertThat(check(ok(page("$2"))).outcome()).isEqualTo(CheckOutcome.UNCHANGED);
    }

    @Test
    void anOldCheckWhoseFetchStartedLaterReadsNewerContentAndCounts() throws Exception {
        event(new StreamRecord<>(upsert(watch("#price", Condition.anyChange(), List.of()))));
        check(ok(page("$1")));
        CheckRequest older = request();
        checks++;
        CheckRequest newer = request();
        checks++;
        check(ok(newer, page("$2")));
        // the older check waited (politeness, a restore) and fetched after the newer one
        FetchResult late = ok(older, page("$3"));
        late =
                new FetchResult(
                        late.request(),
                        late.status(),
                        late.httpStatus(),
                        late.finalUrl(),
                        late.contentType(),
                        late.charset(),
                        late.body(),
                        late.etag(),
                        late.lastModified(),
                        newer.scheduledAt().plusSeconds(1),
                        newer.scheduledAt().plusSeconds(2),
                        late.latencyMs(),
                        late.attempts(),
                        late.redirects(),
                        late.bodyBytes(),
                        late.message(),
                        null);
        assertThat(check(late).outcome()).isEqualTo(CheckOutcome.CHANGED);
    }

    @Test
    void rulesSeeTheWholeTextNotTheCappedCopy() throws Exception {
        String filler = "<p>" + "lorem ipsum ".repeat(400) + "</p>"; // ~4,800 chars > cap 2,000
        event(
                new StreamRecord<>(
                        upsert(watch(null, Condition.contains("In stock", false), List.of()))));
        check(ok("<html><body>" + filler + "<p>Sold out</p></body></html>"));
        check(ok("<html><body>" + filler + "<p>In stock</p></body></html>"));
        assertThat(side(ChangeDetector.EVALUATIONS))
                .extracting(Evaluation::outcome, Evaluation::conditionMet)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(CheckOutcome.FIRST, false),
                        org.assertj.core.groups.Tuple.tuple(CheckOutcome.CHANGED, true));

        // not_contains past the cap: the text is there, so the condition is false
        MonitorSpec notContains =
                watch(null, Condition.notContains("In stock", false), List.of()).withVersion(2);
        event(new StreamRecord<>(upsert(notContains)));
        check(ok("<html><body>" + filler + "<p>In stock, 3 left</p></body></html>"));
        assertThat(side(ChangeDetector.EVALUATIONS))
                .last()
                .extracting(Evaluation::conditionMet)
                .isEqualTo(false);
    }

    @Test
    void contentVersionsCountEveryNewContentAndNeverGoBack() throws Exception {
        event(new StreamRecord<>(upsert(watch("#price", Condition.anyChange(), List.of()))));
        check(ok(page("$1")));
        check(ok(page("$1")));
        check(ok(page("$2")));
        check(failed(FetchStatus.TIMEOUT, "timed out"));
        // a new selector drops the baseline but not the version counter
        event(
                new StreamRecord<>(
                        upsert(watch("h1", Condition.anyChange(), List.of()).withVersion(2))));
        check(ok(page("$2")));
        assertThat(side(ChangeDetector.EVALUATIONS))
                .filteredOn(e -> e.kind() == Evaluation.Kind.CHECK)
                .extracting(Evaluation::outcome, Evaluation::contentVersion)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(CheckOutcome.FIRST, 1L),
                        org.assertj.core.groups.Tuple.tuple(CheckOutcome.CHANGED, 2L),
                        org.assertj.core.groups.Tuple.tuple(CheckOutcome.ERROR, 2L),
                        org.assertj.core.groups.Tuple.tuple(CheckOutcome.FIRST, 3L));
    }

    @Test
    void aRejectedSpecIsAVisibleErrorAndTheMonitorStops() throws Exception {
        event(new StreamRecord<>(upsert(watch(null, Condition.anyChange(), List.of()))));
        check(ok(page("$1")));
        MonitorSpec tooFast = watch(null, Condition.anyChange(), List.of()).withVersion(2);
        tooFast =
                new MonitorSpec(
                        tooFast.id(),
                        tooFast.tenantId(),
                        2,
                        tooFast.name(),
                        tooFast.sources(),
                        10,
                        tooFast.condition(),
                        tooFast.ignore(),
                        null,
                        MonitorStatus.ACTIVE);
        event(new StreamRecord<>(upsert(tooFast)));
        assertThat(side(ChangeDetector.STATUS))
                .last()
                .satisfies(
                        st -> {
                            assertThat(st.lastOutcome()).isEqualTo(CheckOutcome.ERROR);
                            assertThat(st.lastError())
                                    .startsWith("INVALID_SPEC")
                                    .contains("interval");
                        });
    }
}
