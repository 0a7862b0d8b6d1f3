package dev.flinkwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The web app over plain HTTP on a running API: hostile names and parameters are escaped or refused
 * with a 400 page naming the parameter, other tenants' monitors are "not found", the search and
 * status filter select through the store, and every page carries Server-Timing and a CSP.
 */
class WebUiIT {
    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");
    private static ApiHarness harness;

    @BeforeAll
    static void start() {
        harness = ApiHarness.start();
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    @Test
    void pagesEscapeHostileTextAndStayInTheTenant() {
        ApiHarness.Tenant alice = harness.createTenant("alice");
        ApiHarness.Tenant bob = harness.createTenant("bob");
        String hostile = "<script>alert(1)</script>\\\" onmouseover=x";
        String id =
                harness.createMonitor(
                                alice,
                                ApiHarness.monitorBody(hostile, "https://shop.example/a?x=%3Cb%3E"))
                        .get("id")
                        .asText();
        harness.createMonitor(
                alice, ApiHarness.monitorBody("Plain widget", "https://other.example/w"));
        String cookie = signIn(alice);

        ApiHarness.Response list = page("/app/monitors", cookie);
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body()).doesNotContain("<script>alert(1)").contains("&lt;script&gt;");
        assertThat(list.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("script-src 'self'");
        assertThat(list.headers().firstValue("Server-Timing").orElseThrow()).startsWith("app;dur=");
        assertThat(page("/app/monitors/" + id, cookie).body())
                .doesNotContain("<script>alert(1)")
                .contains("&lt;script&gt;");

        assertThat(page("/app/monitors?q=widget", cookie).body())
                .contains("Plain widget")
                .doesNotContain("&lt;script&gt;");
        assertThat(page("/app/monitors?q=shop.example", cookie).body())
                .contains("&lt;script&gt;")
                .doesNotContain("Plain widget");
        assertThat(page("/app/monitors?q=%5F", cookie).body()).contains("No monitors");
        assertThat(page("/app/monitors?state=new", cookie).body()).contains("Plain widget");
        assertThat(page("/app/monitors?state=failing", cookie).body()).contains("No monitors");

        ApiHarness.Response badState = page("/app/monitors?state=%3Cx%3E", cookie);
        assertThat(badState.status()).isEqualTo(400);
        assertThat(badState.body()).contains("state must be").doesNotContain("<x>");
        ApiHarness.Response longQuery = page("/app/monitors?q=" + "a".repeat(201), cookie);
        assertThat(longQuery.status()).isEqualTo(400);
        assertThat(page("/app/monitors?cursor=nonsense", cookie).status()).isEqualTo(400);
        assertThat(page("/app/monitors/not-a-uuid", cookie).status()).isEqualTo(404);

        String bobs = signIn(bob);
        ApiHarness.Response foreign = page("/app/monitors/" + id, bobs);
        assertThat(foreign.status()).isEqualTo(404);
        assertThat(foreign.body()).contains("monitor not found").doesNotContain("&lt;script&gt;");
        assertThat(page("/app/monitors", bobs).body()).contains("No monitors");
        ApiHarness.Response form = page("/app/monitors/new", bobs);
        Matcher m = CSRF.matcher(form.body());
        assertThat(m.find()).isTrue();
        ApiHarness.Response delete =
                harness.sendRaw(
                        "POST",
                        "/app/monitors/" + id + "/delete",
                        Map.of("Cookie", bobs, "Content-Type", "application/x-www-form-urlencoded"),
                        HttpRequest.BodyPublishers.ofString("_csrf=" + m.group(1)));
        assertThat(delete.status()).isEqualTo(404);
        assertThat(harness.get("/v1/monitors/" + id, alice).status()).isEqualTo(200);

        ApiHarness.Response unsigned = page("/app/monitors", "fw_session=" + "x".repeat(43));
        assertThat(unsigned.status()).isEqualTo(303);
        assertThat(page("/app/assets/app.css", "").status()).isEqualTo(200);
        assertThat(page("/app/assets/htmx.min.js", "").body()).contains("htmx");
        assertThat(page("/app/assets/..%2Fsecret", "").status()).isEqualTo(404);
    }

    private static String signIn(ApiHarness.Tenant tenant) {
        ApiHarness.Response r =
                harness.sendRaw(
                        "POST",
                        "/app/login",
                        Map.of("Content-Type", "application/x-www-form-urlencoded"),
                        HttpRequest.BodyPublishers.ofString(
                                "apiKey="
                                        + URLEncoder.encode(
                                                tenant.apiKey(), StandardCharsets.UTF_8)));
        assertThat(r.status()).as(r.body()).isEqualTo(303);
        String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    private static ApiHarness.Response page(String path, String cookie) {
        return harness.sendRaw(
                "GET",
                path,
                cookie.isEmpty() ? Map.of() : Map.of("Cookie", cookie),
                HttpRequest.BodyPublishers.noBody());
    }
}
