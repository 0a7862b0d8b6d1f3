package dev.flinkwatch.browser;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fixed number of {@link BrowserSlot}s (the per-instance concurrency cap) and a bounded wait for
 * one: a render beyond cap + queue is refused at once ({@link ErrorCode#BUSY}). Each render has a
 * hard deadline; one whose slot does not answer by then plus a grace is abandoned: the watchdog
 * kills that slot's processes and a new slot takes its place.
 */
final class BrowserPool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrowserPool.class);

    private final BrowserConfig config;
    private final PageRenderer renderer;
    private final RequestGuard guard;
    private final BrowserMetrics metrics;
    private final BlockingQueue<BrowserSlot> free;
    private final List<BrowserSlot> slots = new CopyOnWriteArrayList<>();
    private final AtomicInteger admitted = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger nextId = new AtomicInteger();
    private volatile boolean closed;

    BrowserPool(
            BrowserConfig config,
            PageRenderer renderer,
            RequestGuard guard,
            BrowserMetrics metrics) {
        this.config = config;
        this.renderer = renderer;
        this.guard = guard;
        this.metrics = metrics;
        this.free = new ArrayBlockingQueue<>(config.maxConcurrent());
        metrics.gauges(inFlight::get, () -> Math.max(0, admitted.get() - inFlight.get()));
        List<CompletableFuture<Void>> started = new ArrayList<>();
        for (int i = 0; i < config.maxConcurrent(); i++) {
            BrowserSlot slot = newSlot();
            started.add(slot.start());
            free.add(slot);
        }
        try {
            CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).join();
        } catch (RuntimeException e) {
            close();
            throw new IllegalStateException(
                    "Chromium did not start from " + config.chromiumPath(), e.getCause());
        }
    }

    /** Whether at least one browser is running. */
    boolean isUp() {
        return slots.stream().anyMatch(BrowserSlot::isUp);
    }

    int inFlight() {
        return inFlight.get();
    }

    /**
     * Renders a page within the request's timeout.
     *
     * @throws RenderFailure for every outcome but a page
     */
    RenderResult render(RenderRequest request) {
        long start = System.nanoTime();
        long deadline = start + request.timeout().toNanos();
        // Before a slot is taken: a refused document costs no browser time.
        guard.check(request.url().toString())
                .ifPresent(
                        r -> {
                            throw new RenderFailure(
                                    r.blocked()
                                            ? ErrorCode.BLOCKED_ADDRESS
                                            : ErrorCode.NAVIGATION_FAILED,
                                    r.message());
                        });
        if (admitted.incrementAndGet() > config.maxConcurrent() + config.maxQueued()) {
            admitted.decrementAndGet();
            throw new RenderFailure(
                    ErrorCode.BUSY, "all browser slots and the wait queue are full");
        }
        try {
            BrowserSlot slot = free.poll(remaining(deadline), TimeUnit.NANOSECONDS);
            if (slot == null) {
                throw new RenderFailure(ErrorCode.TIMEOUT, "no browser slot became free in time");
            }
            inFlight.incrementAndGet();
            return await(slot, slot.render(request, deadline, start), deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RenderFailure(ErrorCode.TIMEOUT, "interrupted while waiting for a slot");
        } finally {
            admitted.decrementAndGet();
        }
    }

    private RenderResult await(
            BrowserSlot slot, CompletableFuture<RenderResult> result, long deadline)
            throws InterruptedException {
        boolean healthy = false;
        BrowserSlot replacement = null;
        try {
            RenderResult page =
                    result.get(
                            remaining(deadline) + config.watchdogGrace().toNanos(),
                            TimeUnit.NANOSECONDS);
            healthy = true;
            return page;
        } catch (ExecutionException e) {
            healthy = true;
            if (e.getCause() instanceof RenderFailure failure) {
                throw failure;
            }
            LOG.warn("event=render_failed error={}", e.getCause().toString());
            throw new RenderFailure(ErrorCode.NAVIGATION_FAILED, "the render failed");
        } catch (TimeoutException e) {
            LOG.warn("event=watchdog_kill reason=render_hung");
            metrics.restarted("watchdog");
            slots.remove(slot);
            slot.kill();
            replacement = newSlot();
            replacement.start();
            throw new RenderFailure(ErrorCode.TIMEOUT, "the render did not finish in time");
        } catch (InterruptedException e) {
            // The render goes on without us: the slot comes back when it is done.
            result.whenComplete((page, error) -> free.add(slot));
            throw e;
        } finally {
            // Counted out before the slot is handed on, so the gauge never shows more than the cap.
            inFlight.decrementAndGet();
            if (healthy) {
                free.add(slot);
            } else if (replacement != null) {
                free.add(replacement);
            }
        }
    }

    private BrowserSlot newSlot() {
        BrowserSlot slot = new BrowserSlot(nextId.getAndIncrement(), config, renderer, metrics);
        if (!closed) {
            slots.add(slot);
        }
        return slot;
    }

    private static long remaining(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    /** Retry-After for a busy answer: about one render's time. */
    Duration retryAfter() {
        return Duration.ofSeconds(Math.max(1, config.defaultTimeout().toSeconds() / 5));
    }

    @Override
    public void close() {
        closed = true;
        slots.forEach(BrowserSlot::close);
        slots.clear();
    }
}
