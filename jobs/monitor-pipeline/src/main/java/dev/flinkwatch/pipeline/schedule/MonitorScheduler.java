package dev.flinkwatch.pipeline.schedule;

import dev.flinkwatch.flink.FlinkTypes;
import dev.flinkwatch.model.CheckRequest;
import dev.flinkwatch.model.MonitorEvent;
import dev.flinkwatch.model.MonitorSpec;
import dev.flinkwatch.model.Source;
import dev.flinkwatch.pipeline.MonitorLog;
import dev.flinkwatch.pipeline.spec.SpecGate;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schedule of every monitor, as keyed state plus one processing-time timer per monitor (keyed
 * by monitor id). This replaces polling a jobs table for due rows: nothing is scanned, and the
 * schedule scales with the number of key groups.
 *
 * <ul>
 *   <li>Which spec runs is decided by {@link SpecGate}, the same gate the change detector asks:
 *       stale versions are ignored (replays are harmless), an invalid newer version stops the
 *       monitor until a valid one arrives.
 *   <li>A new or resumed monitor is first due within {@code firstCheckSpread} (a jitter stable for
 *       its id), so its baseline appears within seconds.
 *   <li>A due timer emits one {@link CheckRequest} per source; the next is due at previous due +
 *       interval (fixed rate, no drift).
 *   <li>An interval change re-plans to min(current due, now + new interval); pause removes the
 *       timer; delete clears all state and the timer.
 *   <li>A timer firing more than {@code overdueThreshold} late (after downtime) is deferred into
 *       the catch-up window: now + a stable jitter below min(catch-up window, interval), so every
 *       overdue check runs within the window, spread evenly, never all at once. Deferred checks are
 *       counted ({@code checksDeferred}) and their lateness recorded.
 * </ul>
 *
 * <p>Metrics: {@link SchedulerMetrics}; the monitor count is the one operator state ({@link
 * MonitorCount}).
 */
public class MonitorScheduler extends KeyedProcessFunction<UUID, MonitorEvent, CheckRequest>
        implements CheckpointedFunction {
    private static final Logger LOG = LoggerFactory.getLogger(MonitorScheduler.class);

    private final int minIntervalSeconds;
    private final long overdueThresholdMillis;
    private final long catchUpWindowMillis;
    private final long firstCheckSpreadMillis;

    private transient ValueState<MonitorSpec> spec;
    private transient ValueState<Long> nextDue;
    private transient ValueState<Long> deferredFrom;
    private transient SpecGate gate;
    private transient MonitorCount monitors;
    private transient SchedulerMetrics metrics;

    /**
     * @param minIntervalSeconds the interval floor; specs below it are rejected
     * @param overdueThreshold how late a timer may fire before its check is deferred
     * @param catchUpWindow the window overdue checks are spread over
     * @param firstCheckSpread the window a new or resumed monitor's first check falls in
     */
    public MonitorScheduler(
            int minIntervalSeconds,
            Duration overdueThreshold,
            Duration catchUpWindow,
            Duration firstCheckSpread) {
        this.minIntervalSeconds = minIntervalSeconds;
        this.overdueThresholdMillis = overdueThreshold.toMillis();
        this.catchUpWindowMillis = Math.max(1, catchUpWindow.toMillis());
        this.firstCheckSpreadMillis = Math.max(1, firstCheckSpread.toMillis());
    }

    @Override
    public void open(OpenContext openContext) {
        spec =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "spec", FlinkTypes.info(MonitorSpec.class)));
        nextDue = getRuntimeContext().getState(new ValueStateDescriptor<>("next-due", Types.LONG));
        deferredFrom =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("deferred-from", Types.LONG));
        gate = new SpecGate(minIntervalSeconds);
        metrics = new SchedulerMetrics(getRuntimeContext().getMetricGroup(), monitors::get);
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        monitors = new MonitorCount();
        monitors.initialize(context.getOperatorStateStore(), getRuntimeContext().getTaskInfo());
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        monitors.snapshot();
    }

    @Override
    public void processElement(MonitorEvent event, Context ctx, Collector<CheckRequest> out)
            throws Exception {
        if (event.isDelete()) {
            unplan(ctx);
            if (spec.value() != null) {
                monitors.removed();
            }
            spec.clear();
            MonitorLog.info(
                    LOG,
                    event.monitorId(),
                    event.tenantId(),
                    "event=monitor_deleted monitorId={}",
                    event.monitorId());
            return;
        }
        MonitorSpec current = spec.value();
        MonitorSpec incoming = event.spec();
        SpecGate.Decision decision = gate.admit(current, incoming);
        switch (decision.kind()) {
            case STALE -> {
                return;
            }
            case REJECTED -> {
                metrics.rejectedSpecs.inc();
                MonitorLog.warn(
                        LOG,
                        event.monitorId(),
                        event.tenantId(),
                        "event=monitor_spec_rejected monitorId={} version={} errors={}",
                        event.monitorId(),
                        incoming.version(),
                        decision.errors().keySet());
                unplan(ctx);
                if (decision.spec() != null) {
                    countIfNew(current);
                    spec.update(decision.spec());
                }
                return;
            }
            case ACCEPTED -> {}
        }
        countIfNew(current);
        spec.update(incoming);
        long now = ctx.timerService().currentProcessingTime();
        Long due = nextDue.value();
        if (!incoming.active()) {
            unplan(ctx);
        } else if (due == null) {
            plan(ctx, now + jitterMillis(incoming.id(), firstCheckSpread(incoming)));
        } else if (current != null && current.intervalSeconds() != incoming.intervalSeconds()) {
            long replanned = Math.min(due, now + incoming.intervalSeconds() * 1000L);
            if (replanned != due) {
                unplan(ctx);
                plan(ctx, replanned);
            }
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<CheckRequest> out)
            throws Exception {
        MonitorSpec current = spec.value();
        Long due = nextDue.value();
        if (current == null || due == null || due != timestamp || !current.active()) {
            return; // a timer that was re-planned away
        }
        long now = ctx.timerService().currentProcessingTime();
        long lateness = now - timestamp;
        metrics.latenessMs.update(lateness);
        long interval = current.intervalSeconds() * 1000L;
        Long deferred = deferredFrom.value();
        if (deferred == null && lateness > overdueThresholdMillis) {
            // a deferred check always runs when its turn comes, even on a still loaded job:
            // deferring again could starve it
            metrics.checksDeferred.inc();
            deferredFrom.update(timestamp);
            plan(
                    ctx,
                    now + 1 + jitterMillis(current.id(), Math.min(catchUpWindowMillis, interval)));
            return;
        }
        Instant scheduledAt = Instant.ofEpochMilli(timestamp);
        for (Source source : current.sources()) {
            out.collect(
                    CheckRequest.scheduled(
                            current.id(),
                            current.tenantId(),
                            current.version(),
                            source,
                            current.ignore(),
                            scheduledAt));
            metrics.checksStarted.inc();
        }
        if (deferred == null) {
            plan(ctx, timestamp + interval);
        } else {
            // back to the monitor's own phase: the first due time of the old grid after now
            deferredFrom.clear();
            plan(ctx, deferred + ((now - deferred) / interval + 1) * interval);
        }
    }

    private void countIfNew(MonitorSpec current) {
        if (current == null) {
            monitors.added();
        }
    }

    private long firstCheckSpread(MonitorSpec s) {
        return Math.min(firstCheckSpreadMillis, s.intervalSeconds() * 1000L);
    }

    private void plan(Context ctx, long at) throws Exception {
        ctx.timerService().registerProcessingTimeTimer(at);
        nextDue.update(at);
    }

    private void unplan(Context ctx) throws Exception {
        Long due = nextDue.value();
        if (due != null) {
            ctx.timerService().deleteProcessingTimeTimer(due);
        }
        nextDue.clear();
        deferredFrom.clear();
    }

    /**
     * A delay in [0, spanMillis) that depends only on the monitor id, so a monitor's phase is the
     * same on every start and monitors are spread evenly across the span.
     */
    public static long jitterMillis(UUID monitorId, long spanMillis) {
        long mixed = monitorId.getMostSignificantBits() * 31 + monitorId.getLeastSignificantBits();
        mixed ^= (mixed >>> 33);
        mixed *= 0xff51afd7ed558ccdL;
        mixed ^= (mixed >>> 33);
        return Math.floorMod(mixed, Math.max(1, spanMillis));
    }
}
