package dev.flinkwatch.fetch;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * A bounded (LRU) cache of asynchronous lookups whose lifetime is decided by their outcome: callers
 * asking for a key while its lookup runs share that lookup; once it completes, {@code ttl} says how
 * long the value (or failure) is reused, zero meaning not at all.
 */
final class ExpiringCache<V> {
    private static final class Entry<V> {
        final CompletableFuture<V> value;
        volatile long expiresAt = Long.MAX_VALUE; // while loading: never stale

        Entry(CompletableFuture<V> value) {
            this.value = value;
        }
    }

    private final Map<String, Entry<V>> entries;

    ExpiringCache(int maxEntries) {
        this.entries =
                new LinkedHashMap<>(256, 0.75f, true) {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<String, Entry<V>> eldest) {
                        return size() > maxEntries;
                    }
                };
    }

    CompletableFuture<V> get(
            String key,
            Supplier<CompletableFuture<V>> load,
            BiFunction<V, Throwable, Duration> ttl) {
        Entry<V> entry;
        synchronized (entries) {
            entry = entries.get(key);
            if (entry != null && System.nanoTime() - entry.expiresAt < 0) {
                return entry.value;
            }
            entry = new Entry<>(new CompletableFuture<>());
            entries.put(key, entry);
        }
        Entry<V> loading = entry;
        CompletableFuture<V> loaded;
        try {
            loaded = load.get();
        } catch (RuntimeException e) {
            loaded = CompletableFuture.failedFuture(e);
        }
        loaded.whenComplete(
                (value, error) -> {
                    loading.expiresAt = System.nanoTime() + ttl.apply(value, error).toNanos();
                    if (error == null) {
                        loading.value.complete(value);
                    } else {
                        loading.value.completeExceptionally(error);
                    }
                });
        return loading.value;
    }
}
