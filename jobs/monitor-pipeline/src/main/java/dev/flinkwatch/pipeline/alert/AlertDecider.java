package dev.flinkwatch.pipeline.alert;

import dev.flinkwatch.flink.FlinkTypes;
import dev.flinkwatch.model.Alert;
import dev.flinkwatch.model.AlertKind;
import dev.flinkwatch.model.CheckOutcome;
import dev.flinkwatch.pipeline.MonitorLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns evaluations into alerts (keyed by monitor id). An alert is one episode:
 *
 * <ul>
 *   <li>Edge-triggered conditions raise one CONDITION_MET when they become true, none while they
 *       stay true; any_change raises one per change. A baseline (FIRST) never alerts but records
 *       whether the condition already holds.
 *   <li>Ids come from per-source episode counters in checkpointed state ({@link DecisionState}): a
 *       replay after a restore raises the same ids, every new crossing a new one, even when the
 *       content is one seen before (45 -> 60 -> 45 is two alerts).
 *   <li>Order: checks arrive in check order; LLM verdicts may arrive late or out of order and only
 *       decide the newest content version a check reported. Older verdicts, and verdicts for a
 *       source the decider no longer knows (deleted, removed), are ignored and create no state.
 *   <li>An optional cool-down per monitor defers, never drops: an episode inside the cool-down is
 *       raised when it ends (the latest one per source).
 *   <li>After N consecutive failed checks of a source one MONITOR_FAILING; one MONITOR_RECOVERED
 *       when it succeeds again; both carry the failure episode's number.
 * </ul>
 */
public class AlertDecider extends KeyedProcessFunction<UUID, Evaluation, Alert> {
    private static final Logger LOG = LoggerFactory.getLogger(AlertDecider.class);

    private final int failureThreshold;
    private final long cooldownMillis;

    private transient MapState<String, DecisionState> sources;
    private transient MapState<String, Evaluation> deferred;
    private transient ValueState<Long> lastConditionAlertAt;
    private transient ValueState<Long> releaseAt;
    private transient ValueState<Long> generation;
    private transient AlertMetrics metrics;
    private transient Counter alertsDeferred;
    private transient Counter staleEvaluations;

    /**
     * @param failureThreshold consecutive failed checks of a source before MONITOR_FAILING
     * @param cooldown minimum time between CONDITION_MET alerts of one monitor (zero: none)
     */
    public AlertDecider(int failureThreshold, Duration cooldown) {
        this.failureThreshold = failureThreshold;
        this.cooldownMillis = cooldown.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        var ctx = getRuntimeContext();
        sources =
                ctx.getMapState(
                        new MapStateDescriptor<>(
                                "decisions", Types.STRING, FlinkTypes.info(DecisionState.class)));
        deferred =
                ctx.getMapState(
                        new MapStateDescriptor<>(
                                "deferred", Types.STRING, FlinkTypes.info(Evaluation.class)));
        lastConditionAlertAt =
                ctx.getState(new ValueStateDescriptor<>("last-condition-alert", Types.LONG));
        releaseAt = ctx.getState(new ValueStateDescriptor<>("release-at", Types.LONG));
        generation = ctx.getState(new ValueStateDescriptor<>("generation", Types.LONG));
        metrics = new AlertMetrics(ctx.getMetricGroup());
        alertsDeferred = metrics.counter("deferred");
        staleEvaluations = metrics.counter("staleEvaluations");
    }

    @Override
    public void processElement(Evaluation e, Context ctx, Collector<Alert> out) throws Exception {
        switch (e.kind()) {
            case FORGET -> forget(e, ctx);
            case VERDICT -> onVerdict(e, ctx, out);
            case CHECK -> onCheck(e, ctx, out);
        }
    }

    private void forget(Evaluation e, Context ctx) throws Exception {
        if (e.sourceUrl() != null) {
            sources.remove(e.sourceUrl());
            generation.update(currentGeneration() + 1);
            deferred.remove(e.sourceUrl());
            if (deferred.isEmpty()) {
                cancelRelease(ctx);
            }
            return;
        }
        cancelRelease(ctx);
        sources.clear();
        deferred.clear();
        lastConditionAlertAt.clear();
        generation.clear(); // the monitor is gone; its id never comes back
    }

    private void onVerdict(Evaluation e, Context ctx, Collector<Alert> out) throws Exception {
        DecisionState state = sources.get(e.sourceUrl());
        if (state == null
                || e.contentVersion() < state.seenVersion()
                || e.contentVersion() <= state.decidedVersion()) {
            staleEvaluations.inc(); // judged content that is no longer the newest, or gone
            return;
        }
        if (e.conditionMet() != null) {
            sources.put(e.sourceUrl(), decideCondition(e, state, ctx, out));
        }
    }

    private void onCheck(Evaluation e, Context ctx, Collector<Alert> out) throws Exception {
        DecisionState state = sources.get(e.sourceUrl());
        if (state == null) {
            state = DecisionState.initial(currentGeneration());
        } else if (e.contentVersion() < state.seenVersion()) {
            staleEvaluations.inc();
            return;
        }
        state = state.seen(e.contentVersion());
        if (e.outcome() == CheckOutcome.ERROR) {
            if (!state.failing() && e.consecutiveFailures() >= failureThreshold) {
                state = state.failingSince();
                emit(
                        out,
                        e,
                        AlertKind.MONITOR_FAILING,
                        failureEpisode(state),
                        e.consecutiveFailures() + " consecutive checks failed: " + e.reason(),
                        null,
                        null);
            }
            sources.put(e.sourceUrl(), state);
            return;
        }
        if (state.failing()) {
            emit(
                    out,
                    e,
                    AlertKind.MONITOR_RECOVERED,
                    failureEpisode(state),
                    "checks succeed again",
                    null,
                    null);
            state = state.recovered();
        }
        if (e.conditionMet() != null) {
            if (e.contentVersion() > state.decidedVersion()) {
                state = decideCondition(e, state, ctx, out);
            } else {
                staleEvaluations.inc(); // this content was decided already
            }
        }
        sources.put(e.sourceUrl(), state);
    }

    private DecisionState decideCondition(
            Evaluation e, DecisionState state, Context ctx, Collector<Alert> out) throws Exception {
        boolean met = e.conditionMet();
        boolean wasMet = Boolean.TRUE.equals(state.conditionMet());
        boolean fire =
                e.outcome() == CheckOutcome.CHANGED && met && (!e.edgeTriggered() || !wasMet);
        DecisionState next = state.decided(met, e.contentVersion());
        if (!fire) {
            return next;
        }
        Long last = lastConditionAlertAt.value();
        long now = ctx.timerService().currentProcessingTime();
        if (cooldownMillis > 0 && last != null && now - last < cooldownMillis) {
            deferred.put(e.sourceUrl(), e);
            if (releaseAt.value() == null) {
                releaseAt.update(last + cooldownMillis);
                ctx.timerService().registerProcessingTimeTimer(last + cooldownMillis);
            }
            alertsDeferred.inc();
            MonitorLog.info(
                    LOG,
                    e.monitorId(),
                    e.tenantId(),
                    "event=alert_deferred monitorId={} source={} until={}",
                    e.monitorId(),
                    e.sourceUrl(),
                    last + cooldownMillis);
            return next;
        }
        lastConditionAlertAt.update(now);
        return raise(e, next, out, e.reason());
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        Long release = releaseAt.value();
        if (release == null || release != timestamp) {
            return;
        }
        releaseAt.clear();
        List<Map.Entry<String, Evaluation>> held = new ArrayList<>();
        deferred.entries().forEach(held::add);
        deferred.clear();
        for (Map.Entry<String, Evaluation> entry : held) {
            DecisionState state = sources.get(entry.getKey());
            if (state != null) {
                Evaluation e = entry.getValue();
                sources.put(
                        entry.getKey(),
                        raise(e, state, out, e.reason() + " (held back by the cool-down)"));
            }
        }
        if (!held.isEmpty()) {
            lastConditionAlertAt.update(timestamp);
        }
    }

    private DecisionState raise(
            Evaluation e, DecisionState state, Collector<Alert> out, String reason) {
        DecisionState next = state.nextEpisode();
        emit(
                out,
                e,
                AlertKind.CONDITION_MET,
                conditionEpisode(next.generation(), next.episodes()),
                reason,
                e.excerpt(),
                e.diff());
        return next;
    }

    private long currentGeneration() throws Exception {
        Long g = generation.value();
        return g == null ? 0 : g;
    }

    /** The episode part of a CONDITION_MET alert id (see {@link Alert#idFor}). */
    public static String conditionEpisode(long generation, long episode) {
        return "episode-" + generation + "." + episode;
    }

    /** The episode part of a MONITOR_FAILING / MONITOR_RECOVERED alert id. */
    public static String failureEpisode(long generation, long episode) {
        return "failure-" + generation + "." + episode;
    }

    private static String failureEpisode(DecisionState state) {
        return failureEpisode(state.generation(), state.failureEpisodes());
    }

    private void cancelRelease(Context ctx) throws Exception {
        Long release = releaseAt.value();
        if (release != null) {
            ctx.timerService().deleteProcessingTimeTimer(release);
            releaseAt.clear();
        }
    }

    private void emit(
            Collector<Alert> out,
            Evaluation e,
            AlertKind kind,
            String episode,
            String why,
            String excerpt,
            String diff) {
        String id = Alert.idFor(kind, e.monitorId(), e.sourceUrl(), episode);
        out.collect(
                new Alert(
                        id,
                        kind,
                        e.monitorId(),
                        e.tenantId(),
                        e.sourceUrl(),
                        e.detectedAt(),
                        why,
                        excerpt,
                        diff));
        metrics.raised(kind);
        MonitorLog.info(
                LOG,
                e.monitorId(),
                e.tenantId(),
                "event=alert_raised kind={} monitorId={} alertId={}",
                kind,
                e.monitorId(),
                id);
    }
}
