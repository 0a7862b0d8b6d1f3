package dev.flinkwatch.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkwatch.fetch.FetchResult;
import dev.flinkwatch.fetch.FetchStatus;
import dev.flinkwatch.model.CheckRequest;
import dev.flinkwatch.model.Render;
import dev.flinkwatch.model.Source;
import dev.flinkwatch.testing.LocalSite;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client's side of the browser service's contract, over real HTTP: what it sends, and that
 * every answer (a page, each error code, garbage, no service at all) becomes one result.
 */
class RenderClientTest {
    private static final CheckRequest REQUEST =
            CheckRequest.scheduled(
                    UUID.randomUUID(),
                    UUID.randomUUID(),
                    1,
                    Source.browser("https://shop.example/widget", "#price"),
                    List.of(),
                    Instant.parse("2026-12-02T12:00:00Z"));

    private LocalSite service;
    private final AtomicReference<String> sent = new AtomicReference<>();

    @BeforeEach
    void start() {
        service = LocalSite.start();
    }

    @AfterEach
    void stop() {
        service.close();
    }

    private void answer(int status, String json) {
        service.handle(
                "/render",
                exchange -> {
                    sent.set(
                            new String(
                                    exchange.getRequestBody().readAllBytes(),
                                    StandardCharsets.UTF_8));
                    exchange.getResponseHeaders().set("Content-Type", "application/json");
                    LocalSite.send(exchange, status, json.getBytes(StandardCharsets.UTF_8));
                });
    }

    private FetchResult render(URI serviceUrl) throws Exception {
        return render(serviceUrl, REQUEST);
    }

    private FetchResult render(URI serviceUrl, CheckRequest request) throws Exception {
        try (RenderClient client =
                new RenderClient(
                        new RenderConfig(
                                serviceUrl, Duration.ofSeconds(10), 4, "networkidle", 1024))) {
            return client.render(request).get();
        }
    }

    private FetchResult render() throws Exception {
        return render(URI.create(service.url("/")));
    }

    @Test
    void aRenderedPageIsAnOkResultWithItsHtmlAsTheBody() throws Exception {
        answer(
                200,
                "{\"status\":200,\"finalUrl\":\"https://shop.example/widget?x=1\","
                        + "\"html\":\"<html><span id=price>$9</span></html>\",\"renderMs\":812}");
        FetchResult result = render();
        assertThat(sent.get())
                .contains("\"url\":\"https://shop.example/widget\"")
                .contains("\"waitFor\":\"networkidle\"")
                .contains("\"timeoutMs\":10000");
        assertThat(result.status()).isEqualTo(FetchStatus.OK);
        assertThat(result.httpStatus()).isEqualTo(200);
        assertThat(result.body()).contains("$9");
        assertThat(result.finalUrl()).isEqualTo("https://shop.example/widget?x=1");
        assertThat(result.contentType()).isEqualTo("text/html");
        assertThat(result.message()).contains("rendered in 812 ms");
        assertThat(result.request()).isEqualTo(REQUEST);
    }

    @Test
    void aScreenshotIsAskedForOnlyWhenTheSourceWantsOneAndKeptOnlyWhenItIsAJpegWithinTheLimit()
            throws Exception {
        CheckRequest shot =
                CheckRequest.scheduled(
                        REQUEST.monitorId(),
                        REQUEST.tenantId(),
                        1,
                        new Source("https://shop.example/widget", null, Render.BROWSER, true),
                        List.of(),
                        REQUEST.scheduledAt());
        byte[] jpeg = new byte[600];
        jpeg[0] = (byte) 0xff;
        jpeg[1] = (byte) 0xd8;
        jpeg[2] = (byte) 0xff;
        URI url = URI.create(service.url("/"));
        answer(200, page(Base64.getEncoder().encodeToString(jpeg)));
        assertThat(render(url, shot).screenshot()).isEqualTo(jpeg);
        assertThat(sent.get()).contains("\"screenshot\":true");

        assertThat(render(url, REQUEST).screenshot()).isNull();
        assertThat(sent.get()).doesNotContain("screenshot");

        answer(200, page(Base64.getEncoder().encodeToString(new byte[2048])));
        assertThat(render(url, shot).screenshot()).as("over the 1 KiB limit").isNull();
        answer(200, page(Base64.getEncoder().encodeToString("GIF89a....".getBytes())));
        assertThat(render(url, shot).screenshot()).as("not a JPEG").isNull();
        answer(200, page("%%% not base64"));
        FetchResult garbled = render(url, shot);
        assertThat(garbled.status()).isEqualTo(FetchStatus.OK);
        assertThat(garbled.screenshot()).isNull();
    }

    private static String page(String screenshot) {
        return "{\"status\":200,\"finalUrl\":\"https://shop.example/widget\",\"html\":\"<p>x</p>\","
                + "\"renderMs\":5,\"screenshot\":\""
                + screenshot
                + "\"}";
    }

    @Test
    void aPageThatAnswersAnErrorStatusIsAnHttpError() throws Exception {
        answer(200, "{\"status\":404,\"finalUrl\":\"https://shop.example/\",\"html\":\"gone\"}");
        FetchResult result = render();
        assertThat(result.status()).isEqualTo(FetchStatus.HTTP_ERROR);
        assertThat(result.httpStatus()).isEqualTo(404);
        assertThat(result.body()).isNull();
    }

    @Test
    void errorCodesOfTheServiceBecomeTheStatusesOfPlainFetches() throws Exception {
        record Case(int http, String code, String message, FetchStatus expected) {}
        for (Case c :
                List.of(
                        new Case(422, "blocked_address", "refused", FetchStatus.BLOCKED_ADDRESS),
                        new Case(504, "timeout", "after 10000 ms", FetchStatus.TIMEOUT),
                        new Case(503, "busy", "queue full", FetchStatus.RENDER_BUSY),
                        new Case(502, "browser_crashed", "died", FetchStatus.RENDER_FAILED),
                        new Case(
                                502,
                                "navigation_failed",
                                "net::ERR_NAME_NOT_RESOLVED",
                                FetchStatus.DNS_FAILURE),
                        new Case(
                                502,
                                "navigation_failed",
                                "net::ERR_CERT_DATE_INVALID",
                                FetchStatus.TLS_ERROR),
                        new Case(
                                502,
                                "navigation_failed",
                                "net::ERR_CONNECTION_REFUSED",
                                FetchStatus.CONNECTION_ERROR),
                        new Case(400, "validation_failed", "url", FetchStatus.RENDER_FAILED),
                        new Case(500, "something_new", "?", FetchStatus.RENDER_FAILED))) {
            answer(
                    c.http(),
                    "{\"error\":{\"code\":\""
                            + c.code()
                            + "\",\"message\":\""
                            + c.message()
                            + "\"}}");
            FetchResult result = render();
            assertThat(result.status()).as(c.code()).isEqualTo(c.expected());
            assertThat(result.message()).contains(c.code()).contains(c.message());
            assertThat(result.body()).isNull();
        }
        assertThat(FetchStatus.RENDER_BUSY.declined()).isTrue();
    }

    @Test
    void anAnswerThatIsNotTheContractIsAFailedRender() throws Exception {
        answer(200, "<html>proxy error</html>");
        assertThat(render().status()).isEqualTo(FetchStatus.RENDER_FAILED);
        answer(200, "{\"finalUrl\":\"https://shop.example/\"}");
        assertThat(render().status()).isEqualTo(FetchStatus.RENDER_FAILED);
    }

    @Test
    void withoutAServiceBrowserSourcesAreUnavailableNotLost() throws Exception {
        FetchResult none = render(null);
        assertThat(none.status()).isEqualTo(FetchStatus.RENDER_UNAVAILABLE);
        assertThat(none.message()).startsWith("browser rendering not available");
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        FetchResult down = render(URI.create("http://127.0.0.1:" + closedPort));
        assertThat(down.status()).isEqualTo(FetchStatus.RENDER_UNAVAILABLE);
        assertThat(down.message()).startsWith("browser rendering not available");
    }

    @Test
    void settingsAreChecked() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () ->
                                new RenderConfig(
                                        URI.create("ftp://x/"),
                                        Duration.ofSeconds(1),
                                        1,
                                        "load",
                                        1))
                .hasMessageContaining("service-url");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () ->
                                new RenderConfig(
                                        null, Duration.ofSeconds(1), 1, "domcontentloaded", 1))
                .hasMessageContaining("wait-for");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new RenderConfig(null, Duration.ZERO, 1, "load", 1))
                .hasMessageContaining("timeout");
    }
}
