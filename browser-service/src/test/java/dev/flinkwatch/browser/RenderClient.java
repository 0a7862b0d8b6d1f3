package dev.flinkwatch.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** Calls a running browser service over real HTTP, as the pipeline's client does. */
final class RenderClient {
    static final ObjectMapper JSON = new ObjectMapper();

    /** One answer: HTTP status, JSON body, headers. */
    record Answer(int status, JsonNode body, Map<String, java.util.List<String>> headers) {
        String errorCode() {
            return body.path("error").path("code").asText(null);
        }

        String html() {
            return body.path("html").asText("");
        }
    }

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String baseUrl;

    RenderClient(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    static ObjectNode body(String url) {
        return JSON.createObjectNode().put("url", url);
    }

    Answer render(String url) {
        return render(body(url));
    }

    Answer render(ObjectNode body) {
        return post(body.toString());
    }

    Answer post(String raw) {
        return send(
                HttpRequest.newBuilder(URI.create(baseUrl + "/render"))
                        .timeout(Duration.ofSeconds(120))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(raw))
                        .build());
    }

    Answer get(String path) {
        return send(
                HttpRequest.newBuilder(URI.create(baseUrl + path))
                        .timeout(Duration.ofSeconds(30))
                        .GET()
                        .build());
    }

    String metrics() {
        try {
            return http.send(
                            HttpRequest.newBuilder(URI.create(baseUrl + "/metrics")).GET().build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The value of one sample line of /metrics, e.g. {@code browser_restarts_total{...}}; 0 if
     * absent.
     */
    double metric(String prefix) {
        return metrics()
                .lines()
                .filter(l -> l.startsWith(prefix))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    private Answer send(HttpRequest request) {
        try {
            HttpResponse<String> response =
                    http.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode body =
                    response.body().isEmpty()
                            ? JSON.createObjectNode()
                            : JSON.readTree(response.body());
            return new Answer(response.statusCode(), body, response.headers().map());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
