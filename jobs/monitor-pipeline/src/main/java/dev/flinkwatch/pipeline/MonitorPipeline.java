package dev.flinkwatch.pipeline;

import dev.flinkwatch.fetch.FetchFunction;
import dev.flinkwatch.fetch.FetchResult;
import dev.flinkwatch.flink.FlinkTypes;
import dev.flinkwatch.flink.UuidTypeInfo;
import dev.flinkwatch.llm.LlmRequest;
import dev.flinkwatch.llm.Verdict;
import dev.flinkwatch.llm.VerdictStatus;
import dev.flinkwatch.model.Alert;
import dev.flinkwatch.model.CheckOutcome;
import dev.flinkwatch.model.CheckRequest;
import dev.flinkwatch.model.CheckResult;
import dev.flinkwatch.model.MonitorEvent;
import dev.flinkwatch.pipeline.alert.AlertDecider;
import dev.flinkwatch.pipeline.alert.BudgetNotice;
import dev.flinkwatch.pipeline.alert.Evaluation;
import dev.flinkwatch.pipeline.change.ChangeDetector;
import dev.flinkwatch.pipeline.change.StatusUpdate;
import dev.flinkwatch.pipeline.fetch.ConditionalGetMemory;
import dev.flinkwatch.pipeline.fetch.ExtractFunction;
import dev.flinkwatch.pipeline.fetch.FetchedText;
import dev.flinkwatch.pipeline.fetch.HostPacer;
import dev.flinkwatch.pipeline.schedule.MonitorScheduler;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * The monitor pipeline's topology, built from the sources, async functions and sinks it is given:
 * {@code main} wires the real ones, tests and benchmarks wire theirs. Every stateful operator has a
 * stable uid, so a savepoint of one version restores into the next.
 *
 * <pre>
 * monitor events -> keyBy(monitor) -> MonitorScheduler -> keyBy(host) -> HostPacer
 *   -> async fetch (plain sources) | async render (browser sources, the browser service)
 *   -> Extract (selector, ignore, normalize: text + hashes, chained: bodies stay on the subtask)
 *   (+ checks the pacer skipped) -> keyBy(monitor) [+ monitor events] -> ChangeDetector
 *   -> check results, statuses
 *        evaluations ------------------------------------------+
 *        LLM requests -> keyBy(condition+content) -> async LLM -+-> keyBy(monitor) -> AlertDecider
 *   -> alerts topic (Kafka, exactly once)
 * committed alerts topic (read_committed) -> PostgreSQL alerts (idempotent insert)
 * </pre>
 *
 * <p>PostgreSQL's alerts are written from the committed alerts topic, not from the decider: a
 * replay after a failure re-fetches pages (which may have changed since) and re-asks the LLM, so
 * only what Kafka committed may reach PostgreSQL. Both stores then hold the same alert set.
 */
public final class MonitorPipeline {
    private MonitorPipeline() {}

    /**
     * Where the pipeline's outputs go.
     *
     * @param alertStore committed alerts into PostgreSQL
     * @param alertTopic alerts onto Kafka (exactly once)
     * @param checkResultTopic every check result onto Kafka
     * @param checkRuns CHANGED and ERROR results into PostgreSQL
     * @param status monitor_status rows into PostgreSQL
     */
    public record Sinks(
            Sink<Alert> alertStore,
            Sink<Alert> alertTopic,
            Sink<CheckResult> checkResultTopic,
            Sink<CheckResult> checkRuns,
            Sink<StatusUpdate> status) {}

    /** The streams the topology produces, for callers that add more consumers (tests). */
    public record Outputs(DataStream<CheckResult> checkResults, DataStream<Alert> alerts) {}

    /**
     * Builds the topology.
     *
     * @param events monitor upserts and deletes (the monitors topic)
     * @param committedAlerts the alerts topic as committed (read_committed), for the alert store
     * @param fetcher the page fetcher
     * @param renderer the browser renderer, for sources with render=browser
     * @param evaluator the LLM condition evaluator
     * @param settings topology settings
     * @param sinks where outputs go
     */
    public static Outputs build(
            DataStream<MonitorEvent> events,
            DataStream<Alert> committedAlerts,
            RichAsyncFunction<CheckRequest, FetchResult> fetcher,
            RichAsyncFunction<CheckRequest, FetchResult> renderer,
            RichAsyncFunction<LlmRequest, Verdict> evaluator,
            PipelineSettings settings,
            Sinks sinks) {
        FlinkTypes.ensureRegistered();
        KeyedStream<MonitorEvent, UUID> byMonitor =
                events.keyBy(new EventMonitorId(), UuidTypeInfo.INSTANCE);

        DataStream<CheckRequest> requests =
                byMonitor
                        .process(
                                new MonitorScheduler(
                                        settings.minIntervalSeconds(),
                                        settings.overdueThreshold(),
                                        settings.catchUpWindow(),
                                        settings.firstCheckSpread()),
                                FlinkTypes.info(CheckRequest.class))
                        .uid("monitor-scheduler")
                        .name("MonitorScheduler");

        // Requests wait for their host's polite turn in keyed state, not in async slots; the
        // fetch follows with forward partitioning, so it still sees each host on one subtask.
        SingleOutputStreamOperator<CheckRequest> paced =
                requests.keyBy(FetchFunction.byHost())
                        .process(
                                new HostPacer(settings.fetch()),
                                FlinkTypes.info(CheckRequest.class))
                        .uid("host-pacer")
                        .name("HostPacer");
        // Pages are read into their text right after the fetch, in the same chain (one input
        // each: an operator behind a union would not chain), so no body crosses keyBy(monitor).
        // The fetch starts a new chain: the pacer's release timers must not wait behind the
        // extraction of a costly page on the same thread (only small requests cross that edge).
        // Browser sources take their own async operator, with its own capacity and timeout, so
        // slow renders never hold fetch slots; both read pages with the same extraction.
        DataStream<FetchedText> fetched =
                extract(
                                AsyncDataStream.unorderedWait(
                                                paced.filter(r -> !r.rendered()).name("Plain"),
                                                new ConditionalGetMemory(
                                                        fetcher,
                                                        settings.conditionalGetMemoryBytes()),
                                                settings.fetchTimeout().toMillis(),
                                                TimeUnit.MILLISECONDS,
                                                settings.fetchCapacity())
                                        .returns(FlinkTypes.info(FetchResult.class))
                                        .uid("fetch")
                                        .name("Fetch")
                                        .startNewChain(),
                                "extract",
                                "Extract",
                                settings)
                        .union(
                                extract(
                                        AsyncDataStream.unorderedWait(
                                                        paced.filter(CheckRequest::rendered)
                                                                .name("Browser"),
                                                        renderer,
                                                        settings.render().asyncTimeout().toMillis(),
                                                        TimeUnit.MILLISECONDS,
                                                        settings.render().capacity())
                                                .returns(FlinkTypes.info(FetchResult.class))
                                                .uid("render")
                                                .name("Render")
                                                .startNewChain(),
                                        "render-extract",
                                        "Extract rendered",
                                        settings),
                                paced.getSideOutput(HostPacer.SKIPPED)
                                        .map(
                                                FetchedText::withoutPage,
                                                FlinkTypes.info(FetchedText.class))
                                        .name("Skipped"));

        SingleOutputStreamOperator<CheckResult> results =
                byMonitor
                        .connect(fetched.keyBy(new FetchMonitorId(), UuidTypeInfo.INSTANCE))
                        .process(
                                new ChangeDetector(
                                        settings.minIntervalSeconds(),
                                        new ChangeDetector.Limits(
                                                settings.maxTextChars(),
                                                settings.maxDiffChars(),
                                                settings.maxDiffLines(),
                                                settings.patternBudget()),
                                        settings.statusRefresh()),
                                FlinkTypes.info(CheckResult.class))
                        .uid("change-detector")
                        .name("ChangeDetector");

        SingleOutputStreamOperator<Verdict> verdicts =
                AsyncDataStream.unorderedWait(
                                results.getSideOutput(ChangeDetector.LLM_REQUESTS)
                                        .keyBy(LlmRequest::routingKey),
                                evaluator,
                                settings.llmTimeout().toMillis(),
                                TimeUnit.MILLISECONDS,
                                settings.llmCapacity())
                        .returns(FlinkTypes.info(Verdict.class))
                        .uid("llm-evaluator")
                        .name("LlmEvaluator");

        DataStream<Alert> budgetNotices =
                verdicts.filter(v -> v.status() == VerdictStatus.SKIPPED_BUDGET)
                        .name("Over budget")
                        .keyBy(new VerdictTenantId(), UuidTypeInfo.INSTANCE)
                        .process(new BudgetNotice(), FlinkTypes.info(Alert.class))
                        .uid("llm-budget-notice")
                        .name("BudgetNotice");

        DataStream<Alert> alerts =
                results.getSideOutput(ChangeDetector.EVALUATIONS)
                        .union(
                                verdicts.map(
                                                MonitorPipeline::toEvaluation,
                                                FlinkTypes.info(Evaluation.class))
                                        .name("VerdictToEvaluation"))
                        .keyBy(new EvaluationMonitorId(), UuidTypeInfo.INSTANCE)
                        .process(
                                new AlertDecider(
                                        settings.failureThreshold(), settings.alertCooldown()),
                                FlinkTypes.info(Alert.class))
                        .uid("alert-decider")
                        .name("AlertDecider")
                        .union(budgetNotices);

        alerts.sinkTo(sinks.alertTopic()).uid("alerts-kafka").name("Alerts → Kafka");
        committedAlerts
                .sinkTo(sinks.alertStore())
                .uid("alerts-postgres")
                .name("Committed alerts → PostgreSQL");
        results.sinkTo(sinks.checkResultTopic())
                .uid("check-results-kafka")
                .name("Check results → Kafka");
        results.filter(
                        r ->
                                r.outcome() == CheckOutcome.CHANGED
                                        || r.outcome() == CheckOutcome.ERROR)
                .name("Changes and errors")
                .sinkTo(sinks.checkRuns())
                .uid("check-runs-postgres")
                .name("Check runs → PostgreSQL");
        results.getSideOutput(ChangeDetector.STATUS)
                .sinkTo(sinks.status())
                .uid("monitor-status-postgres")
                .name("Monitor status → PostgreSQL");
        return new Outputs(results, alerts);
    }

    /** Reads fetched pages into their text, chained to the operator that fetched them. */
    private static DataStream<FetchedText> extract(
            DataStream<FetchResult> pages, String uid, String name, PipelineSettings settings) {
        return pages.map(
                        new ExtractFunction(
                                settings.maxExtractedChars(),
                                settings.templateMemoryBytes(),
                                settings.patternBudget()),
                        FlinkTypes.info(FetchedText.class))
                .uid(uid)
                .name(name);
    }

    /** A verdict becomes an evaluation of the change it judged; no verdict decides nothing. */
    static Evaluation toEvaluation(Verdict v) {
        return switch (v.status()) {
            case TRIGGERED -> Evaluation.ofVerdict(v, true, v.reason());
            case NOT_TRIGGERED -> Evaluation.ofVerdict(v, false, v.reason());
            default -> Evaluation.ofVerdict(v, null, v.error());
        };
    }

    private static final class EventMonitorId implements KeySelector<MonitorEvent, UUID> {
        @Override
        public UUID getKey(MonitorEvent event) {
            return event.monitorId();
        }
    }

    private static final class FetchMonitorId implements KeySelector<FetchedText, UUID> {
        @Override
        public UUID getKey(FetchedText result) {
            return result.request().monitorId();
        }
    }

    private static final class VerdictTenantId implements KeySelector<Verdict, UUID> {
        @Override
        public UUID getKey(Verdict verdict) {
            return verdict.tenantId();
        }
    }

    private static final class EvaluationMonitorId implements KeySelector<Evaluation, UUID> {
        @Override
        public UUID getKey(Evaluation evaluation) {
            return evaluation.monitorId();
        }
    }
}
