package dev.flinkwatch.pipeline.fetch;

import dev.flinkwatch.fetch.FetchConfig;
import dev.flinkwatch.fetch.FetchResult;
import dev.flinkwatch.fetch.FetchStatus;
import dev.flinkwatch.fetch.HostBackoffs;
import dev.flinkwatch.fetch.SharedFetches;
import dev.flinkwatch.flink.FlinkTypes;
import dev.flinkwatch.model.CheckRequest;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Releases check requests to the fetcher at each host's polite rate, keyed by host name: a request
 * for a host that is not due yet is parked in keyed state with a processing-time timer, instead of
 * waiting inside the async fetch operator, where it would hold one of the subtask's async slots and
 * let one popular host (thousands of monitors on one shop) starve every other host and backpressure
 * the scheduler. The rate is the host's override or the minimum delay, or the host's robots.txt
 * Crawl-delay (capped) as the fetcher last read it, raised while the host backs off after 429/503
 * answers or answers slowly ({@link FetchConfig#spacingFor}, {@link HostBackoffs}). The line per
 * host is bounded: a request beyond {@code max-queued-per-host} becomes a {@link
 * FetchStatus#HOST_BUSY} result on {@link #SKIPPED}, which flows to the change detector like any
 * fetch result (the monitor's next check is scheduled as usual). While a host holds us off (a
 * Retry-After), its arriving checks and the ones parked when their turn comes are HOST_BUSY the
 * same way, without a request. A host's state is dropped one delay after its last release.
 *
 * <p>Shared fetches: a plain request whose URL ({@link SharedFetches#keyOf}) was released within
 * half the {@code shared.window} rides along, at once and without a polite turn, since the fetcher
 * serves it the released one's result and sends nothing (the other half of the window leaves room
 * for the trip to the fetcher; should it miss anyway, the fetcher's own politeness gate holds). So
 * 1,000 monitors on one host cost one polite turn per URL, not 1,000. The released URLs are kept in
 * keyed state and dropped half a window after their release.
 *
 * <p>Metrics, group {@code pacer}: {@code parked} (politeness waits), {@code waitMs} (how long each
 * parked request waits for its turn, last 1000), {@code skipped} (HOST_BUSY: the line was full),
 * {@code held} (HOST_BUSY: the host asked for a pause), {@code riders} (requests that rode along
 * with a released one of their URL), {@code spacingMs} (the spacing each turn set for its host,
 * last 1000: its max is the widest spacing in use, without a metric per host).
 */
public class HostPacer extends KeyedProcessFunction<String, CheckRequest, CheckRequest> {
    private static final long serialVersionUID = 1L;

    /** Requests the line had no room for, as fetch results. */
    public static final OutputTag<FetchResult> SKIPPED =
            new OutputTag<>("host-pacer-skipped", FlinkTypes.info(FetchResult.class));

    private final FetchConfig config;
    private final long rideMs;

    private transient ValueState<HostPace> pace;
    private transient MapState<Long, CheckRequest> parked;
    private transient MapState<String, Long> releasedUrls;
    private transient Counter parkedCount;
    private transient Counter riderCount;
    private transient Counter skippedCount;
    private transient Counter heldCount;
    private transient Histogram waitMs;
    private transient Histogram spacingHistogram;

    public HostPacer(FetchConfig config) {
        this.config = config;
        this.rideMs = config.sharedWindow().toMillis() / 2;
    }

    @Override
    public void open(OpenContext openContext) {
        pace =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "pace", FlinkTypes.info(HostPace.class)));
        parked =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "parked", Types.LONG, FlinkTypes.info(CheckRequest.class)));
        releasedUrls =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "released-urls", Types.STRING, Types.LONG));
        var metrics = getRuntimeContext().getMetricGroup().addGroup("pacer");
        parkedCount = metrics.counter("parked");
        riderCount = metrics.counter("riders");
        skippedCount = metrics.counter("skipped");
        heldCount = metrics.counter("held");
        waitMs = metrics.histogram("waitMs", new DescriptiveStatisticsHistogram(1000));
        spacingHistogram = metrics.histogram("spacingMs", new DescriptiveStatisticsHistogram(1000));
    }

    @Override
    public void processElement(CheckRequest request, Context ctx, Collector<CheckRequest> out)
            throws Exception {
        String host = ctx.getCurrentKey();
        if (host.isEmpty()) {
            out.collect(request); // no host: the fetcher's guard refuses it without a connection
            return;
        }
        long now = ctx.timerService().currentProcessingTime();
        HostPace stored = pace.value();
        HostPace current = stored == null ? HostPace.idle() : stored;
        Duration hold = config.holdFor(host);
        if (!hold.isZero() && !ridesAlong(request, now)) {
            skipHeld(request, host, hold, now, ctx); // a rider sends nothing: it may go
            return;
        }
        if (current.queued() == 0 && config.spacingFor(host).isZero()) {
            // No delay asked for: nothing to pace, nothing to keep.
            if (stored != null) {
                pace.clear();
            }
            out.collect(request);
            return;
        }
        if (ridesAlong(request, now)) {
            riderCount.inc();
            out.collect(request);
            return;
        }
        switch (current.arrival(now, config.maxQueuedPerHost())) {
            case SEND -> {
                HostPace next = current.sent(now, spacingMs(host));
                pace.update(next);
                ctx.timerService().registerProcessingTimeTimer(next.nextReleaseAt());
                release(request, now, ctx.timerService(), out);
            }
            case PARK -> {
                parked.put(current.tail(), request);
                pace.update(current.parked());
                long releaseAt = current.releaseTime(now);
                ctx.timerService().registerProcessingTimeTimer(releaseAt);
                parkedCount.inc();
                waitMs.update(releaseAt - now);
            }
            case REJECT -> {
                skippedCount.inc();
                ctx.output(
                        SKIPPED,
                        FetchResult.skipped(
                                request,
                                FetchStatus.HOST_BUSY,
                                "more than "
                                        + config.maxQueuedPerHost()
                                        + " checks of "
                                        + host
                                        + " are waiting for their polite turn; check skipped",
                                Instant.ofEpochMilli(now)));
            }
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<CheckRequest> out)
            throws Exception {
        HostPace current = pace.value();
        // Otherwise an earlier timer of a turn that has moved on (a later one is registered), or
        // a released URL's ride window ending.
        if (current != null && timestamp >= current.nextReleaseAt()) {
            String host = ctx.getCurrentKey();
            Duration hold = config.holdFor(host);
            if (current.queued() > 0 && !hold.isZero()) {
                // Every parked check of a held host falls in the hold.
                for (long seq = current.head(); seq < current.tail(); seq++) {
                    CheckRequest request = parked.get(seq);
                    if (request != null) {
                        skipHeld(request, host, hold, timestamp, ctx);
                    }
                }
                parked.clear();
                HostPace after = current.droppedAll(timestamp, spacingMs(host));
                pace.update(after);
                ctx.timerService().registerProcessingTimeTimer(after.nextReleaseAt());
                return;
            }
            if (current.queued() > 0) {
                CheckRequest next = parked.get(current.head());
                parked.remove(current.head());
                HostPace after = current.released(timestamp, spacingMs(host));
                pace.update(after);
                ctx.timerService().registerProcessingTimeTimer(after.nextReleaseAt());
                if (next != null) {
                    release(next, timestamp, ctx.timerService(), out);
                }
                return;
            }
            // Idle for a whole delay: forget the host's line.
            pace.clear();
        }
        forgetReleasedUrls(timestamp);
    }

    private void skipHeld(CheckRequest request, String host, Duration hold, long now, Context ctx) {
        heldCount.inc();
        ctx.output(
                SKIPPED,
                FetchResult.skipped(
                        request,
                        FetchStatus.HOST_BUSY,
                        HostBackoffs.holdMessage(host, hold),
                        Instant.ofEpochMilli(now)));
    }

    /** Whether a request of the same URL went recently enough that its fetch serves this one. */
    private boolean ridesAlong(CheckRequest request, long now) throws Exception {
        if (rideMs == 0 || request.rendered()) {
            return false;
        }
        Long releasedAt = releasedUrls.get(SharedFetches.keyOf(request));
        return releasedAt != null && now < releasedAt + rideMs;
    }

    private void release(
            CheckRequest request, long now, TimerService timers, Collector<CheckRequest> out)
            throws Exception {
        if (rideMs > 0 && !request.rendered()) {
            releasedUrls.put(SharedFetches.keyOf(request), now);
            timers.registerProcessingTimeTimer(now + rideMs);
        }
        out.collect(request);
    }

    private void forgetReleasedUrls(long now) throws Exception {
        var entries = releasedUrls.iterator();
        while (entries.hasNext()) {
            if (entries.next().getValue() + rideMs <= now) {
                entries.remove();
            }
        }
        if (releasedUrls.isEmpty()) {
            releasedUrls.clear(); // an emptied heap map stays an entry until cleared
        }
    }

    private long spacingMs(String host) {
        long spacing = config.spacingFor(host).toMillis();
        spacingHistogram.update(spacing);
        // At least 1 ms: the release timer must lie after the release it follows.
        return Math.max(1, spacing);
    }
}
