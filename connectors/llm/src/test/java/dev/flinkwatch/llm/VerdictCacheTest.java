package dev.flinkwatch.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class VerdictCacheTest {
    private static final Judgement YES =
            new Judgement(VerdictStatus.TRIGGERED, "r", null, "m", 10, 2, null);

    private final AtomicInteger calls = new AtomicInteger();

    @Test
    void identicalRequestsJoinTheCallInFlightThenHitTheCache() {
        VerdictCache cache = new VerdictCache(10);
        CompletableFuture<Judgement> call = new CompletableFuture<>();

        VerdictCache.Lookup first = cache.findOrCall("k", () -> true, () -> started(call));
        VerdictCache.Lookup second = cache.findOrCall("k", () -> true, () -> started(call));
        call.complete(YES);
        VerdictCache.Lookup third = cache.findOrCall("k", () -> true, () -> started(call));

        assertThat(first.source()).isEqualTo(VerdictCache.Source.CALLED);
        assertThat(second.source()).isEqualTo(VerdictCache.Source.JOINED);
        assertThat(third.source()).isEqualTo(VerdictCache.Source.CACHED);
        assertThat(third.judgement()).isCompletedWithValue(YES);
        assertThat(calls).hasValue(1);
        assertThat(cache.inFlightCount()).isZero();
    }

    @Test
    void errorsAreNotKept() {
        VerdictCache cache = new VerdictCache(10);
        Judgement error = Judgement.failed("boom", null, 0, 0);

        cache.findOrCall("k", () -> true, () -> started(CompletableFuture.completedFuture(error)));
        VerdictCache.Lookup again =
                cache.findOrCall("k", () -> true, () -> started(new CompletableFuture<>()));

        assertThat(again.source()).isEqualTo(VerdictCache.Source.CALLED);
        assertThat(calls).hasValue(2);
    }

    @Test
    void evictsTheLeastRecentlyUsed() {
        VerdictCache cache = new VerdictCache(2);
        for (String key : new String[] {"a", "b"}) {
            cache.findOrCall(
                    key, () -> true, () -> started(CompletableFuture.completedFuture(YES)));
        }
        cache.findOrCall("a", () -> true, () -> started(new CompletableFuture<>())); // touch a
        cache.findOrCall("c", () -> true, () -> started(CompletableFuture.completedFuture(YES)));

        assertThat(
                        cache.findOrCall("a", () -> true, () -> started(new CompletableFuture<>()))
                                .source())
                .isEqualTo(VerdictCache.Source.CACHED);
        assertThat(
                        cache.findOrCall("b", () -> true, () -> started(new CompletableFuture<>()))
                                .source())
                .isEqualTo(VerdictCache.Source.CALLED);
    }

    @Test
    void budgetIsAskedOnlyWhenACallIsNeeded() {
        VerdictCache cache = new VerdictCache(10);
        cache.findOrCall("k", () -> true, () -> started(CompletableFuture.completedFuture(YES)));

        assertThat(cache.findOrCall("k", () -> false, () -> started(new CompletableFuture<>())))
                .isNotNull();
        assertThat(cache.findOrCall("other", () -> false, () -> started(new CompletableFuture<>())))
                .isNull();
        assertThat(calls).hasValue(1);
    }

    private CompletableFuture<Judgement> started(CompletableFuture<Judgement> call) {
        calls.incrementAndGet();
        return call;
    }
}
