package dev.flinkwatch.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkwatch.model.CheckOutcome;
import dev.flinkwatch.model.CheckResult;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class LlmRequestTest {
    private static final Instant AT = Instant.parse("2026-11-28T12:00:00Z");

    @Test
    void isBuiltFromAChangedCheckResult() {
        CheckResult change =
                new CheckResult(
                        UUID.randomUUID(),
                        UUID.randomUUID(),
                        "https://a.example/",
                        AT.minusSeconds(2),
                        AT.minusSeconds(1),
                        AT,
                        CheckOutcome.CHANGED,
                        200,
                        "hash-1",
                        null,
                        null,
                        12,
                        "- $60\n+ $45",
                        null);

        LlmRequest request = LlmRequest.forChange(change, "price below $50", "Price $45", 7);

        assertThat(request)
                .isEqualTo(
                        new LlmRequest(
                                change.monitorId(),
                                change.tenantId(),
                                "https://a.example/",
                                "price below $50",
                                "- $60\n+ $45",
                                "Price $45",
                                "hash-1",
                                7,
                                AT));
    }

    @Test
    void routingKeyIsTheSameForOneTenantsConditionAndContentWhateverTheMonitor() {
        UUID tenant = UUID.randomUUID();
        LlmRequest a = request(tenant, "price below $50", "+ x", "Price $45");
        LlmRequest b = request(tenant, "price below $50", "- y", "Price $45");
        LlmRequest otherCondition = request(tenant, "in stock", "+ x", "Price $45");
        LlmRequest otherContent = request(tenant, "price below $50", "+ x", "Price $46");
        LlmRequest otherTenant = request(UUID.randomUUID(), "price below $50", "+ x", "Price $45");

        assertThat(a.routingKey()).isEqualTo(b.routingKey());
        assertThat(a.routingKey())
                .isNotEqualTo(otherCondition.routingKey())
                .isNotEqualTo(otherContent.routingKey())
                .isNotEqualTo(otherTenant.routingKey());
    }

    private static LlmRequest request(UUID tenant, String condition, String diff, String text) {
        return Requests.request(UUID.randomUUID(), tenant, condition, diff, text);
    }
}
