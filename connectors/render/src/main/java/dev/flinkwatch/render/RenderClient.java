package dev.flinkwatch.render;

import static org.asynchttpclient.Dsl.asyncHttpClient;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flinkwatch.fetch.FetchResult;
import dev.flinkwatch.fetch.FetchStatus;
import dev.flinkwatch.model.CheckRequest;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.asynchttpclient.AsyncHttpClient;
import org.asynchttpclient.DefaultAsyncHttpClientConfig;
import org.asynchttpclient.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls the browser service ({@code POST /render}) for one check and turns its answer into a {@link
 * FetchResult}, always: an error answer, an unreachable service or a garbled reply is a failed
 * result naming why, never an exception. Non-blocking (async-http-client), so one slow render holds
 * no thread.
 */
public final class RenderClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RenderClient.class);
    static final String UNAVAILABLE = "browser rendering not available";

    private final RenderConfig config;
    private final ObjectMapper json = new ObjectMapper();
    private final AsyncHttpClient http;
    private final String endpoint;

    public RenderClient(RenderConfig config) {
        this.config = config;
        this.endpoint =
                config.serviceUrl() == null
                        ? null
                        : config.serviceUrl().toString().replaceAll("/+$", "") + "/render";
        this.http =
                endpoint == null
                        ? null
                        : asyncHttpClient(
                                new DefaultAsyncHttpClientConfig.Builder()
                                        .setThreadPoolName("render-io")
                                        .setIoThreadsCount(1)
                                        .setRequestTimeout(
                                                config.timeout().plus(RenderConfig.MARGIN))
                                        .setReadTimeout(config.timeout().plus(RenderConfig.MARGIN))
                                        .setFollowRedirect(false)
                                        .setKeepAlive(true)
                                        .setCookieStore(null)
                                        // only replays a request whose pooled keep-alive
                                        // connection the service had closed (a render has no
                                        // side effects)
                                        .setMaxRequestRetry(1)
                                        .build());
    }

    /** Renders the request's page; the future always completes normally. */
    public CompletableFuture<FetchResult> render(CheckRequest request) {
        Instant startedAt = Instant.now();
        if (http == null) {
            return CompletableFuture.completedFuture(
                    FetchResult.failed(
                            request,
                            FetchStatus.RENDER_UNAVAILABLE,
                            UNAVAILABLE + " (no browser service is configured)",
                            startedAt,
                            startedAt));
        }
        byte[] body;
        try {
            body = json.writeValueAsBytes(requestBody(request));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a render request", e);
        }
        return http.preparePost(endpoint)
                .setHeader("Content-Type", "application/json")
                .setBody(body)
                .execute()
                .toCompletableFuture()
                .handle(
                        (response, failure) ->
                                failure == null
                                        ? fromResponse(request, response, startedAt)
                                        : fromFailure(request, failure, startedAt));
    }

    private ObjectNode requestBody(CheckRequest request) {
        ObjectNode node = json.createObjectNode();
        node.put("url", request.url());
        node.put("waitFor", config.waitFor());
        node.put("timeoutMs", config.timeout().toMillis());
        if (Boolean.TRUE.equals(request.screenshot())) {
            node.put("screenshot", true);
        }
        return node;
    }

    private FetchResult fromResponse(CheckRequest request, Response response, Instant startedAt) {
        Instant now = Instant.now();
        JsonNode answer;
        try {
            answer = json.readTree(response.getResponseBodyAsBytes());
        } catch (IOException e) {
            answer = null;
        }
        if (answer == null || !answer.isObject()) {
            return FetchResult.failed(
                    request,
                    FetchStatus.RENDER_FAILED,
                    "the browser service answered " + response.getStatusCode() + " without JSON",
                    startedAt,
                    now);
        }
        if (response.getStatusCode() != 200) {
            JsonNode error = answer.path("error");
            String code = error.path("code").asText(null);
            String message = error.path("message").asText("no message");
            return FetchResult.failed(
                    request,
                    ServiceError.statusOf(code, message),
                    "browser: " + (code == null ? response.getStatusCode() : code) + ": " + message,
                    startedAt,
                    now);
        }
        JsonNode html = answer.path("html");
        JsonNode status = answer.path("status");
        if (!html.isTextual() || !status.canConvertToInt()) {
            return FetchResult.failed(
                    request,
                    FetchStatus.RENDER_FAILED,
                    "the browser service's answer has no status or html",
                    startedAt,
                    now);
        }
        return FetchResult.rendered(
                request,
                status.asInt(),
                answer.path("finalUrl").asText(request.url()),
                html.asText(),
                startedAt,
                now,
                answer.path("renderMs").asLong(0),
                screenshot(request, answer.path("screenshot")));
    }

    /** The answer's screenshot, when one was asked for and it is a JPEG within the size limit. */
    private byte[] screenshot(CheckRequest request, JsonNode encoded) {
        if (!Boolean.TRUE.equals(request.screenshot()) || !encoded.isTextual()) {
            return null;
        }
        // base64 is 4/3 of the bytes: refuse to decode what cannot fit
        if (encoded.asText().length() / 4 * 3 > config.maxScreenshotBytes() + 3) {
            return null;
        }
        try {
            byte[] jpeg = Base64.getDecoder().decode(encoded.asText());
            boolean isJpeg =
                    jpeg.length > 3 && (jpeg[0] & 0xff) == 0xff && (jpeg[1] & 0xff) == 0xd8;
            return isJpeg && jpeg.length <= config.maxScreenshotBytes() ? jpeg : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private FetchResult fromFailure(CheckRequest request, Throwable failure, Instant startedAt) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause()
                        : failure;
        Instant now = Instant.now();
        if (cause instanceof TimeoutException) {
            return FetchResult.failed(
                    request,
                    FetchStatus.TIMEOUT,
                    "the browser service did not answer within "
                            + config.timeout().plus(RenderConfig.MARGIN).toMillis()
                            + " ms",
                    startedAt,
                    now);
        }
        if (cause instanceof ConnectException) {
            return FetchResult.failed(
                    request,
                    FetchStatus.RENDER_UNAVAILABLE,
                    UNAVAILABLE + " (the browser service cannot be reached)",
                    startedAt,
                    now);
        }
        LOG.warn(
                "render call failed monitorId={} cause={}",
                request.monitorId(),
                cause.getClass().getSimpleName());
        return FetchResult.failed(
                request,
                FetchStatus.RENDER_FAILED,
                "the browser service call failed: " + cause.getClass().getSimpleName(),
                startedAt,
                now);
    }

    @Override
    public void close() throws IOException {
        if (http != null) {
            http.close();
        }
    }
}
