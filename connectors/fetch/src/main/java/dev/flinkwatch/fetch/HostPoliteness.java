package dev.flinkwatch.fetch;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Per-host request slots: at most {@code maxConcurrent} requests in flight to one host, and at
 * least {@code minDelay} between the starts of two of them. Waiting is a queued future that a
 * scheduler completes later, so a busy host never holds a thread or delays other hosts.
 */
final class HostPoliteness {
    /**
     * A granted slot; release it exactly when the request is over (releasing twice is harmless).
     */
    interface Permit {
        void release();
    }

    private final int maxConcurrent;
    private final long minDelayNanos;
    private final ScheduledExecutorService scheduler;
    private final Map<String, Gate> gates = new ConcurrentHashMap<>();

    HostPoliteness(int maxConcurrent, Duration minDelay, ScheduledExecutorService scheduler) {
        this.maxConcurrent = maxConcurrent;
        this.minDelayNanos = minDelay.toNanos();
        this.scheduler = scheduler;
    }

    /**
     * A future slot for the host. Completing the future from outside (a timeout) gives up the place
     * in the queue.
     */
    CompletableFuture<Permit> acquire(String host) {
        CompletableFuture<Permit> waiter = new CompletableFuture<>();
        // Enqueue inside compute(), so an idle gate cannot be removed between lookup and enqueue.
        Gate gate =
                gates.compute(
                        host,
                        (h, g) -> {
                            Gate target = g == null ? new Gate(h) : g;
                            target.enqueue(waiter);
                            return target;
                        });
        gate.drain();
        return waiter;
    }

    /** Hosts with a gate (active, queued, or within the minimum delay of their last start). */
    int trackedHosts() {
        return gates.size();
    }

    private final class Gate {
        private final String host;
        private final ArrayDeque<CompletableFuture<Permit>> waiting = new ArrayDeque<>();
        private int active;
        private long nextStart = System.nanoTime();
        private boolean drainScheduled;

        Gate(String host) {
            this.host = host;
        }

        synchronized void enqueue(CompletableFuture<Permit> waiter) {
            waiting.add(waiter);
        }

        void drain() {
            List<CompletableFuture<Permit>> granted = new ArrayList<>();
            boolean idle;
            synchronized (this) {
                long now = System.nanoTime();
                while (!waiting.isEmpty() && active < maxConcurrent) {
                    if (now - nextStart < 0) {
                        scheduleDrain(nextStart - now);
                        break;
                    }
                    CompletableFuture<Permit> waiter = waiting.poll();
                    if (waiter.isDone()) {
                        continue; // gave up waiting
                    }
                    active++;
                    nextStart = now + minDelayNanos;
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
                gates.computeIfPresent(host, (h, g) -> g == this && g.isIdle() ? null : g);
            }
            // Complete outside the lock: completion runs the caller's next steps.
            for (CompletableFuture<Permit> waiter : granted) {
                Permit permit = new GatePermit(this);
                if (!waiter.complete(permit)) {
                    permit.release();
                }
            }
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
