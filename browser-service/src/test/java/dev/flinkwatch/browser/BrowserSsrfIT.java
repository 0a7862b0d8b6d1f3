package dev.flinkwatch.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkwatch.fetch.FetchOptions;
import dev.flinkwatch.testing.LocalSite;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SSRF through the browser: a page on an allow-listed loopback server tries to reach a second local
 * server that the policy does not admit, by every route a page has. That server must see nothing.
 *
 * <p>The fetcher's allow-list admits networks and host names (any port), so the page's server is
 * 127.0.0.1 (allow-listed as 127.0.0.1/32) and the refused server listens on 127.0.0.2, its own
 * port: for the guard it is a loopback address like any internal service.
 */
class BrowserSsrfIT {
    private static LocalSite page;
    private static LocalSite internal;
    private static BrowserService service;
    private static RenderClient client;

    @BeforeAll
    static void start() {
        page = LocalSite.start("127.0.0.1");
        internal = LocalSite.start("127.0.0.2");
        internal.page("/", "<p>internal</p>");
        Configuration conf = new Configuration();
        conf.set(BrowserOptions.PORT, 0);
        conf.set(BrowserOptions.MAX_CONCURRENT, 1);
        conf.set(FetchOptions.ALLOW_LIST, List.of("127.0.0.1/32"));
        conf.set(BrowserOptions.DEFAULT_TIMEOUT, Duration.ofSeconds(20));
        service = BrowserService.start(BrowserConfig.from(conf));
        client = new RenderClient(service.baseUrl());
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (page != null) {
            page.close();
        }
        if (internal != null) {
            internal.close();
        }
    }

    @Test
    void subresourcesOfAnAllowedPageNeverReachARefusedServer() {
        String evil = "http://127.0.0.2:" + internal.port();
        page.handle("/to-internal", redirect(evil + "/redirected"));
        page.handle("/script-redirect.js", redirect(evil + "/redirected.js"));
        page.page(
                "/attack.html",
                "<html><head>"
                        + "<link rel='stylesheet' href='"
                        + evil
                        + "/style.css'>"
                        + "<script src='"
                        + evil
                        + "/script.js'></script>"
                        + "<script src='/script-redirect.js'></script>"
                        + "</head><body><h1>attack page</h1>"
                        + "<img src='"
                        + evil
                        + "/image.png'>"
                        + "<iframe src='"
                        + evil
                        + "/frame.html'></iframe>"
                        + "<iframe src='/to-internal'></iframe>"
                        + "<iframe src='http://localhost:"
                        + internal.port()
                        + "/by-name'></iframe>"
                        + "<p id='out'>pending</p><script>"
                        + "const done = [];"
                        + "fetch('"
                        + evil
                        + "/fetch').catch(e => done.push('fetch blocked'))"
                        + " .finally(() => {"
                        + "  const x = new XMLHttpRequest(); x.open('GET', '"
                        + evil
                        + "/xhr');"
                        + "  x.onloadend = () => { done.push('xhr ' + x.status);"
                        + "   out.textContent = done.join(', '); };"
                        + "  x.send(); });"
                        + "try { new WebSocket('ws://127.0.0.2:"
                        + internal.port()
                        + "/ws'); }"
                        + " catch (e) {}"
                        + "navigator.sendBeacon && navigator.sendBeacon('"
                        + evil
                        + "/beacon', 'x');"
                        + "</script></body></html>");
        double blockedBefore = client.metric("browser_blocked_requests_total");

        var body = RenderClient.body(page.url("/attack.html")).put("screenshot", true);
        body.putObject("waitFor").put("selector", "#out:not(:text('pending'))");
        RenderClient.Answer answer = client.render(body);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.html())
                .contains("attack page")
                .contains("fetch blocked")
                .contains("xhr 0");
        assertThat(internal.totalHits()).isZero();
        // the document and the redirecting script were fetched; the redirect hops were not followed
        assertThat(page.hits("/attack.html")).isEqualTo(1);
        assertThat(page.hits("/to-internal")).isEqualTo(1);
        assertThat(page.hits("/script-redirect.js")).isEqualTo(1);
        assertThat(client.metric("browser_blocked_requests_total") - blockedBefore)
                .isGreaterThanOrEqualTo(8);
    }

    @Test
    void aDocumentAtARefusedAddressIsBlockedAddress() {
        for (String url :
                List.of(
                        "http://127.0.0.2:" + internal.port() + "/",
                        "http://localhost:" + internal.port() + "/",
                        "http://169.254.169.254/latest/meta-data/",
                        "http://[::1]:" + internal.port() + "/")) {
            RenderClient.Answer answer = client.render(url);
            assertThat(answer.status()).as(url).isEqualTo(422);
            assertThat(answer.errorCode()).as(url).isEqualTo("blocked_address");
            assertThat(answer.body().path("error").has("fields")).isFalse();
        }
        assertThat(internal.totalHits()).isZero();
    }

    @Test
    void aDocumentRedirectToARefusedAddressIsBlockedAddress() {
        page.handle("/go", redirect("http://127.0.0.2:" + internal.port() + "/landing"));

        RenderClient.Answer answer = client.render(page.url("/go"));

        assertThat(answer.status()).isEqualTo(422);
        assertThat(answer.errorCode()).isEqualTo("blocked_address");
        assertThat(page.hits("/go")).isEqualTo(1);
        assertThat(internal.totalHits()).isZero();
    }

    @Test
    void anAllowedRedirectIsFollowedAndItsFinalUrlReported() {
        page.page("/final.html", "<p id='f'></p><script>f.textContent='landed'</script>");
        page.handle("/hop", redirect(page.url("/final.html")));

        RenderClient.Answer answer = client.render(page.url("/hop"));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.html()).contains("landed");
        assertThat(answer.body().path("finalUrl").asText()).isEqualTo(page.url("/final.html"));
    }

    private static com.sun.net.httpserver.HttpHandler redirect(String location) {
        return exchange -> {
            exchange.getResponseHeaders().set("Location", location);
            LocalSite.send(exchange, 302, "moved".getBytes(StandardCharsets.UTF_8));
        };
    }
}
