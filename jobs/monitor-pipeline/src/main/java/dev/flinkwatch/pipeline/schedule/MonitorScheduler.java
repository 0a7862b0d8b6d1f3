package dev.flinkwatch.pipeline.schedule;

import dev.flinkwatch.flink.FlinkTypes;
import dev.flinkwatch.model.CheckRequest;
import dev.flinkwatch.model.MonitorEvent;
import dev.flinkwatch.model.MonitorSpec;
import dev.flinkwatch.model.MonitorSpecValidator;
import dev.flinkwatch.model.Source;
import dev.flinkwatch.model.ValidationLimits;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
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
 *   <li>Upserts not newer than the stored version are ignored (replays are harmless).
 *   <li>A new or resumed monitor is first due at now + a jitter that is stable for its id, which
 *       spreads load across the interval.
 *   <li>A due timer emits one {@link CheckRequest} per source; the next is due at previous due +
 *       interval (fixed rate, no drift).
 *   <li>An interval change re-plans to min(current due, now + new interval); pause removes the
 *       timer; delete clears all state and the timer.
 *   <li>A timer firing more than {@code overdueThreshold} late (after downtime) does not check at
 *       once: it re-plans at now + jitter, so overdue monitors are spread over one interval.
 * </ul>
 */
public class MonitorScheduler extends KeyedProcessFunction<UUID, MonitorEvent, CheckRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(MonitorScheduler.class);

    private final int minIntervalSeconds;
    private final long overdueThresholdMillis;

    private transient ValueState<MonitorSpec> spec;
    private transient ValueState<Long> nextDue;
    private transient MonitorSpecValidator validator;
    private transient Counter checksScheduled;
    private transient Counter overdueSpread;
    private transient Counter rejectedSpecs;
    private transient Histogram timerLateness;

    /**
     * @param minIntervalSeconds the interval floor; specs below it are rejected
     * @param overdueThreshold how late a timer may fire before the check is spread instead
     */
    public MonitorScheduler(int minIntervalSeconds, Duration overdueThreshold) {
        this.minIntervalSeconds = minIntervalSeconds;
        this.overdueThresholdMillis = overdueThreshold.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        spec =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "spec", FlinkTypes.info(MonitorSpec.class)));
        nextDue = getRuntimeContext().getState(new ValueStateDescriptor<>("next-due", Types.LONG));
        validator = new MonitorSpecValidator(new ValidationLimits(minIntervalSeconds));
        var metrics = getRuntimeContext().getMetricGroup();
        checksScheduled = metrics.counter("checksScheduled");
        overdueSpread = metrics.counter("overdueSpread");
        rejectedSpecs = metrics.counter("rejectedSpecs");
        timerLateness =
                metrics.histogram("timerLatenessMs", new DescriptiveStatisticsHistogram(10_000));
    }

    @Override
    public void processElement(MonitorEvent event, Context ctx, Collector<CheckRequest> out)
            throws Exception {
        if (event.isDelete()) {
            deleteTimer(ctx);
            spec.clear();
            nextDue.clear();
            LOG.info("event=monitor_deleted monitorId={}", event.monitorId());
            return;
        }
        MonitorSpec current = spec.value();
        MonitorSpec incoming = event.spec();
        if (current != null && incoming.version() <= current.version()) {
            return; // stale or replayed
        }
        Map<String, String> errors = validator.validate(incoming);
        if (!errors.isEmpty()) {
            rejectedSpecs.inc();
            LOG.warn(
                    "event=monitor_spec_rejected monitorId={} version={} errors={}",
                    event.monitorId(),
                    incoming.version(),
                    errors);
            return;
        }
        spec.update(incoming);
        long now = ctx.timerService().currentProcessingTime();
        Long due = nextDue.value();
        if (!incoming.active()) {
            deleteTimer(ctx);
            nextDue.clear();
        } else if (due == null) {
            plan(ctx, now + jitterMillis(incoming.id(), incoming.intervalSeconds()));
        } else if (current != null && current.intervalSeconds() != incoming.intervalSeconds()) {
            long replanned = Math.min(due, now + incoming.intervalSeconds() * 1000L);
            if (replanned != due) {
                ctx.timerService().deleteProcessingTimeTimer(due);
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
        timerLateness.update(lateness);
        if (lateness > overdueThresholdMillis) {
            overdueSpread.inc();
            plan(ctx, now + jitterMillis(current.id(), current.intervalSeconds()));
            return;
        }
        Instant scheduledAt = Instant.ofEpochMilli(timestamp);
        for (Source source : current.sources()) {
            out.collect(
                    new CheckRequest(
                            current.id(),
                            current.tenantId(),
                            current.version(),
                            source.url(),
                            source.selector(),
                            scheduledAt,
                            null,
                            null));
            checksScheduled.inc();
        }
        plan(ctx, timestamp + current.intervalSeconds() * 1000L);
    }

    private void plan(Context ctx, long at) throws Exception {
        ctx.timerService().registerProcessingTimeTimer(at);
        nextDue.update(at);
    }

    private void deleteTimer(Context ctx) throws Exception {
        Long due = nextDue.value();
        if (due != null) {
            ctx.timerService().deleteProcessingTimeTimer(due);
        }
    }

    /**
     * A delay in [0, interval) that depends only on the monitor id, so a monitor's phase is the
     * same on every start and monitors are spread evenly across the interval.
     */
    public static long jitterMillis(UUID monitorId, int intervalSeconds) {
        long mixed = monitorId.getMostSignificantBits() * 31 + monitorId.getLeastSignificantBits();
        mixed ^= (mixed >>> 33);
        mixed *= 0xff51afd7ed558ccdL;
        mixed ^= (mixed >>> 33);
        return Math.floorMod(mixed, intervalSeconds * 1000L);
    }
}
