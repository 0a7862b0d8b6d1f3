package dev.flinkwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.flinkwatch.api.ApiHarness.Response;
import dev.flinkwatch.delivery.DeliveryConfig;
import dev.flinkwatch.delivery.RetryPolicy;
import dev.flinkwatch.delivery.SecretBox;
import dev.flinkwatch.delivery.WebhookSecrets;
import dev.flinkwatch.model.ModelCodec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/channels/{id}/test} against a receiver on loopback: the real renderer, signer and
 * SSRF-guarded sender, the receiver's answer returned as is; and {@code GET /v1/notices}, tenant
 * scoped.
 */
class ChannelTestIT {
    private static final String KEYSET = SecretBox.generateKeysetJson();
    private static final AtomicInteger ANSWER = new AtomicInteger(200);
    private static final List<Map<String, String>> REQUESTS = new CopyOnWriteArrayList<>();
    private static HttpServer receiver;
    private static ApiHarness harness;

    @BeforeAll
    static void start() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext(
                "/",
                exchange -> {
                    String body =
                            new String(
                                    exchange.getRequestBody().readAllBytes(),
                                    StandardCharsets.UTF_8);
                    REQUESTS.add(
                            Map.of(
                                    "body", body,
                                    "id", exchange.getRequestHeaders().getFirst("webhook-id"),
                                    "timestamp",
                                            exchange.getRequestHeaders()
                                                    .getFirst("webhook-timestamp"),
                                    "signature",
                                            exchange.getRequestHeaders()
                                                    .getFirst("webhook-signature")));
                    exchange.sendResponseHeaders(ANSWER.get(), -1);
                    exchange.close();
                });
        receiver.start();
        DeliveryConfig delivery =
                new DeliveryConfig(
                        "unused:9092",
                        "alerts",
                        "unused",
                        KEYSET,
                        new RetryPolicy(
                                Duration.ofMinutes(1),
                                Duration.ofSeconds(1),
                                Duration.ofSeconds(5)),
                        Duration.ofSeconds(10),
                        8,
                        2,
                        Duration.ofSeconds(1),
                        List.of("127.0.0.1/32"),
                        "http://api.test");
        harness =
                ApiHarness.start(
                        config ->
                                config.delivery(delivery)
                                        .addressAllowList(List.of("127.0.0.1/32")));
    }

    @AfterAll
    static void stop() {
        harness.close();
        receiver.stop(0);
    }

    @Test
    void testMessagesAreSignedSentAndAnsweredWithTheReceiversWordAndStayInTheTenant()
            throws Exception {
        ApiHarness.Tenant acme = harness.createTenant("acme-test");
        ApiHarness.Tenant other = harness.createTenant("other-test");
        String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook/s3cr3t-path";
        Response created =
                harness.send(
                        "POST",
                        "/v1/channels",
                        acme.auth(),
                        "{\"name\": \"ops\", \"type\": \"webhook\", \"settings\": {\"url\": \""
                                + url
                                + "\"}}");
        assertThat(created.status()).isEqualTo(201);
        String id = created.json().get("id").asText();

        Response ok = harness.send("POST", "/v1/channels/" + id + "/test", acme.auth(), null);
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().get("delivered").asBoolean()).isTrue();
        assertThat(ok.json().get("httpStatus").asInt()).isEqualTo(200);
        assertThat(ok.body()).doesNotContain("s3cr3t-path");
        assertThat(REQUESTS).hasSize(1);
        Map<String, String> request = REQUESTS.get(0);
        JsonNode body = ModelCodec.mapper().readTree(request.get("body"));
        assertThat(body.get("type").asText()).isEqualTo("alert.created");
        assertThat(body.at("/data/monitorName").asText()).isEqualTo("Flinkwatch test message");
        // Signed like a real delivery, with the tenant's current secret.
        String secret =
                new WebhookSecrets(harness.db.dataSource(), SecretBox.fromKeysetJson(KEYSET))
                        .signingSecrets(acme.id())
                        .get(0);
        assertThat(request.get("signature")).isEqualTo(signature(secret, request));

        // The receiver's refusal comes back as is; a test never disables the channel.
        ANSWER.set(410);
        Response gone = harness.send("POST", "/v1/channels/" + id + "/test", acme.auth(), null);
        assertThat(gone.status()).isEqualTo(200);
        assertThat(gone.json().get("delivered").asBoolean()).isFalse();
        assertThat(gone.json().get("httpStatus").asInt()).isEqualTo(410);
        assertThat(gone.json().get("error").asText()).isEqualTo("GONE");
        assertThat(harness.get("/v1/channels/" + id, acme).json().get("enabled").asBoolean())
                .isTrue();
        ANSWER.set(200);

        // Another tenant cannot test (or learn about) the channel; unknown ids are 404 too.
        assertThat(
                        harness.send("POST", "/v1/channels/" + id + "/test", other.auth(), null)
                                .status())
                .isEqualTo(404);
        assertThat(REQUESTS).hasSize(2);

        // Notices are the tenant's own.
        try (Connection c = harness.db.dataSource().getConnection();
                PreparedStatement ps =
                        c.prepareStatement(
                                "INSERT INTO tenant_notices (tenant_id, kind, channel_id, message)"
                                        + " VALUES (?, 'CHANNEL_DISABLED', ?::uuid, 'channel was"
                                        + " disabled: the receiver answered 410 Gone')")) {
            ps.setObject(1, acme.id());
            ps.setString(2, id);
            ps.executeUpdate();
        }
        JsonNode notices = harness.get("/v1/notices", acme).json().get("items");
        assertThat(notices).hasSize(1);
        assertThat(notices.get(0).get("kind").asText()).isEqualTo("CHANNEL_DISABLED");
        assertThat(notices.get(0).get("channelId").asText()).isEqualTo(id);
        assertThat(harness.get("/v1/notices", other).json().get("items")).isEmpty();
    }

    /** The Standard Webhooks HMAC, computed here without the library. */
    private static String signature(String secret, Map<String, String> request) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(
                new SecretKeySpec(
                        Base64.getDecoder().decode(secret.substring("whsec_".length())),
                        "HmacSHA256"));
        String signed =
                request.get("id") + "." + request.get("timestamp") + "." + request.get("body");
        return "v1,"
                + Base64.getEncoder()
                        .encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
    }
}
