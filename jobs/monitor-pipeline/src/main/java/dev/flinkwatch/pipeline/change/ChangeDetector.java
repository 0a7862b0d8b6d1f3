package dev.flinkwatch.pipeline.change;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.flinkwatch.extraction.ExtractionError;
import dev.flinkwatch.extraction.LineDiff;
import dev.flinkwatch.extraction.PatternBudget;
import dev.flinkwatch.extraction.Patterns;
import dev.flinkwatch.extraction.RuleEvaluator;
import dev.flinkwatch.extraction.TextSanitizer;
import dev.flinkwatch.fetch.FetchStatus;
import dev.flinkwatch.flink.FlinkTypes;
import dev.flinkwatch.llm.LlmRequest;
import dev.flinkwatch.model.CheckOutcome;
import dev.flinkwatch.model.CheckRequest;
import dev.flinkwatch.model.CheckResult;
import dev.flinkwatch.model.ConditionType;
import dev.flinkwatch.model.MonitorEvent;
import dev.flinkwatch.model.MonitorSpec;
import dev.flinkwatch.model.MonitorSpecValidator;
import dev.flinkwatch.model.Source;
import dev.flinkwatch.model.ValidationLimits;
import dev.flinkwatch.pipeline.alert.Evaluation;
import dev.flinkwatch.pipeline.fetch.FetchedText;
import dev.flinkwatch.pipeline.spec.SpecGate;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Compares each fetched page's text with the last one of the same source (keyed by monitor id; the
 * monitor's spec arrives on the first input, the fetch stage's {@link FetchedText} on the second:
 * the page was read into its text where it was fetched, so only text and hashes get here). Emits a
 * {@link CheckResult} for every check: FIRST (baseline, never an alert), UNCHANGED (also for 304),
 * CHANGED (with a line diff) or ERROR (fetch errors pass through; a selector that matches nothing
 * is an error, not a change to empty text). Side outputs carry what the alert decider needs, the
 * LLM requests for llm conditions, and the monitor_status rows.
 *
 * <p>Order: under a backlog two fetches of one source can be in flight and the fetch operator is
 * unordered, so a result whose fetch started no later than that of the newest one applied is
 * ignored ({@code staleResults}); the validator memory keeps the same order, so a 304 always refers
 * to the content this state holds. Every new content gets the next content version; evaluations and
 * LLM requests carry it, so the decider can ignore answers about older content. Rules see the whole
 * extracted text; only the stored copy for diffs is capped.
 *
 * <p>State per source ({@link SourceStore}): a small hot value (hashes, outcome, counters) that a
 * check rewrites only when it differs, and the text copy for diffs, written only with new content
 * (FIRST, CHANGED) and read only to diff or to show a recovery; an UNCHANGED check never touches
 * it.
 *
 * <p>Hostile input: the fetch stage sanitizes every page-derived string ({@link TextSanitizer})
 * before it leaves for this operator, so no NUL or control character gets to state or a sink.
 * Extraction, patterns and diffs are bounded ({@link Limits}, {@code PageText}, RE2/J); the
 * selector, ignore patterns (run at the fetch stage) and regex condition (run here) of one check
 * share one {@link PatternBudget}, and running out of it is an ERROR {@code
 * PATTERN_BUDGET_EXCEEDED} naming the field, decided before any output. A text extracted with
 * another selector or ignore list than the spec's (a request of an older spec whose edit dropped
 * the baseline) is ignored as stale: it was read differently. A spec held in state that today's
 * validator rejects (stored before a rule tightened, e.g. a Java-only regex) makes each check of it
 * an ERROR {@code INVALID_SPEC} naming the fields, never a failed job.
 */
public class ChangeDetector
        extends KeyedCoProcessFunction<UUID, MonitorEvent, FetchedText, CheckResult> {
    public static final OutputTag<Evaluation> EVALUATIONS =
            new OutputTag<>("evaluations", FlinkTypes.info(Evaluation.class));
    public static final OutputTag<LlmRequest> LLM_REQUESTS =
            new OutputTag<>("llm-requests", FlinkTypes.info(LlmRequest.class));
    public static final OutputTag<StatusUpdate> STATUS =
            new OutputTag<>("status", FlinkTypes.info(StatusUpdate.class));

    private static final int EXCERPT_CHARS = 500;
    private static final int MAX_EARLY = 8;
    private static final long EARLY_TTL_MILLIS = 10 * 60_000;
    private static final int COMPILED_PATTERNS = 10_000;
    private static final int VALIDATED_SPECS = 100_000;

    /**
     * Cost bounds of one check.
     *
     * @param maxTextChars cap of the stored normalized text per source
     * @param maxDiffChars cap of a diff
     * @param maxDiffLines most changed lines per side that are diffed line by line
     * @param patternBudget time one check's user patterns may run together ({@link PatternBudget},
     *     shared with the fetch stage's extraction); beyond it the check is an ERROR {@code
     *     PATTERN_BUDGET_EXCEEDED}
     */
    public record Limits(
            int maxTextChars, int maxDiffChars, int maxDiffLines, Duration patternBudget)
            implements Serializable {}

    private final int minIntervalSeconds;
    private final Limits limits;
    private final long statusRefreshMillis;

    private transient ValueState<MonitorSpec> spec;
    private transient SourceStore sources;
    private transient ValueState<Long> statusWrittenAt;
    private transient ListState<FetchedText> early;
    private transient ValueState<Long> earlyExpiry;
    private transient Patterns patterns;
    private transient SpecGate gate;
    private transient MonitorSpecValidator validator;
    private transient Cache<String, Map<String, String>> specProblems;
    private transient CheckMetrics metrics;
    private transient Counter orphanResults;
    private transient Counter staleResults;

    /**
     * @param minIntervalSeconds the interval floor (specs are admitted by the same {@link SpecGate}
     *     as the scheduler's)
     * @param limits cost bounds of one check
     * @param statusRefresh how often an unchanged monitor's status row is rewritten (zero: every
     *     check); rows are always written when the outcome, error or content changes
     */
    public ChangeDetector(int minIntervalSeconds, Limits limits, Duration statusRefresh) {
        this.minIntervalSeconds = minIntervalSeconds;
        this.limits = limits;
        this.statusRefreshMillis = statusRefresh.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        spec =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "spec", FlinkTypes.info(MonitorSpec.class)));
        sources = new SourceStore(getRuntimeContext());
        statusWrittenAt =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("status-written-at", Types.LONG));
        early =
                getRuntimeContext()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "early-checks", FlinkTypes.info(FetchedText.class)));
        earlyExpiry =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("early-expiry", Types.LONG));
        patterns = new Patterns(COMPILED_PATTERNS);
        gate = new SpecGate(minIntervalSeconds);
        validator = new MonitorSpecValidator(new ValidationLimits(minIntervalSeconds));
        specProblems = Caffeine.newBuilder().maximumSize(VALIDATED_SPECS).build();
        metrics = new CheckMetrics(getRuntimeContext().getMetricGroup());
        orphanResults = metrics.orphanResults;
        staleResults = metrics.staleResults;
    }

    @Override
    public void processElement1(MonitorEvent event, Context ctx, Collector<CheckResult> out)
            throws Exception {
        MonitorSpec current = spec.value();
        if (event.isDelete()) {
            spec.clear();
            sources.clear();
            statusWrittenAt.clear();
            clearEarly(ctx);
            ctx.output(EVALUATIONS, Evaluation.forget(event.monitorId(), event.tenantId(), null));
            return;
        }
        MonitorSpec incoming = event.spec();
        SpecGate.Decision decision = gate.admit(current, incoming);
        if (decision.kind() == SpecGate.Kind.STALE) {
            return;
        }
        if (decision.kind() == SpecGate.Kind.REJECTED) {
            if (decision.spec() != null) {
                spec.update(decision.spec()); // held paused: the scheduler stopped it too
                drainEarly(decision.spec(), ctx, out);
            }
            Instant now = Instant.ofEpochMilli(ctx.timerService().currentProcessingTime());
            ctx.output(
                    STATUS,
                    new StatusUpdate(
                            incoming.id(),
                            incoming.tenantId(),
                            now,
                            CheckOutcome.ERROR,
                            "INVALID_SPEC: " + decision.errors(),
                            0,
                            null));
            return;
        }
        spec.update(incoming);
        if (current == null) {
            drainEarly(incoming, ctx, out);
            return;
        }
        // A source whose selector, render mode or ignore patterns changed gets a new baseline:
        // comparing texts read differently would report a change the page never had.
        Map<String, Source> newSources = new HashMap<>();
        for (Source s : incoming.sources()) {
            newSources.put(s.url(), s);
        }
        boolean ignoreChanged = !current.ignore().equals(incoming.ignore());
        boolean conditionChanged = !Objects.equals(current.condition(), incoming.condition());
        for (Source old : current.sources()) {
            boolean removed = !newSources.containsKey(old.url());
            if (removed) {
                sources.remove(old.url());
            } else if (ignoreChanged || !old.readsLike(newSources.get(old.url()))) {
                SourceCheck state = sources.check(old.url());
                if (state != null) {
                    sources.dropBaseline(old.url(), state);
                }
            }
            if (removed || conditionChanged) {
                ctx.output(
                        EVALUATIONS,
                        Evaluation.forget(incoming.id(), incoming.tenantId(), old.url()));
            }
        }
        drainEarly(incoming, ctx, out);
    }

    @Override
    public void processElement2(FetchedText fetch, Context ctx, Collector<CheckResult> out)
            throws Exception {
        MonitorSpec current = spec.value();
        if (current == null || fetch.request().specVersion() > current.version()) {
            park(fetch, ctx);
            return;
        }
        apply(fetch, current, ctx, out);
    }

    /**
     * A result of a spec version whose event has not arrived on the other input yet (the scheduler
     * saw it first: a new monitor, an edit) waits for it, briefly: processing it under the older
     * spec, or dropping it, would leave the source without the baseline its validators promise.
     */
    private void park(FetchedText fetch, Context ctx) throws Exception {
        List<FetchedText> waiting = new ArrayList<>();
        early.get().forEach(waiting::add);
        if (waiting.size() >= MAX_EARLY) {
            orphanResults.inc();
            return;
        }
        early.add(fetch);
        if (earlyExpiry.value() == null) {
            long at = ctx.timerService().currentProcessingTime() + EARLY_TTL_MILLIS;
            ctx.timerService().registerProcessingTimeTimer(at);
            earlyExpiry.update(at);
        }
    }

    /** Processes the parked results the spec now covers (in due order); the rest keep waiting. */
    private void drainEarly(MonitorSpec current, Context ctx, Collector<CheckResult> out)
            throws Exception {
        List<FetchedText> waiting = new ArrayList<>();
        early.get().forEach(waiting::add);
        if (waiting.isEmpty()) {
            return;
        }
        waiting.sort(Comparator.comparing(r -> r.request().scheduledAt()));
        List<FetchedText> still = new ArrayList<>();
        for (FetchedText r : waiting) {
            if (r.request().specVersion() <= current.version()) {
                apply(r, current, ctx, out);
            } else {
                still.add(r);
            }
        }
        if (still.isEmpty()) {
            clearEarly(ctx);
        } else {
            early.update(still);
        }
    }

    private void clearEarly(Context ctx) throws Exception {
        Long at = earlyExpiry.value();
        if (at != null) {
            ctx.timerService().deleteProcessingTimeTimer(at);
        }
        early.clear();
        earlyExpiry.clear();
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<CheckResult> out)
            throws Exception {
        Long at = earlyExpiry.value();
        if (at != null && at == timestamp) {
            // the spec never came: the monitor was deleted while these fetches ran
            early.get().forEach(r -> orphanResults.inc());
            early.clear();
            earlyExpiry.clear();
        }
    }

    private void apply(
            FetchedText fetch, MonitorSpec current, Context ctx, Collector<CheckResult> out)
            throws Exception {
        CheckRequest request = fetch.request();
        Source source =
                current.sources().stream()
                        .filter(s -> s.url().equals(request.url()))
                        .findFirst()
                        .orElse(null);
        if (source == null) {
            orphanResults.inc(); // the monitor or source was deleted while the fetch was running
            return;
        }
        if (fetch.status() == FetchStatus.OK && !readAsSpecified(request, source, current)) {
            // read with the selector, render mode or ignore list of an older spec, whose edit
            // dropped the
            // baseline: the next request of this spec reads the page as it now says
            staleResults.inc();
            return;
        }
        SourceCheck prev = sources.check(request.url());
        if (prev != null && prev.isNewerThan(fetch.contentStartedAt())) {
            staleResults.inc(); // an older fetch overtaken by a newer one: it must not count
            return;
        }
        if (fetch.status() == FetchStatus.NOT_MODIFIED
                && (prev == null || prev.contentHash() == null)
                && request.specVersion() < current.version()) {
            // a 304 to validators of an older spec, whose baseline the edit dropped: the next
            // request (of this spec, unconditional) takes the new baseline
            staleResults.inc();
            return;
        }
        Check check = classify(fetch, prev, current);
        Instant finishedAt = fetch.finishedAt();
        // a check our own fetch stage declined (busy host, tenant or DNS) says nothing about the
        // page: recorded, but it neither counts as a failure nor ends a streak, nor touches state
        boolean declined = fetch.status().declined();
        int prevFailures = prev == null ? 0 : prev.consecutiveFailures();
        int failures =
                declined
                        ? prevFailures
                        : check.outcome == CheckOutcome.ERROR ? prevFailures + 1 : 0;
        SourceCheck next =
                declined
                        ? prev
                        : check.outcome == CheckOutcome.ERROR
                                ? SourceCheck.afterError(
                                        prev,
                                        check.rawHash,
                                        check.errorCode,
                                        check.errorMessage,
                                        failures,
                                        fetch.contentStartedAt())
                                : SourceCheck.afterSuccess(
                                        prev,
                                        check.outcome,
                                        check.rawHash,
                                        check.contentHash,
                                        finishedAt,
                                        fetch.contentStartedAt());
        if (!declined) {
            // the text copy is written only with new content: an UNCHANGED check rewrites the
            // small hot value at most
            sources.update(
                    request.url(),
                    prev,
                    next,
                    SourceCheck.isNews(check.outcome) ? check.text : null);
        }
        if (check.outcome == CheckOutcome.UNCHANGED
                && prev != null
                && prev.consecutiveFailures() > 0) {
            check.text = sources.text(request.url()); // a recovery shows the page it recovered to
        }
        Instant lastChangeAt = next == null ? null : next.lastChangeAt();

        CheckResult result =
                new CheckResult(
                        request.monitorId(),
                        request.tenantId(),
                        request.url(),
                        request.scheduledAt(),
                        fetch.startedAt(),
                        finishedAt,
                        check.outcome,
                        fetch.httpStatus(),
                        check.outcome == CheckOutcome.ERROR ? null : check.contentHash,
                        check.errorCode,
                        check.errorMessage,
                        fetch.latencyMs() == null ? 0 : fetch.latencyMs(),
                        check.diff,
                        check.outcome == CheckOutcome.CHANGED ? fetch.screenshot() : null);
        out.collect(result);
        metrics.finished(check.outcome, declined);

        if (!declined) {
            emitEvaluation(ctx, current, result, check, prev, next);
        }
        emitStatus(ctx, request, check, prev, failures, finishedAt, lastChangeAt);
    }

    /** What this check concluded, before state and outputs are written. */
    private static final class Check {
        CheckOutcome outcome;
        String rawHash;
        String contentHash;
        String text;
        String fullText;
        String diff;
        Boolean met;
        String reason;
        String errorCode;
        String errorMessage;

        static Check error(String code, String message, String rawHash) {
            Check c = new Check();
            c.outcome = CheckOutcome.ERROR;
            c.errorCode = code;
            c.errorMessage = message;
            c.rawHash = rawHash;
            return c;
        }

        static Check same(SourceCheck prev, String rawHash) {
            Check c = new Check();
            c.outcome = CheckOutcome.UNCHANGED;
            c.rawHash = rawHash;
            c.contentHash = prev.contentHash();
            return c;
        }
    }

    /** Whether the fetch stage read the page with the selector and ignore list of this spec. */
    private static boolean readAsSpecified(CheckRequest request, Source source, MonitorSpec spec) {
        List<String> ignore = request.ignore() == null ? List.of() : request.ignore();
        return request.readsLike(source) && ignore.equals(spec.ignore());
    }

    private Check classify(FetchedText fetch, SourceCheck prev, MonitorSpec current)
            throws Exception {
        Map<String, String> problems =
                specProblems.get(
                        current.id() + "@" + current.version(), k -> validator.validate(current));
        if (!problems.isEmpty()) {
            return Check.error(ExtractionError.INVALID_SPEC.name(), problems.toString(), null);
        }
        boolean hasBaseline = prev != null && prev.contentHash() != null;
        if (fetch.status() == FetchStatus.NOT_MODIFIED) {
            if (prev != null
                    && prev.lastErrorCode() != null
                    && prev.lastOutcome() == CheckOutcome.ERROR
                    && isExtractionError(prev.lastErrorCode())) {
                // same bytes as the last fetch, which could not be read: the same error again
                return Check.error(prev.lastErrorCode(), prev.lastErrorMessage(), prev.rawHash());
            }
            if (!hasBaseline) {
                return Check.error(
                        "NOT_MODIFIED_WITHOUT_BASELINE",
                        "the server answered 304 but no earlier content is known",
                        null);
            }
            return Check.same(prev, prev.rawHash());
        }
        if (fetch.status() != FetchStatus.OK) {
            return Check.error(fetch.status().name(), fetch.message(), null);
        }
        String rawHash = fetch.rawHash();
        if (prev != null && rawHash != null && rawHash.equals(prev.rawHash())) {
            if (prev.lastOutcome() == CheckOutcome.ERROR
                    && isExtractionError(prev.lastErrorCode())) {
                return Check.error(prev.lastErrorCode(), prev.lastErrorMessage(), rawHash);
            }
            if (hasBaseline) {
                return Check.same(prev, rawHash); // byte-identical page: nothing to compare
            }
        }
        if (fetch.error() != null) {
            return Check.error(fetch.error().name(), fetch.errorMessage(), rawHash);
        }
        Check c = new Check();
        c.rawHash = rawHash;
        c.contentHash = fetch.contentHash();
        c.fullText = fetch.text();
        c.text = cap(c.fullText);
        if (!hasBaseline) {
            c.outcome = CheckOutcome.FIRST;
        } else if (c.contentHash.equals(prev.contentHash())) {
            c.outcome = CheckOutcome.UNCHANGED;
        } else {
            c.outcome = CheckOutcome.CHANGED;
            c.diff =
                    LineDiff.between(
                            sources.text(fetch.request().url()),
                            c.text,
                            limits.maxDiffChars(),
                            limits.maxDiffLines());
        }
        boolean decides = c.outcome == CheckOutcome.FIRST || c.outcome == CheckOutcome.CHANGED;
        if (decides && current.condition().type() != ConditionType.LLM) {
            PatternBudget budget =
                    PatternBudget.remainderOf(
                            limits.patternBudget(), fetch.patternNanos(), System::nanoTime);
            try {
                RuleEvaluator.RuleResult rule =
                        RuleEvaluator.evaluate(current.condition(), c.fullText, patterns, budget);
                c.met = rule.met();
                c.reason = rule.reason();
            } catch (PatternBudget.ExceededException e) {
                return Check.error(
                        ExtractionError.PATTERN_BUDGET_EXCEEDED.name(), e.getMessage(), rawHash);
            } catch (RuntimeException e) {
                // defensive: the spec was validated, but a rule that cannot run decides nothing
                c.reason = "condition could not be evaluated: " + e.getMessage();
            }
        }
        return c;
    }

    private static boolean isExtractionError(String code) {
        return ExtractionError.of(code) != null;
    }

    private void emitEvaluation(
            Context ctx,
            MonitorSpec current,
            CheckResult result,
            Check check,
            SourceCheck prev,
            SourceCheck next) {
        boolean recovering =
                check.outcome != CheckOutcome.ERROR
                        && prev != null
                        && prev.consecutiveFailures() > 0;
        boolean decides =
                check.outcome == CheckOutcome.FIRST || check.outcome == CheckOutcome.CHANGED;
        if (!decides && !recovering && check.outcome != CheckOutcome.ERROR) {
            return; // an unchanged page changes nothing for the decider: keep the shuffle small
        }
        ConditionType type = current.condition().type();
        // rules were decided in classify, under the check's pattern budget
        String reason = check.outcome == CheckOutcome.ERROR ? check.errorMessage : check.reason;
        ctx.output(
                EVALUATIONS,
                Evaluation.ofCheck(
                        result,
                        next.contentVersion(),
                        check.met,
                        type != ConditionType.ANY_CHANGE,
                        reason,
                        excerpt(check),
                        next.consecutiveFailures()));
        if (type == ConditionType.LLM && check.outcome == CheckOutcome.CHANGED) {
            ctx.output(
                    LLM_REQUESTS,
                    LlmRequest.forChange(
                            result,
                            current.condition().prompt(),
                            check.text,
                            next.contentVersion()));
        }
    }

    private void emitStatus(
            Context ctx,
            CheckRequest request,
            Check check,
            SourceCheck prev,
            int failures,
            Instant finishedAt,
            Instant lastChangeAt)
            throws Exception {
        Long writtenAt = statusWrittenAt.value();
        long now = finishedAt.toEpochMilli();
        boolean routine =
                check.outcome == CheckOutcome.UNCHANGED
                        && prev != null
                        && prev.lastOutcome() == CheckOutcome.UNCHANGED;
        if (routine && writtenAt != null && now - writtenAt < statusRefreshMillis) {
            return; // nothing new to show; at 333k checks/s every check cannot be a row update
        }
        statusWrittenAt.update(now);
        ctx.output(
                STATUS,
                new StatusUpdate(
                        request.monitorId(),
                        request.tenantId(),
                        finishedAt,
                        check.outcome,
                        check.errorCode == null
                                ? null
                                : check.errorCode + ": " + check.errorMessage,
                        failures,
                        lastChangeAt));
    }

    private String cap(String text) {
        return TextSanitizer.truncate(text, limits.maxTextChars());
    }

    private static String excerpt(Check check) {
        if (check.text == null) {
            return null;
        }
        String source = check.diff != null ? LineDiff.added(check.diff) : "";
        if (source.isEmpty()) {
            source = check.text;
        }
        return source.length() <= EXCERPT_CHARS
                ? source
                : TextSanitizer.truncate(source, EXCERPT_CHARS) + "…";
    }
}
