package dev.flinkwatch.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class VerdictCacheTest {
    private static final Judgement YES =
            new Judgement(VerdictStatus.TRIGGERED, "r", null, "m", 10, 2, null);
    private static final VerdictKey K = key("k");

    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicLong nanos = new AtomicLong();

    private VerdictCache cache(int size) {
        return new VerdictCache(size, Duration.ofHours(1), nanos::get);
    }

    @Test
    void identicalRequestsJoinTheCallInFlightThenHitTheCache() {
        VerdictCache cache = cache(10);
        CompletableFuture<Judgement> call = new CompletableFuture<>();

        VerdictCache.Lookup first = cache.findOrCall(K, () -> started(call));
        VerdictCache.Lookup second = cache.findOrCall(K, () -> started(call));
        call.complete(YES);
        VerdictCache.Lookup third = cache.findOrCall(K, () -> started(call));

        assertThat(first.source()).isEqualTo(VerdictCache.Source.CALLED);
        assertThat(second.source()).isEqualTo(VerdictCache.Source.JOINED);
        assertThat(third.source()).isEqualTo(VerdictCache.Source.CACHED);
        assertThat(third.judgement()).isCompletedWithValue(YES);
        assertThat(calls).hasValue(1);
        assertThat(cache.inFlightCount()).isZero();
    }

    @Test
    void errorsAreNotKept() {
        VerdictCache cache = cache(10);
        Judgement error = Judgement.failed("boom", null, 0, 0);

        cache.findOrCall(K, () -> started(CompletableFuture.completedFuture(error)));
        VerdictCache.Lookup again = cache.findOrCall(K, () -> started(new CompletableFuture<>()));

        assertThat(again.source()).isEqualTo(VerdictCache.Source.CALLED);
        assertThat(calls).hasValue(2);
    }

    @Test
    void staysWithinItsSize() {
        VerdictCache cache = cache(100);
        for (int i = 0; i < 1_000; i++) {
            cache.findOrCall(key("k" + i), () -> started(CompletableFuture.completedFuture(YES)));
        }

        assertThat(cache.size()).isLessThanOrEqualTo(100);
    }

    @Test
    void aDecisionExpiresAfterItsTimeToLive() {
        VerdictCache cache = cache(10);
        cache.findOrCall(K, () -> started(CompletableFuture.completedFuture(YES)));

        nanos.addAndGet(Duration.ofMinutes(59).toNanos());
        assertThat(cache.findOrCall(K, () -> started(new CompletableFuture<>())).source())
                .isEqualTo(VerdictCache.Source.CACHED);
        nanos.addAndGet(Duration.ofMinutes(2).toNanos());
        assertThat(cache.findOrCall(K, () -> started(new CompletableFuture<>())).source())
                .isEqualTo(VerdictCache.Source.CALLED);
    }

    @Test
    void theCallIsAskedOnlyWhenNeededAndMayRefuse() {
        VerdictCache cache = cache(10);
        cache.findOrCall(K, () -> started(CompletableFuture.completedFuture(YES)));

        assertThat(cache.findOrCall(K, () -> null)).as("cached, no call needed").isNotNull();
        assertThat(cache.findOrCall(key("other"), () -> null)).as("refused").isNull();
        assertThat(cache.inFlightCount()).isZero();
        assertThat(calls).hasValue(1);
    }

    @Test
    void sizeZeroKeepsNothingButStillCoalesces() {
        VerdictCache cache = cache(0);
        CompletableFuture<Judgement> call = new CompletableFuture<>();
        cache.findOrCall(K, () -> started(call));

        assertThat(cache.findOrCall(K, () -> started(call)).source())
                .isEqualTo(VerdictCache.Source.JOINED);
        call.complete(YES);
        assertThat(cache.findOrCall(K, () -> started(new CompletableFuture<>())).source())
                .isEqualTo(VerdictCache.Source.CALLED);
    }

    private static VerdictKey key(String text) {
        return VerdictKey.of(
                Requests.request(new UUID(1, 1), new UUID(2, 2), "c", "", text), "m", 1_000);
    }

    private CompletableFuture<Judgement> started(CompletableFuture<Judgement> call) {
        calls.incrementAndGet();
        return call;
    }
}
