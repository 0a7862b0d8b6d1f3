package dev.flinkwatch.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small REST client for end-to-end tests: real HTTP against the running control API. */
final class StackClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private String apiKey;

    StackClient(String base) {
        this.base = base;
    }

    /** The same tenant (same API key) against another base URL, e.g. a restarted stack. */
    StackClient withBase(String newBase) {
        StackClient other = new StackClient(newBase);
        other.apiKey = apiKey;
        return other;
    }

    /** Creates a tenant with the admin token and uses its API key from then on. */
    void createTenant(String adminToken, String name) throws Exception {
        HttpRequest request =
                HttpRequest.newBuilder(URI.create(base + "/v1/tenants"))
                        .header("X-Admin-Token", adminToken)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\"}"))
                        .build();
        apiKey = send(request, 201).path("apiKey").asText();
    }

    /** The API key of the tenant this client created. */
    String apiKey() {
        return apiKey;
    }

    JsonNode post(String path, String body, int expectedStatus) throws Exception {
        return send(
                authorized(path)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                expectedStatus);
    }

    JsonNode get(String path) throws Exception {
        return send(authorized(path).GET().build(), 200);
    }

    void delete(String path) throws Exception {
        send(authorized(path).DELETE().build(), 204);
    }

    /** The body of an authorized GET, as bytes (images). */
    byte[] bytes(String path) throws Exception {
        HttpResponse<byte[]> response =
                http.send(authorized(path).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new AssertionError("GET " + path + " -> " + response.statusCode());
        }
        return response.body();
    }

    /** The status of an authorized GET. */
    int status(String path) throws Exception {
        return http.send(authorized(path).GET().build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private HttpRequest.Builder authorized(String path) {
        return HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + apiKey);
    }

    private JsonNode send(HttpRequest request, int expectedStatus) throws Exception {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expectedStatus) {
            throw new AssertionError(
                    request.method()
                            + " "
                            + request.uri()
                            + " -> "
                            + response.statusCode()
                            + " "
                            + response.body());
        }
        return response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
    }
}
