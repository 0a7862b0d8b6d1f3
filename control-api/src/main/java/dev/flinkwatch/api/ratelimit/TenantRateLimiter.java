package dev.flinkwatch.api.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.flinkwatch.api.http.ApiException;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.javalin.http.HandlerType;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;

/**
 * Per-tenant token buckets, one for writes (POST, PUT, PATCH, DELETE) and one for reads, so one
 * tenant's burst never uses another's allowance. A request over its tenant's limit is refused with
 * 429 {@code rate_limited} and {@code Retry-After} (whole seconds until a token is back).
 *
 * <p>Buckets live in a cache bounded by {@link #MAX_TENANTS}. An idle bucket is dropped once it
 * would have refilled completely, so forgetting it changes nothing; only a size eviction (more than
 * {@link #MAX_TENANTS} tenants active within one refill time) can hand a tenant a fresh bucket
 * early. Limits are per API instance.
 */
public final class TenantRateLimiter {
    /** Tenants whose buckets are kept at once; a bucket is two small objects. */
    static final int MAX_TENANTS = 100_000;

    /**
     * One bucket's shape.
     *
     * @param perMinute tokens added per minute, continuously; 0 disables the limit
     * @param burst the bucket's capacity: requests that may come at once after a quiet period
     */
    public record Limit(int perMinute, int burst) {
        public Limit {
            if (perMinute < 0) {
                throw new IllegalArgumentException("a rate limit must be at least 0 per minute");
            }
            if (perMinute > 0 && burst < 1) {
                throw new IllegalArgumentException("a rate limit's burst must be at least 1");
            }
        }

        boolean enabled() {
            return perMinute > 0;
        }

        /** How long an empty bucket takes to fill up again. */
        Duration refillTime() {
            return Duration.ofNanos(
                    (long) Math.ceil(burst * (double) Duration.ofMinutes(1).toNanos() / perMinute));
        }
    }

    /** Which bucket a request takes its token from. */
    public enum Kind {
        READ,
        WRITE;

        public static Kind of(HandlerType method) {
            return switch (method) {
                case POST, PUT, PATCH, DELETE -> WRITE;
                default -> READ;
            };
        }
    }

    private record Key(UUID tenant, Kind kind) {}

    private final Limit writes;
    private final Limit reads;
    private final TimeMeter time;
    private final Cache<Key, Bucket> buckets;

    public TenantRateLimiter(Limit writes, Limit reads) {
        this(writes, reads, TimeMeter.SYSTEM_NANOTIME);
    }

    /** With a given clock (tests). */
    TenantRateLimiter(Limit writes, Limit reads, TimeMeter time) {
        this.writes = writes;
        this.reads = reads;
        this.time = time;
        Duration idle = Duration.ofSeconds(1);
        for (Limit l : new Limit[] {writes, reads}) {
            if (l.enabled() && l.refillTime().compareTo(idle) > 0) {
                idle = l.refillTime();
            }
        }
        this.buckets =
                Caffeine.newBuilder()
                        .maximumSize(MAX_TENANTS)
                        .expireAfterAccess(idle)
                        .ticker(time::currentTimeNanos)
                        .build();
    }

    /**
     * Takes one token from the tenant's bucket for this kind of request.
     *
     * @throws ApiException 429 {@code rate_limited} with the seconds to wait, when it is empty
     */
    public void acquire(UUID tenant, Kind kind) {
        Limit limit = kind == Kind.WRITE ? writes : reads;
        if (!limit.enabled()) {
            return;
        }
        ConsumptionProbe probe =
                buckets.get(new Key(tenant, kind), k -> bucket(limit))
                        .tryConsumeAndReturnRemaining(1);
        if (!probe.isConsumed()) {
            long seconds = Math.max(1, ceilSeconds(probe.getNanosToWaitForRefill()));
            throw ApiException.rateLimited(
                    "too many "
                            + kind.name().toLowerCase(Locale.ROOT)
                            + " requests for this tenant (limit "
                            + limit.perMinute()
                            + " per minute, burst "
                            + limit.burst()
                            + "); retry after "
                            + seconds
                            + " s",
                    seconds);
        }
    }

    private Bucket bucket(Limit limit) {
        return Bucket.builder()
                .addLimit(
                        b ->
                                b.capacity(limit.burst())
                                        .refillGreedy(limit.perMinute(), Duration.ofMinutes(1)))
                .withCustomTimePrecision(time)
                .build();
    }

    private static long ceilSeconds(long nanos) {
        long second = Duration.ofSeconds(1).toNanos();
        return (nanos + second - 1) / second;
    }
}
