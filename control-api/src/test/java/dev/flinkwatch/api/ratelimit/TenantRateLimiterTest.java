package dev.flinkwatch.api.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkwatch.api.http.ApiException;
import dev.flinkwatch.api.ratelimit.TenantRateLimiter.Kind;
import dev.flinkwatch.api.ratelimit.TenantRateLimiter.Limit;
import io.github.bucket4j.TimeMeter;
import io.javalin.http.HandlerType;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TenantRateLimiterTest {
    private static final UUID A = UUID.fromString("00000000-0000-0000-0000-00000000000a");
    private static final UUID B = UUID.fromString("00000000-0000-0000-0000-00000000000b");

    /** A clock that moves only when told. */
    private static final class ManualTime implements TimeMeter {
        long nanos = 1_000_000_000L;

        void advance(Duration d) {
            nanos += d.toNanos();
        }

        @Override
        public long currentTimeNanos() {
            return nanos;
        }

        @Override
        public boolean isWallClockBased() {
            return false;
        }
    }

    private final ManualTime time = new ManualTime();

    @Test
    void aBurstPassesThenTheNextWriteIs429WithTheSecondsUntilATokenIsBack() {
        // 6 per minute: one token every 10 s
        TenantRateLimiter limiter = new TenantRateLimiter(new Limit(6, 3), new Limit(0, 0), time);
        for (int i = 0; i < 3; i++) {
            limiter.acquire(A, Kind.WRITE);
        }
        ApiException refused = refused(limiter, A, Kind.WRITE);
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.code()).isEqualTo("rate_limited");
        assertThat(refused.retryAfterSeconds()).isEqualTo(10);
        assertThat(refused.getMessage()).contains("write").contains("6 per minute");

        time.advance(Duration.ofSeconds(4));
        assertThat(refused(limiter, A, Kind.WRITE).retryAfterSeconds())
                .as("rounded up to whole seconds")
                .isEqualTo(6);
        time.advance(Duration.ofSeconds(6));
        assertThatCode(() -> limiter.acquire(A, Kind.WRITE)).doesNotThrowAnyException();
        assertThat(refused(limiter, A, Kind.WRITE).retryAfterSeconds()).isEqualTo(10);
    }

    @Test
    void tenantsHaveTheirOwnBuckets() {
        TenantRateLimiter limiter = new TenantRateLimiter(new Limit(1, 2), new Limit(0, 0), time);
        limiter.acquire(A, Kind.WRITE);
        limiter.acquire(A, Kind.WRITE);
        refused(limiter, A, Kind.WRITE);
        assertThatCode(
                        () -> {
                            limiter.acquire(B, Kind.WRITE);
                            limiter.acquire(B, Kind.WRITE);
                        })
                .as("A's empty bucket is not B's")
                .doesNotThrowAnyException();
        refused(limiter, B, Kind.WRITE);
    }

    @Test
    void readsAndWritesAreLimitedSeparatelyAndARateOfZeroIsUnlimited() {
        TenantRateLimiter writesOnly =
                new TenantRateLimiter(new Limit(1, 1), new Limit(0, 0), time);
        writesOnly.acquire(A, Kind.WRITE);
        refused(writesOnly, A, Kind.WRITE);
        for (int i = 0; i < 10_000; i++) {
            writesOnly.acquire(A, Kind.READ);
        }

        TenantRateLimiter both = new TenantRateLimiter(new Limit(1, 1), new Limit(60, 2), time);
        both.acquire(A, Kind.WRITE);
        both.acquire(A, Kind.READ);
        both.acquire(A, Kind.READ);
        assertThat(refused(both, A, Kind.READ).getMessage()).contains("read");
        assertThat(refused(both, A, Kind.READ).retryAfterSeconds()).isEqualTo(1);
    }

    @Test
    void anIdleTenantGetsAFullBucketBackAfterTheRefillTime() {
        TenantRateLimiter limiter = new TenantRateLimiter(new Limit(60, 5), new Limit(0, 0), time);
        for (int i = 0; i < 5; i++) {
            limiter.acquire(A, Kind.WRITE);
        }
        refused(limiter, A, Kind.WRITE);
        time.advance(new Limit(60, 5).refillTime());
        for (int i = 0; i < 5; i++) {
            limiter.acquire(A, Kind.WRITE);
        }
        refused(limiter, A, Kind.WRITE);
    }

    @Test
    void methodsThatChangeStateAreWrites() {
        assertThat(Kind.of(HandlerType.POST)).isEqualTo(Kind.WRITE);
        assertThat(Kind.of(HandlerType.PUT)).isEqualTo(Kind.WRITE);
        assertThat(Kind.of(HandlerType.PATCH)).isEqualTo(Kind.WRITE);
        assertThat(Kind.of(HandlerType.DELETE)).isEqualTo(Kind.WRITE);
        assertThat(Kind.of(HandlerType.GET)).isEqualTo(Kind.READ);
        assertThat(Kind.of(HandlerType.HEAD)).isEqualTo(Kind.READ);
    }

    @Test
    void limitsAreValidated() {
        assertThatThrownBy(() -> new Limit(-1, 1)).hasMessageContaining("at least 0");
        assertThatThrownBy(() -> new Limit(10, 0)).hasMessageContaining("burst");
        assertThat(new Limit(6, 3).refillTime()).isEqualTo(Duration.ofSeconds(30));
    }

    private static ApiException refused(TenantRateLimiter limiter, UUID tenant, Kind kind) {
        try {
            limiter.acquire(tenant, kind);
        } catch (ApiException e) {
            return e;
        }
        throw new AssertionError("expected 429 for " + tenant + " " + kind);
    }
}
