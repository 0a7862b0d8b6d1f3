package dev.flinkwatch.llm;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Judgements by {@link VerdictKey} within one subtask: a bounded Caffeine cache of finished
 * decisions (size limit, expiry after write) plus the calls in flight, so identical requests of a
 * tenant arriving together share one call (coalescing) and later ones reuse its answer. Errors are
 * not kept: the next request for that key calls again.
 */
final class VerdictCache {
    /** How a lookup was answered. */
    enum Source {
        /** A finished decision from the cache. */
        CACHED,
        /** Joined a call already in flight for the same key. */
        JOINED,
        /** Started a new call. */
        CALLED
    }

    record Lookup(Source source, CompletableFuture<Judgement> judgement) {}

    private final Cache<VerdictKey, Judgement> decided;
    // bounded by the async capacity: every entry is a request waiting in the operator
    private final Map<VerdictKey, CompletableFuture<Judgement>> inFlight = new HashMap<>();

    VerdictCache(int maxEntries, Duration ttl) {
        this(maxEntries, ttl, Ticker.systemTicker());
    }

    VerdictCache(int maxEntries, Duration ttl, Ticker ticker) {
        this.decided =
                Caffeine.newBuilder()
                        .maximumSize(maxEntries)
                        .expireAfterWrite(ttl)
                        .ticker(ticker)
                        // maintenance on the calling thread: deterministic, no common-pool work
                        .executor(Runnable::run)
                        .build();
    }

    /**
     * A finished decision or a call in flight for the key; else starts the call and registers it,
     * so requests for the same key arriving before it finishes join it.
     *
     * @param call asked only when a call is needed: starts it, or returns null when it may not be
     *     made (the tenant's token budget has no room)
     * @return null when a call was needed and not made
     */
    synchronized Lookup findOrCall(VerdictKey key, Supplier<CompletableFuture<Judgement>> call) {
        Judgement hit = decided.getIfPresent(key);
        if (hit != null) {
            return new Lookup(Source.CACHED, CompletableFuture.completedFuture(hit));
        }
        CompletableFuture<Judgement> running = inFlight.get(key);
        if (running != null) {
            return new Lookup(Source.JOINED, running);
        }
        CompletableFuture<Judgement> started = call.get();
        if (started == null) {
            return null;
        }
        inFlight.put(key, started);
        started.whenComplete((judgement, failure) -> finished(key, started, judgement));
        return new Lookup(Source.CALLED, started);
    }

    private synchronized void finished(
            VerdictKey key, CompletableFuture<Judgement> call, Judgement judgement) {
        inFlight.remove(key, call);
        if (judgement != null && judgement.cacheable()) {
            decided.put(key, judgement);
        }
    }

    /** Distinct calls in flight, for a gauge. */
    synchronized int inFlightCount() {
        return inFlight.size();
    }

    /** Decisions held, after pending evictions ran. */
    long size() {
        decided.cleanUp();
        return decided.estimatedSize();
    }
}
