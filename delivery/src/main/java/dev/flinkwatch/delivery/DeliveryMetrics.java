package dev.flinkwatch.delivery;

import java.util.concurrent.atomic.AtomicLong;

/** Counters of one delivery instance (attempt outcomes and alerts taken from the topic). */
public final class DeliveryMetrics {
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    void queued(int n) {
        queued.addAndGet(n);
    }

    void delivered() {
        delivered.incrementAndGet();
    }

    void retried() {
        retried.incrementAndGet();
    }

    void failed() {
        failed.incrementAndGet();
    }

    public long queuedCount() {
        return queued.get();
    }

    public long deliveredCount() {
        return delivered.get();
    }

    public long retriedCount() {
        return retried.get();
    }

    public long failedCount() {
        return failed.get();
    }
}
