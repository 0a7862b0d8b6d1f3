package dev.flinkwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flinkwatch.api.ApiHarness.Response;
import dev.flinkwatch.delivery.SecretBox;
import dev.flinkwatch.delivery.WebhookSecrets;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/webhook-secret/rotate}: the new secret is shown once, the previous one stays in
 * its grace period for signing, and the database holds only ciphertext.
 */
class WebhookSecretIT {
    private static final String KEYSET = SecretBox.generateKeysetJson();
    private static ApiHarness harness;

    @BeforeAll
    static void start() {
        harness = ApiHarness.start(config -> config.deliverySecretKeyset(KEYSET));
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    @Test
    void rotationShowsTheNewSecretOnceAndKeepsThePreviousOneInGrace() throws Exception {
        ApiHarness.Tenant tenant = harness.createTenant("signing");
        Response first = harness.send("POST", "/v1/webhook-secret/rotate", tenant.auth(), null);
        assertThat(first.status()).isEqualTo(200);
        String secret1 = first.json().get("secret").asText();
        assertThat(secret1).startsWith("whsec_");

        Response second =
                harness.send("POST", "/v1/webhook-secret/rotate?graceHours=2", tenant.auth(), null);
        String secret2 = second.json().get("secret").asText();
        assertThat(secret2).isNotEqualTo(secret1);
        WebhookSecrets secrets =
                new WebhookSecrets(harness.db.dataSource(), SecretBox.fromKeysetJson(KEYSET));
        assertThat(secrets.signingSecrets(tenant.id())).containsExactly(secret2, secret1);

        // Only ciphertext at rest.
        try (Connection c = harness.db.dataSource().getConnection();
                ResultSet rs =
                        c.createStatement()
                                .executeQuery(
                                        "SELECT secret_ciphertext, previous_ciphertext FROM"
                                                + " webhook_secrets")) {
            assertThat(rs.next()).isTrue();
            for (int column : List.of(1, 2)) {
                String stored = new String(rs.getBytes(column), StandardCharsets.ISO_8859_1);
                assertThat(stored).doesNotContain("whsec_").doesNotContain(secret1.substring(6));
            }
        }

        // Bad input: a clear 400 naming the parameter; no key: 401.
        Response bad =
                harness.send(
                        "POST", "/v1/webhook-secret/rotate?graceHours=-1", tenant.auth(), null);
        assertThat(bad.status()).isEqualTo(400);
        JsonNode error = bad.json().get("error");
        assertThat(error.get("fields").has("graceHours")).isTrue();
        assertThat(
                        harness.send("POST", "/v1/webhook-secret/rotate", java.util.Map.of(), null)
                                .status())
                .isEqualTo(401);
    }
}
