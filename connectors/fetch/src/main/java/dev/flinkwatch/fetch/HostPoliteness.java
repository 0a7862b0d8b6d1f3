package dev.flinkwatch.fetch;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ToLongFunction;

/**
 * Request slots per host name and per resolved address: at most {@code maxPerHost} requests in
 * flight to one host name, spaced by its delay (the minimum delay or override, its robots.txt
 * Crawl-delay, raised while it backs off) and none before a hold it asked for (Retry-After) ends,
 * and at most {@code maxPerAddress} to one IP address whatever names point to it. Waiting is a
 * queued future that a scheduler completes later, so a busy host never holds a thread; and it is
 * bounded, because a waiting request holds async capacity: at most {@code maxWaiting} wait per name
 * or address, each for at most {@code maxWait}, and a request beyond either ends as {@link
 * FetchStatus#HOST_BUSY}. So one slow or popular host takes at most {@code maxPerHost + maxWaiting}
 * of a subtask's slots, one address {@code maxPerAddress + maxWaiting}. A request whose host is
 * held for longer than it could wait ends as HOST_BUSY at once.
 */
final class HostPoliteness {
    /**
     * A granted slot; release it exactly when the request is over (releasing twice is harmless).
     */
    interface Permit {
        void release();
    }

    private final int maxPerHost;
    private final int maxPerAddress;
    private final int maxWaiting;
    private final long maxWaitNanos;
    private final ToLongFunction<String> spacingNanos;
    private final ToLongFunction<String> holdNanos;
    private final ScheduledExecutorService scheduler;
    private final Map<String, Gate> gates = new ConcurrentHashMap<>();

    /**
     * @param spacing the minimum time between two starts for a host name
     * @param hold how long from now a host name may not be contacted at all
     */
    HostPoliteness(
            int maxPerHost,
            int maxPerAddress,
            int maxWaiting,
            Duration maxWait,
            ToLongFunction<String> spacing,
            ToLongFunction<String> hold,
            ScheduledExecutorService scheduler) {
        this.maxPerHost = maxPerHost;
        this.maxPerAddress = maxPerAddress;
        this.maxWaiting = maxWaiting;
        this.maxWaitNanos = maxWait.toNanos();
        this.spacingNanos = spacing;
        this.holdNanos = hold;
        this.scheduler = scheduler;
    }

    /**
     * A future slot for the host name and the address it resolved to; fails with HOST_BUSY when
     * either has no room within the bounds, or with the caller's failure when the caller completes
     * it first (its own deadline).
     */
    CompletableFuture<Permit> acquire(String host, InetAddress address, long deadlineNanos) {
        CompletableFuture<Permit> result = new CompletableFuture<>();
        CompletableFuture<Permit> name = acquire("host " + host, host, maxPerHost, deadlineNanos);
        // A caller that gives up (completes the result) leaves the wait lists too.
        result.whenComplete(
                (p, e) -> {
                    if (e != null) {
                        name.completeExceptionally(e);
                    }
                });
        name.whenComplete(
                (hostPermit, hostError) -> {
                    if (hostError != null) {
                        result.completeExceptionally(FetchFailure.from(hostError));
                        return;
                    }
                    CompletableFuture<Permit> byAddress =
                            acquire(
                                    "address " + address.getHostAddress(),
                                    null,
                                    maxPerAddress,
                                    deadlineNanos);
                    result.whenComplete(
                            (p, e) -> {
                                if (e != null) {
                                    byAddress.completeExceptionally(e);
                                }
                            });
                    byAddress.whenComplete(
                            (addressPermit, addressError) -> {
                                if (addressError != null) {
                                    hostPermit.release();
                                    result.completeExceptionally(FetchFailure.from(addressError));
                                    return;
                                }
                                Permit both =
                                        () -> {
                                            addressPermit.release();
                                            hostPermit.release();
                                        };
                                if (!result.complete(both)) {
                                    both.release(); // the caller gave up meanwhile
                                }
                            });
                });
        return result;
    }

    /**
     * Names and addresses with a gate (active, waiting, or within the delay of their last start).
     */
    int trackedHosts() {
        return gates.size();
    }

    /**
     * @param spacedHost the host name whose spacing applies, or null for none (addresses)
     */
    private CompletableFuture<Permit> acquire(
            String key, String spacedHost, int maxActive, long deadlineNanos) {
        CompletableFuture<Permit> waiter = new CompletableFuture<>();
        long wait = Math.min(maxWaitNanos, deadlineNanos - System.nanoTime());
        long hold = spacedHost == null ? 0 : holdNanos.applyAsLong(spacedHost);
        if (hold > Math.max(0, wait)) {
            // Waiting could not outlast the hold: skip now rather than hold async capacity.
            waiter.completeExceptionally(
                    new FetchFailure(
                            FetchStatus.HOST_BUSY,
                            HostBackoffs.holdMessage(spacedHost, Duration.ofNanos(hold))));
            return waiter;
        }
        boolean[] queued = new boolean[1];
        // Enqueue inside compute(), so an idle gate cannot be removed between lookup and enqueue.
        Gate gate =
                gates.compute(
                        key,
                        (k, g) -> {
                            Gate target = g == null ? new Gate(k, spacedHost, maxActive) : g;
                            queued[0] = target.enqueue(waiter);
                            return target;
                        });
        if (!queued[0]) {
            // Failed outside compute(): completion runs the caller's next steps.
            waiter.completeExceptionally(gate.busy("its wait list is full"));
            return waiter;
        }
        gate.drain();
        if (!waiter.isDone()) {
            ScheduledFuture<?> giveUp =
                    scheduler.schedule(
                            () ->
                                    waiter.completeExceptionally(
                                            gate.busy(
                                                    "no slot within "
                                                            + TimeUnit.NANOSECONDS.toMillis(
                                                                    Math.max(0, wait))
                                                            + " ms")),
                            Math.max(0, wait),
                            TimeUnit.NANOSECONDS);
            waiter.whenComplete((p, e) -> giveUp.cancel(false));
        }
        return waiter;
    }

    private final class Gate {
        private final String key;
        private final String spacedHost;
        private final int maxActive;
        private final ArrayDeque<CompletableFuture<Permit>> waiting = new ArrayDeque<>();
        private int active;
        private long nextStart = System.nanoTime();
        private boolean drainScheduled;

        Gate(String key, String spacedHost, int maxActive) {
            this.key = key;
            this.spacedHost = spacedHost;
            this.maxActive = maxActive;
        }

        /** Queues the waiter; false when it would have to wait and the wait list is full. */
        synchronized boolean enqueue(CompletableFuture<Permit> waiter) {
            waiting.removeIf(CompletableFuture::isDone);
            boolean grantable =
                    waiting.isEmpty() && active < maxActive && System.nanoTime() - start() >= 0;
            if (!grantable && waiting.size() >= maxWaiting) {
                return false;
            }
            waiting.add(waiter);
            return true;
        }

        /** The key names an address for gates by address: tenants see only the host. */
        FetchFailure busy(String why) {
            String what = spacedHost != null ? key : "the address of this host";
            synchronized (this) {
                return new FetchFailure(
                        FetchStatus.HOST_BUSY,
                        what
                                + " is busy ("
                                + active
                                + " requests in flight, "
                                + why
                                + "); check skipped");
            }
        }

        void drain() {
            List<CompletableFuture<Permit>> granted = new ArrayList<>();
            boolean idle;
            synchronized (this) {
                long now = System.nanoTime();
                while (!waiting.isEmpty() && active < maxActive) {
                    long start = start();
                    if (now - start < 0) {
                        scheduleDrain(start - now);
                        break;
                    }
                    CompletableFuture<Permit> waiter = waiting.poll();
                    if (waiter.isDone()) {
                        continue; // gave up waiting
                    }
                    active++;
                    nextStart =
                            now + (spacedHost == null ? 0 : spacingNanos.applyAsLong(spacedHost));
                    granted.add(waiter);
                }
                idle = active == 0 && waiting.isEmpty();
                if (idle && now - nextStart < 0) {
                    // Keep the gate until its delay has passed, then forget the host.
                    scheduleDrain(nextStart - now);
                    idle = false;
                }
            }
            if (idle) {
                gates.computeIfPresent(key, (h, g) -> g == this && g.isIdle() ? null : g);
            }
            // Complete outside the lock: completion runs the caller's next steps.
            for (CompletableFuture<Permit> waiter : granted) {
                Permit permit = new GatePermit(this);
                if (!waiter.complete(permit)) {
                    permit.release();
                }
            }
        }

        /** When the next request may start: its turn, and not before a hold ends. */
        private long start() {
            long hold = spacedHost == null ? 0 : holdNanos.applyAsLong(spacedHost);
            if (hold <= 0) {
                return nextStart;
            }
            long heldUntil = System.nanoTime() + hold;
            return heldUntil - nextStart > 0 ? heldUntil : nextStart;
        }

        private synchronized boolean isIdle() {
            return active == 0 && waiting.isEmpty() && System.nanoTime() - nextStart >= 0;
        }

        private void scheduleDrain(long delayNanos) {
            if (!drainScheduled) {
                drainScheduled = true;
                scheduler.schedule(
                        () -> {
                            synchronized (this) {
                                drainScheduled = false;
                            }
                            drain();
                        },
                        delayNanos,
                        TimeUnit.NANOSECONDS);
            }
        }

        void release() {
            synchronized (this) {
                active--;
            }
            drain();
        }
    }

    private static final class GatePermit implements Permit {
        private final Gate gate;
        private final AtomicBoolean released = new AtomicBoolean();

        GatePermit(Gate gate) {
            this.gate = gate;
        }

        @Override
        public void release() {
            if (released.compareAndSet(false, true)) {
                gate.release();
            }
        }
    }
}
