package dev.flinkwatch.llm;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.io.IOException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.flink.metrics.SimpleCounter;
import org.junit.jupiter.api.Test;

class TenantBreakersTest {
    private static final UUID A = UUID.randomUUID();
    private static final UUID B = UUID.randomUUID();

    private final SimpleCounter opened = new SimpleCounter();
    private final TenantBreakers breakers =
            new TenantBreakers(
                    LlmConfig.fromEnv(
                            Map.of(
                                    "OPENAI_BASE_URL", "http://llm.invalid/v1",
                                    "MONITOR_LLM_BREAKER_WINDOW", "4",
                                    "MONITOR_LLM_BREAKER_OPEN_MS", "600000")),
                    opened);

    @Test
    void oneTenantsFailuresOpenOnlyItsOwnBreaker() {
        for (int i = 0; i < 4; i++) {
            fail(B);
            succeed(A);
        }

        assertThat(breakers.of(B).getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(breakers.of(B).tryAcquirePermission()).isFalse();
        assertThat(breakers.of(A).getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(breakers.of(A).tryAcquirePermission()).isTrue();
        assertThat(opened.getCount()).isEqualTo(1);
        assertThat(breakers.openCount()).isEqualTo(1);
    }

    @Test
    void aBadRequestDoesNotCountAsUnavailability() {
        for (int i = 0; i < 4; i++) {
            CircuitBreaker breaker = breakers.of(B);
            breaker.tryAcquirePermission();
            breaker.onError(0, TimeUnit.NANOSECONDS, new IllegalArgumentException("bad request"));
        }

        assertThat(breakers.of(B).getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(opened.getCount()).isZero();
    }

    private void fail(UUID tenant) {
        CircuitBreaker breaker = breakers.of(tenant);
        breaker.tryAcquirePermission();
        breaker.onError(0, TimeUnit.NANOSECONDS, new IOException("read timed out"));
    }

    private void succeed(UUID tenant) {
        CircuitBreaker breaker = breakers.of(tenant);
        breaker.tryAcquirePermission();
        breaker.onSuccess(0, TimeUnit.NANOSECONDS);
    }
}
