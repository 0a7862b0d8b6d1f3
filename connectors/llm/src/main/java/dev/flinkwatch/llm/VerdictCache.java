package dev.flinkwatch.llm;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Judgements by cache key (condition hash, content hash, model) within one subtask: a bounded LRU
 * of finished decisions plus the calls in flight, so identical requests arriving together share one
 * call (coalescing) and later ones reuse its answer. Errors are not kept: the next request for that
 * key calls again.
 */
final class VerdictCache {
    /** How a lookup was answered. */
    enum Source {
        /** A finished decision from the LRU. */
        CACHED,
        /** Joined a call already in flight for the same key. */
        JOINED,
        /** Started a new call. */
        CALLED
    }

    record Lookup(Source source, CompletableFuture<Judgement> judgement) {}

    private final int maxEntries;
    private final Map<String, Judgement> decided;
    private final Map<String, CompletableFuture<Judgement>> inFlight = new HashMap<>();

    VerdictCache(int maxEntries) {
        this.maxEntries = maxEntries;
        this.decided =
                new LinkedHashMap<>(16, 0.75f, true) {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<String, Judgement> eldest) {
                        return size() > VerdictCache.this.maxEntries;
                    }
                };
    }

    private Lookup find(String key) {
        Judgement hit = decided.get(key);
        if (hit != null) {
            return new Lookup(Source.CACHED, CompletableFuture.completedFuture(hit));
        }
        CompletableFuture<Judgement> running = inFlight.get(key);
        return running == null ? null : new Lookup(Source.JOINED, running);
    }

    /**
     * A finished decision or a call in flight for the key; else starts the call and registers it,
     * so requests for the same key arriving before it finishes join it.
     *
     * @param admit asked only when a call is needed: whether one may be made (the token budget)
     * @return null when a call was needed and not admitted
     */
    synchronized Lookup findOrCall(
            String key, BooleanSupplier admit, Supplier<CompletableFuture<Judgement>> call) {
        Lookup existing = find(key);
        if (existing != null) {
            return existing;
        }
        if (!admit.getAsBoolean()) {
            return null;
        }
        CompletableFuture<Judgement> started = call.get();
        inFlight.put(key, started);
        started.whenComplete((judgement, failure) -> finished(key, started, judgement));
        return new Lookup(Source.CALLED, started);
    }

    private synchronized void finished(
            String key, CompletableFuture<Judgement> call, Judgement judgement) {
        inFlight.remove(key, call);
        if (judgement != null && judgement.cacheable() && maxEntries > 0) {
            decided.put(key, judgement);
        }
    }

    /** Distinct calls in flight, for a gauge. */
    synchronized int inFlightCount() {
        return inFlight.size();
    }
}
