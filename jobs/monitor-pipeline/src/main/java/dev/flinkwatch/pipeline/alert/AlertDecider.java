package dev.flinkwatch.pipeline.alert;

import dev.flinkwatch.flink.FlinkTypes;
import dev.flinkwatch.model.Alert;
import dev.flinkwatch.model.AlertKind;
import dev.flinkwatch.model.CheckOutcome;
import java.time.Duration;
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
 * Turns evaluations into alerts (keyed by monitor id):
 *
 * <ul>
 *   <li>Edge-triggered: one CONDITION_MET alert when a condition becomes true, none while it stays
 *       true; any_change alerts on every change. A baseline (FIRST) never alerts but records
 *       whether the condition already holds.
 *   <li>Deduplicated: the alert id is {@code hash(monitorId, sourceUrl, contentHash)}; the same id
 *       twice in a row is dropped here, and sinks drop replays by id.
 *   <li>Optional cool-down per monitor between CONDITION_MET alerts.
 *   <li>After N consecutive failed checks of a source, one MONITOR_FAILING; one MONITOR_RECOVERED
 *       when it succeeds again. Their ids derive from the check's due time, which is the same on
 *       replay after a restore.
 * </ul>
 */
public class AlertDecider extends KeyedProcessFunction<UUID, Evaluation, Alert> {
    private static final Logger LOG = LoggerFactory.getLogger(AlertDecider.class);

    private final int failureThreshold;
    private final long cooldownMillis;

    private transient MapState<String, DecisionState> sources;
    private transient ValueState<Long> lastConditionAlertAt;
    private transient Counter alertsRaised;
    private transient Counter alertsSuppressed;

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
        sources =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "decisions",
                                        Types.STRING,
                                        FlinkTypes.info(DecisionState.class)));
        lastConditionAlertAt =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("last-condition-alert", Types.LONG));
        alertsRaised = getRuntimeContext().getMetricGroup().counter("alertsRaised");
        alertsSuppressed = getRuntimeContext().getMetricGroup().counter("alertsSuppressed");
    }

    @Override
    public void processElement(Evaluation e, Context ctx, Collector<Alert> out) throws Exception {
        if (e.forget()) {
            if (e.sourceUrl() == null) {
                sources.clear();
                lastConditionAlertAt.clear();
            } else {
                sources.remove(e.sourceUrl());
            }
            return;
        }
        DecisionState state = sources.get(e.sourceUrl());
        if (state == null) {
            state = DecisionState.INITIAL;
        }
        if (e.outcome() == CheckOutcome.ERROR) {
            if (!state.failing() && e.consecutiveFailures() >= failureThreshold) {
                emit(
                        out,
                        e,
                        AlertKind.MONITOR_FAILING,
                        e.scheduledAt().toString(),
                        e.consecutiveFailures() + " consecutive checks failed: " + e.reason());
                state = new DecisionState(state.conditionMet(), state.lastAlertId(), true);
            }
            sources.put(e.sourceUrl(), state);
            return;
        }
        if (state.failing()) {
            emit(
                    out,
                    e,
                    AlertKind.MONITOR_RECOVERED,
                    e.scheduledAt().toString(),
                    "checks succeed again");
            state = new DecisionState(state.conditionMet(), state.lastAlertId(), false);
        }
        if (e.conditionMet() != null) {
            state = decideCondition(e, state, out);
        }
        sources.put(e.sourceUrl(), state);
    }

    private DecisionState decideCondition(Evaluation e, DecisionState state, Collector<Alert> out)
            throws Exception {
        boolean met = e.conditionMet();
        boolean wasMet = Boolean.TRUE.equals(state.conditionMet());
        boolean fire =
                e.outcome() == CheckOutcome.CHANGED && met && (!e.edgeTriggered() || !wasMet);
        String lastAlertId = state.lastAlertId();
        if (fire) {
            String id =
                    Alert.idFor(
                            AlertKind.CONDITION_MET, e.monitorId(), e.sourceUrl(), e.contentHash());
            Long last = lastConditionAlertAt.value();
            long at = e.detectedAt().toEpochMilli();
            if (id.equals(lastAlertId)) {
                alertsSuppressed.inc();
            } else if (cooldownMillis > 0 && last != null && at - last < cooldownMillis) {
                alertsSuppressed.inc();
                LOG.info(
                        "event=alert_cooldown monitorId={} source={}",
                        e.monitorId(),
                        e.sourceUrl());
            } else {
                out.collect(
                        new Alert(
                                id,
                                AlertKind.CONDITION_MET,
                                e.monitorId(),
                                e.tenantId(),
                                e.sourceUrl(),
                                e.detectedAt(),
                                e.reason(),
                                e.excerpt(),
                                e.diff()));
                alertsRaised.inc();
                lastConditionAlertAt.update(at);
                lastAlertId = id;
                LOG.info(
                        "event=alert_raised kind=CONDITION_MET monitorId={} alertId={}",
                        e.monitorId(),
                        id);
            }
        }
        return new DecisionState(met, lastAlertId, state.failing());
    }

    private void emit(
            Collector<Alert> out, Evaluation e, AlertKind kind, String discriminator, String why) {
        String id = Alert.idFor(kind, e.monitorId(), e.sourceUrl(), discriminator);
        out.collect(
                new Alert(
                        id,
                        kind,
                        e.monitorId(),
                        e.tenantId(),
                        e.sourceUrl(),
                        e.detectedAt(),
                        why,
                        null,
                        null));
        alertsRaised.inc();
        LOG.info("event=alert_raised kind={} monitorId={} alertId={}", kind, e.monitorId(), id);
    }
}
