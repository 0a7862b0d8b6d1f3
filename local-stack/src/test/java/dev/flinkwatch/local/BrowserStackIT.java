package dev.flinkwatch.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flinkwatch.testing.LocalSite;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Browser rendering in the local stack, over REST like a user: with Chromium the stack runs the
 * browser service and a {@code "render": "browser"} monitor sees what the page's script writes (and
 * keeps its screenshot); without a browser such monitors say so and the others work as ever.
 */
class BrowserStackIT {
    private static final Duration PATIENCE = Duration.ofSeconds(90);

    @TempDir Path dataDir;

    /** A page whose only text comes from its script. */
    private static String scripted(String text) {
        return "<html><body><div id=app>Loading...</div><script>"
                + "document.getElementById('app').innerHTML = '<p id=stock>' + '"
                + text
                + "</p>';</script></body></html>";
    }

    private static String monitor(String name, String url, String extra) {
        return "{\"name\":\""
                + name
                + "\",\"sources\":[{\"url\":\""
                + url
                + "\""
                + extra
                + "}],\"intervalSeconds\":2,"
                + "\"condition\":{\"type\":\"contains\",\"text\":\"In stock\"}}";
    }

    @Test
    void aBrowserMonitorSeesScriptedTextAndKeepsItsScreenshot() throws Exception {
        try (LocalSite site = LocalSite.start()) {
            AtomicReference<String> stock = new AtomicReference<>("Sold out");
            site.handle(
                    "/js",
                    exchange -> {
                        exchange.getResponseHeaders().set("Content-Type", "text/html");
                        LocalSite.send(exchange, 200, scripted(stock.get()).getBytes());
                    });
            try (LocalStack stack = LocalStack.start(EndToEndIT.options(dataDir))) {
                stack.awaitReady(Duration.ofSeconds(120));
                assertThat(stack.browserUrl()).as("Chromium is installed (.ci/run)").isNotNull();
                StackClient api = new StackClient(stack.apiUrl());
                api.createTenant(stack.adminToken(), "browser");
                JsonNode created =
                        api.post(
                                "/v1/monitors",
                                monitor(
                                        "js",
                                        site.url("/js"),
                                        ",\"render\":\"browser\",\"screenshot\":true"),
                                201);
                String rendered = created.path("id").asText();
                assertThat(created.at("/sources/0/render").asText()).isEqualTo("browser");
                String plain =
                        api.post("/v1/monitors", monitor("plain", site.url("/js"), ""), 201)
                                .path("id")
                                .asText();
                awaitOutcome(api, rendered, "FIRST", "UNCHANGED");
                awaitOutcome(api, plain, "FIRST", "UNCHANGED");

                stock.set("In stock now");
                await().atMost(PATIENCE)
                        .pollInterval(Duration.ofMillis(300))
                        .until(
                                () ->
                                        !api.get("/v1/monitors/" + rendered + "/alerts")
                                                .path("items")
                                                .isEmpty());
                JsonNode alert = api.get("/v1/monitors/" + rendered + "/alerts").at("/items/0");
                assertThat(alert.path("kind").asText()).isEqualTo("CONDITION_MET");
                JsonNode change = api.get("/v1/monitors/" + rendered + "/checks").at("/items/0");
                assertThat(change.path("outcome").asText()).isEqualTo("CHANGED");
                assertThat(change.path("diff").asText()).contains("+ In stock now");
                byte[] jpeg = api.bytes(change.path("screenshot").asText());
                assertThat(jpeg[0] & 0xff).isEqualTo(0xff);
                assertThat(jpeg[1] & 0xff).isEqualTo(0xd8);

                // plain HTTP of the same page: the shell only, never the scripted text
                assertThat(api.get("/v1/monitors/" + plain + "/alerts").path("items")).isEmpty();
            }
        }
    }

    @Test
    void withoutABrowserBrowserMonitorsSaySoAndTheRestWorks() throws Exception {
        try (LocalSite site = LocalSite.start()) {
            site.page("/js", scripted("Sold out"));
            site.page("/plain", "<p>Sold out</p>");
            Configuration options = EndToEndIT.options(dataDir);
            options.set(LocalStackOptions.BROWSER, false);
            try (LocalStack stack = LocalStack.start(options)) {
                stack.awaitReady(Duration.ofSeconds(120));
                assertThat(stack.browserUrl()).isNull();
                StackClient api = new StackClient(stack.apiUrl());
                api.createTenant(stack.adminToken(), "no-browser");
                String rendered =
                        api.post(
                                        "/v1/monitors",
                                        monitor("js", site.url("/js"), ",\"render\":\"browser\""),
                                        201)
                                .path("id")
                                .asText();
                String plain =
                        api.post("/v1/monitors", monitor("plain", site.url("/plain"), ""), 201)
                                .path("id")
                                .asText();
                awaitOutcome(api, rendered, "ERROR");
                assertThat(api.get("/v1/monitors/" + rendered).path("lastError").asText())
                        .contains("browser rendering not available");
                awaitOutcome(api, plain, "FIRST", "UNCHANGED");
                site.page("/plain", "<p>In stock</p>");
                await().atMost(PATIENCE)
                        .pollInterval(Duration.ofMillis(300))
                        .until(
                                () ->
                                        !api.get("/v1/monitors/" + plain + "/alerts")
                                                .path("items")
                                                .isEmpty());
            }
        }
    }

    private static void awaitOutcome(StackClient api, String id, String... outcomes) {
        await().atMost(PATIENCE)
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () ->
                                java.util.List.of(outcomes)
                                        .contains(
                                                api.get("/v1/monitors/" + id)
                                                        .path("lastOutcome")
                                                        .asText()));
    }
}
