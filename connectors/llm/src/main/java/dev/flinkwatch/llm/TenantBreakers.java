package dev.flinkwatch.llm;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.util.UUID;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One circuit breaker (resilience4j) per tenant within a subtask: a tenant whose prompts make the
 * endpoint fail or time out opens only its own breaker, every other tenant's calls go on. Held in a
 * bounded Caffeine cache: idle tenants' breakers expire, and beyond {@link #MAX_TENANTS} the least
 * valuable are evicted (an evicted breaker only forgets that tenant's recent failures).
 */
final class TenantBreakers {
    /** About 1.8 KB each with the default window of 20 calls (measured): some 18 MB per subtask. */
    static final int MAX_TENANTS = 10_000;

    /** An open breaker is touched by every request it rejects, so only quiet tenants expire. */
    private static final Duration IDLE = Duration.ofMinutes(10);

    private static final Logger LOG = LoggerFactory.getLogger(TenantBreakers.class);
    private static final int PROBE_CALLS = 2;

    private final CircuitBreakerConfig config;
    private final Counter opened;
    private final Cache<UUID, CircuitBreaker> breakers;

    /**
     * @param opened counts transitions of any tenant's breaker into OPEN
     */
    TenantBreakers(LlmConfig llm, Counter opened) {
        this.opened = opened;
        this.config =
                CircuitBreakerConfig.custom()
                        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                        .slidingWindowSize(llm.breakerWindow())
                        .minimumNumberOfCalls(llm.breakerWindow())
                        .failureRateThreshold(llm.breakerFailureRatePercent())
                        .waitDurationInOpenState(llm.breakerOpenDuration())
                        .permittedNumberOfCallsInHalfOpenState(PROBE_CALLS)
                        .recordException(ChatJudge::isUnavailability)
                        .build();
        this.breakers =
                Caffeine.newBuilder()
                        .maximumSize(MAX_TENANTS)
                        .expireAfterAccess(IDLE)
                        // maintenance on the calling thread: no common-pool work in a task manager
                        .executor(Runnable::run)
                        .build();
    }

    /** The tenant's breaker, created closed on first use. */
    CircuitBreaker of(UUID tenant) {
        return breakers.get(tenant, this::create);
    }

    private CircuitBreaker create(UUID tenant) {
        CircuitBreaker breaker = CircuitBreaker.of("llm-" + tenant, config);
        breaker.getEventPublisher()
                .onStateTransition(
                        event -> {
                            CircuitBreaker.State to = event.getStateTransition().getToState();
                            if (to == CircuitBreaker.State.OPEN) {
                                opened.inc();
                            }
                            LOG.warn(
                                    "llm breaker transition={} tenant={}",
                                    event.getStateTransition(),
                                    tenant);
                        });
        return breaker;
    }

    /** Tenants whose breaker is open right now, for a gauge. */
    int openCount() {
        return (int)
                breakers.asMap().values().stream()
                        .filter(b -> b.getState() == CircuitBreaker.State.OPEN)
                        .count();
    }
}
