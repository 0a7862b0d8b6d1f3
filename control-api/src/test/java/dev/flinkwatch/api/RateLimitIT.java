package dev.flinkwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkwatch.api.ApiHarness.Response;
import dev.flinkwatch.api.ApiHarness.Tenant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Per-tenant rate limits over real HTTP. The rate is one token a minute, so nothing refills while
 * the test runs and the outcome does not depend on timing.
 */
class RateLimitIT {
    @Test
    void aTenantOverItsLimitGets429WithRetryAfterWhileOtherTenantsGoOn() {
        try (ApiHarness api = ApiHarness.start(b -> b.writeLimit(1, 3).readLimit(1, 5))) {
            Tenant a = api.createTenant("Greedy");
            Tenant b = api.createTenant("Patient");
            for (int i = 0; i < 3; i++) {
                api.createMonitor(a, ApiHarness.monitorBody("a" + i, "https://a.example/" + i));
            }
            Response refused =
                    api.send(
                            "POST",
                            "/v1/monitors",
                            a.auth(),
                            ApiHarness.monitorBody("a3", "https://a.example/3"));
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.errorCode()).isEqualTo("rate_limited");
            assertThat(refused.json().at("/error/message").asText()).contains("write");
            assertThat(refused.headers().firstValue("Retry-After"))
                    .hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isBetween(1L, 60L));
            assertThat(refused.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
            // Writes of every kind share the bucket; a bad body is refused before it is read.
            assertThat(api.send("DELETE", "/v1/monitors/x", a.auth(), null).status())
                    .isEqualTo(429);

            for (int i = 0; i < 3; i++) {
                api.createMonitor(b, ApiHarness.monitorBody("b" + i, "https://b.example/" + i));
            }
            assertThat(
                            api.send(
                                            "POST",
                                            "/v1/monitors",
                                            b.auth(),
                                            ApiHarness.monitorBody("b3", "https://b.example/3"))
                                    .status())
                    .as("B's own bucket runs out on its own schedule")
                    .isEqualTo(429);

            // Reads have their own bucket: A can still read, until that one is empty too.
            Response list = api.get("/v1/monitors", a);
            assertThat(list.status()).isEqualTo(200);
            assertThat(list.json().get("items")).as("the refused write stored nothing").hasSize(3);
            for (int i = 0; i < 4; i++) {
                assertThat(api.get("/v1/alerts", a).status()).isEqualTo(200);
            }
            Response readRefused = api.get("/v1/alerts", a);
            assertThat(readRefused.status()).isEqualTo(429);
            assertThat(readRefused.json().at("/error/message").asText()).contains("read");

            // The operator and unauthenticated probes are not tenants: never limited.
            for (int i = 0; i < 10; i++) {
                assertThat(api.admin("POST", "/v1/tenants/" + a.id() + "/keys", null).status())
                        .isEqualTo(201);
                assertThat(api.send("GET", "/healthz", Map.of(), null).status()).isEqualTo(200);
            }
            assertThat(
                            api.send("GET", "/metrics", Map.of(), null)
                                    .body()
                                    .contains("status=\"429\""))
                    .isTrue();
        }
    }
}
