package dev.flinkwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flinkwatch.delivery.SecretBox;
import dev.flinkwatch.model.ModelCodec;
import dev.flinkwatch.testing.TestKafka;
import dev.flinkwatch.testing.TestPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * A running control API on a fresh migrated database and the shared Kafka broker, with an HTTP
 * client (java.net.http) for tests.
 */
final class ApiHarness implements AutoCloseable {
    static final String ADMIN_TOKEN = "test-admin-token-0123456789";

    /** The delivery keyset every harness API gets unless a test sets another (or none). */
    static final String KEYSET = SecretBox.generateKeysetJson();

    final TestPostgres.Database db;
    final String topic;
    final ControlApi api;
    final HttpClient http =
            HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10))
                    .build();

    private ApiHarness(TestPostgres.Database db, String topic, ControlApi api) {
        this.db = db;
        this.topic = topic;
        this.api = api;
    }

    /**
     * Starts an API on a new database and a new monitors topic. The topic is not compacted (in
     * production it is): the tests check every record the relay wrote, which compaction would
     * remove.
     */
    static ApiHarness start(Consumer<ControlApiConfig.Builder> customize) {
        TestPostgres.Database db = TestPostgres.newMigratedDatabase();
        String topic = TestKafka.uniqueTopic("monitors");
        TestKafka.createTopic(topic, 3, false);
        return startOn(db, topic, customize);
    }

    static ApiHarness start() {
        return start(b -> {});
    }

    /** Another API instance on an existing database and topic. */
    static ApiHarness startOn(
            TestPostgres.Database db, String topic, Consumer<ControlApiConfig.Builder> customize) {
        ControlApiConfig.Builder config =
                ControlApiConfig.builder(ADMIN_TOKEN)
                        .port(0)
                        .kafkaBootstrapServers(TestKafka.bootstrapServers())
                        .monitorsTopic(topic)
                        .relayPollInterval(Duration.ofMillis(100))
                        .deliverySecretKeyset(KEYSET);
        customize.accept(config);
        return new ApiHarness(db, topic, ControlApi.start(config.build(), db.dataSource()));
    }

    /** An HTTP response with its body. */
    record Response(int status, String body, HttpHeaders headers) {
        JsonNode json() {
            try {
                return ModelCodec.mapper().readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + body, e);
            }
        }

        String errorCode() {
            return json().path("error").path("code").asText(null);
        }

        JsonNode errorFields() {
            return json().path("error").path("fields");
        }
    }

    /** A tenant and its first key. */
    record Tenant(UUID id, String apiKey, UUID keyId) {
        Map<String, String> auth() {
            return Map.of("Authorization", "Bearer " + apiKey);
        }
    }

    Response send(String method, String path, Map<String, String> headers, String jsonBody) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        if (jsonBody != null) {
            all.putIfAbsent("Content-Type", "application/json");
        }
        return sendRaw(
                method,
                path,
                all,
                jsonBody == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(jsonBody));
    }

    Response sendRaw(
            String method,
            String path,
            Map<String, String> headers,
            HttpRequest.BodyPublisher body) {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(api.baseUrl() + path))
                        .timeout(Duration.ofSeconds(60))
                        .method(method, body);
        headers.forEach(request::header);
        try {
            HttpResponse<String> r =
                    http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body(), r.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Response get(String path, Tenant tenant) {
        return send("GET", path, tenant.auth(), (String) null);
    }

    Response admin(String method, String path, String jsonBody) {
        return send(method, path, Map.of("X-Admin-Token", ADMIN_TOKEN), jsonBody);
    }

    Tenant createTenant(String name) {
        Response r = admin("POST", "/v1/tenants", "{\"name\": \"" + name + "\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        JsonNode json = r.json();
        return new Tenant(
                UUID.fromString(json.get("id").asText()),
                json.get("apiKey").asText(),
                UUID.fromString(json.get("keyId").asText()));
    }

    /** Creates a monitor from a JSON body; asserts 201 and returns the response document. */
    JsonNode createMonitor(Tenant tenant, String body) {
        Response r = send("POST", "/v1/monitors", tenant.auth(), body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json();
    }

    static String monitorBody(String name, String url) {
        return """
                {"name": "%s",
                 "sources": [{"url": "%s", "selector": "#price"}],
                 "intervalSeconds": 300,
                 "condition": {"type": "number", "op": "<", "value": 50},
                 "ignore": ["\\\\d+ people viewing"],
                 "notify": {"webhookUrl": "https://hooks.example/x"}}
                """
                .formatted(name, url);
    }

    @Override
    public void close() {
        api.close();
    }
}
