package dev.flinkwatch.local;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import com.microsoft.playwright.options.AriaRole;
import com.rometools.rome.feed.synd.SyndEntry;
import com.rometools.rome.feed.synd.SyndFeed;
import com.rometools.rome.io.SyndFeedInput;
import com.rometools.rome.io.XmlReader;
import dev.flinkwatch.testing.HeadlessChromium;
import dev.flinkwatch.testing.LocalSite;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web app in a real browser (Playwright on Debian's Chromium) against the local stack: sign in,
 * a monitor created through the form (a failed submit first), its preview, its first check, a page
 * change that raises an alert whose diff shows the removed and added lines, pause and delete, and a
 * second tenant who sees none of it. Every page passes axe-core without serious or critical
 * violations; screenshots at 1280 and 375 px go to {@code target/web-ui/}. CSRF and cookie flags
 * are checked over plain HTTP on the same stack.
 */
class WebUiBrowserIT {
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final Path SHOTS = Path.of("target", "web-ui").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

    @TempDir static Path dataDir;

    private static LocalSite site;
    private static LocalStack stack;
    private static String base;

    @BeforeAll
    static void startStack() throws Exception {
        site = LocalSite.start();
        stack = LocalStack.start(EndToEndIT.options(dataDir));
        stack.awaitReady(Duration.ofSeconds(120));
        base = stack.apiUrl();
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    static void stopStack() throws Exception {
        if (stack != null) {
            stack.close();
        }
        if (site != null) {
            site.close();
        }
    }

    @Test
    void aTenantWatchesAPageThroughTheWebApp() throws Exception {
        assertThat(HeadlessChromium.EXECUTABLE).as("Debian chromium").isExecutable();
        StackClient alice = new StackClient(base);
        alice.createTenant(stack.adminToken(), "alice");
        StackClient bob = new StackClient(base);
        bob.createTenant(stack.adminToken(), "bob");
        site.page("/stock", "<html><body><h1>Widget</h1><p id=status>Sold out</p></body></html>");
        site.page("/hook", "ok");

        try (Playwright playwright =
                        Playwright.create(
                                new Playwright.CreateOptions()
                                        .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
                Browser browser =
                        playwright
                                .chromium()
                                .launch(
                                        new BrowserType.LaunchOptions()
                                                .setExecutablePath(HeadlessChromium.EXECUTABLE)
                                                .setArgs(List.of("--no-sandbox", "--disable-gpu"))
                                                .setHeadless(true))) {
            PlaywrightAssertions.setDefaultAssertionTimeout(PATIENCE.toMillis());
            BrowserContext context =
                    browser.newContext(
                            // axe is injected as a script tag: the pages' CSP would refuse it
                            new Browser.NewContextOptions()
                                    .setViewportSize(1280, 900)
                                    .setBypassCSP(true));
            Page page = context.newPage();

            // sign in: a wrong key first
            page.navigate(base + "/app/");
            assertThat(page).hasURL(base + "/app/login");
            page.locator("#apiKey").fill("fwk_not-a-key");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
            assertThat(page.locator("#apiKey-error")).containsText("not valid");
            check(page, "login");
            page.locator("#apiKey").fill(alice.apiKey());
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
            assertThat(page).hasURL(base + "/app/monitors");
            check(page, "monitors-empty");

            // a failed submit: the URL's message next to its input, the values kept
            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("New monitor"))
                    .click();
            page.locator("#name").fill("Widget stock");
            page.locator("#source-0-url").fill("ftp://" + "shop.example/widget");
            page.locator("#source-0-selector").fill("#status");
            page.locator("#intervalSeconds").fill("2");
            page.locator("#conditionType").selectOption("contains");
            page.locator("#conditionText").fill("In stock");
            check(page, "monitor-new");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save monitor"))
                    .click();
            assertThat(page.locator("#source-0-url-error")).containsText("http or https");
            assertThat(page.locator("#source-0-url")).hasAttribute("aria-invalid", "true");
            assertThat(page.locator("#source-0-url"))
                    .hasAttribute("aria-describedby", Pattern.compile(".*source-0-url-error.*"));
            assertThat(page.locator("#name")).hasValue("Widget stock");
            assertThat(page.locator("#conditionText")).hasValue("In stock");
            check(page, "monitor-form-error");

            // preview: the text the selector extracts now, and the condition's answer
            page.locator("#source-0-url").fill(site.url("/stock"));
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Preview")).click();
            assertThat(page.locator("#preview .extracted")).hasText("Sold out");
            assertThat(page.locator("#preview .condition")).containsText("does not hold");
            check(page, "monitor-preview");

            // saved: the monitor's page, and its first check
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save monitor"))
                    .click();
            assertThat(page.locator(".notice")).containsText("Monitor created");
            String monitorUrl = page.url().replaceFirst("\\?.*", "");
            reloadUntil(page, monitorUrl, ".summary", "first");

            // the page changes: an alert in the feed, its diff with the removed and added line
            site.page(
                    "/stock", "<html><body><h1>Widget</h1><p id=status>In stock</p></body></html>");
            reloadUntil(page, base + "/app/alerts", "main", "Widget stock");

            // the alerts page's feed link: an Atom feed (parsed with ROME) of exactly these alerts
            page.getByRole(
                            AriaRole.BUTTON,
                            new Page.GetByRoleOptions()
                                    .setName("Create an Atom feed of all alerts"))
                    .click();
            String feedUrl = page.locator("#new-feed").getAttribute("href");
            assertThat(feedUrl).startsWith(base + "/feeds/").endsWith(".atom");
            check(page, "alerts");
            List<String> entries = new ArrayList<>();
            for (SyndEntry e : feed(feedUrl).getEntries()) {
                entries.add(e.getUri());
            }
            List<String> alerts = new ArrayList<>();
            for (JsonNode a : alice.get("/v1/alerts").path("items")) {
                alerts.add("urn:flinkwatch:alert:" + a.path("id").asText());
            }
            assertThat(entries).isNotEmpty().isEqualTo(alerts);
            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Widget stock"))
                    .first()
                    .click();
            Locator change = page.locator("article.check-run").first();
            assertThat(change).containsText("Alert raised: condition met");
            assertThat(change.locator(".reason")).containsText("In stock");
            assertThat(change.locator(".diff-removed").first()).containsText("Sold out");
            assertThat(change.locator(".diff-added").first()).containsText("In stock");
            change.locator("details.diff-views > summary").nth(1).click();
            assertThat(change.locator("table.side td.diff-removed").first())
                    .containsText("Sold out");
            assertThat(change.locator("table.side td.diff-added").first()).containsText("In stock");
            check(page, "monitor-history");

            // edit: the stored values in the form, a change saved
            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Edit")).click();
            assertThat(page.locator("#source-0-selector")).hasValue("#status");
            assertThat(page.locator("#conditionType")).hasValue("contains");
            page.locator("#name").fill("Widget stock!");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save monitor"))
                    .click();
            assertThat(page.locator(".notice")).containsText("Monitor saved");
            assertThat(page.locator("h1")).hasText("Widget stock!");

            // pause, resume, delete
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Pause")).click();
            assertThat(page.locator(".notice")).containsText("Monitor paused");
            assertThat(page.locator(".summary")).containsText("paused");
            assertThat(alice.get("/v1/monitors").path("items").get(0).path("status").asText())
                    .isEqualTo("paused");
            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("API keys")).click();
            check(page, "keys");

            // channels: a failed create, a webhook on the local site, its test message
            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Channels")).click();
            page.locator("#channelName").fill("Ops hook");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create channel"))
                    .click();
            assertThat(page.locator("#channelUrl-error")).isVisible();
            assertThat(page.locator("#channelName")).hasValue("Ops hook");
            page.locator("#channelUrl").fill(site.url("/hook"));
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create channel"))
                    .click();
            assertThat(page.locator("table")).containsText("Ops hook");
            page.getByRole(
                            AriaRole.BUTTON,
                            new Page.GetByRoleOptions().setName("Send a test message to Ops hook"))
                    .click();
            assertThat(page.locator(".notice")).containsText("Test message delivered");
            assertThat(site.hits("/hook")).isEqualTo(1);
            check(page, "channels");
            page.navigate(monitorUrl);
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Delete")).click();
            assertThat(page.locator(".notice")).containsText("Monitor deleted");
            assertThat(page.locator("main")).containsText("No monitors");
            assertThat(alice.get("/v1/monitors").path("items")).isEmpty();

            // another tenant sees none of it
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign out"))
                    .click();
            assertThat(page).hasURL(base + "/app/login");
            page.navigate(base + "/app/monitors");
            assertThat(page).hasURL(base + "/app/login");
            page.locator("#apiKey").fill(bob.apiKey());
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
            assertThat(page.locator("main")).containsText("No monitors");
            page.navigate(base + "/app/alerts");
            assertThat(page.locator("main")).containsText("No alerts yet");
            assertThat(page.locator("main")).not().containsText("fwf_");
            assertThat(page.locator("main")).not().containsText("Widget");
            page.navigate(monitorUrl);
            assertThat(page.locator("main")).containsText("monitor not found");
        }
    }

    @Test
    void formsRefuseForgedPostsAndCookiesCarryTheirFlags() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        JsonNode tenant = createTenant(http, "carol");
        String key = tenant.path("apiKey").asText();

        HttpResponse<String> signIn = post(http, "/app/login", "apiKey=" + enc(key), Map.of());
        assertThat(signIn.statusCode()).isEqualTo(303);
        String setCookie = signIn.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie)
                .startsWith("fw_session=")
                .contains("HttpOnly")
                .contains("SameSite=Strict")
                .doesNotContain("Secure");
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        HttpResponse<String> behindTls =
                post(
                        http,
                        "/app/login",
                        "apiKey=" + enc(key),
                        Map.of("X-Forwarded-Proto", "https"));
        assertThat(behindTls.headers().firstValue("Set-Cookie").orElseThrow()).contains("; Secure");

        HttpResponse<String> form = get(http, "/app/monitors/new", cookie);
        assertThat(form.statusCode()).isEqualTo(200);
        assertThat(form.headers().firstValue("Server-Timing").orElseThrow()).startsWith("app;dur=");
        Matcher m = CSRF.matcher(form.body());
        assertThat(m.find()).isTrue();
        String token = m.group(1);
        String body =
                "name=forged&url="
                        + enc(site.url("/forged"))
                        + "&intervalSeconds=60&conditionType=any_change";

        HttpResponse<String> noToken = post(http, "/app/monitors", body, Map.of("Cookie", cookie));
        assertThat(noToken.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(noToken.body()).path("error").path("fields").has("_csrf"))
                .isTrue();
        HttpResponse<String> wrongToken =
                post(
                        http,
                        "/app/monitors",
                        body + "&_csrf=" + enc(token + "x"),
                        Map.of("Cookie", cookie));
        assertThat(wrongToken.statusCode()).isEqualTo(403);
        HttpResponse<String> foreignOrigin =
                post(
                        http,
                        "/app/monitors",
                        body + "&_csrf=" + enc(token),
                        Map.of("Cookie", cookie, "Origin", "http://evil.example"));
        assertThat(foreignOrigin.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(foreignOrigin.body()).path("error").path("code").asText())
                .isEqualTo("cross_site_request");
        HttpResponse<String> crossSite =
                post(
                        http,
                        "/app/monitors",
                        body + "&_csrf=" + enc(token),
                        Map.of("Cookie", cookie, "Sec-Fetch-Site", "cross-site"));
        assertThat(crossSite.statusCode()).isEqualTo(403);
        HttpResponse<String> foreignSignIn =
                post(
                        http,
                        "/app/login",
                        "apiKey=" + enc(key),
                        Map.of("Origin", "http://evil.example"));
        assertThat(foreignSignIn.statusCode()).isEqualTo(403);
        assertThat(monitorCount(http, key)).isZero();

        HttpResponse<String> genuine =
                post(
                        http,
                        "/app/monitors",
                        body + "&_csrf=" + enc(token),
                        Map.of("Cookie", cookie, "Origin", base, "Sec-Fetch-Site", "same-origin"));
        assertThat(genuine.statusCode()).isEqualTo(303);
        assertThat(monitorCount(http, key)).isEqualTo(1);

        // revoking the key ends its sessions; signing out deletes the session
        HttpResponse<String> revoke =
                http.send(
                        HttpRequest.newBuilder(
                                        URI.create(
                                                base + "/v1/keys/" + tenant.path("keyId").asText()))
                                .header("X-Admin-Token", stack.adminToken())
                                .DELETE()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(revoke.statusCode()).isEqualTo(204);
        HttpResponse<String> after = get(http, "/app/monitors", cookie);
        assertThat(after.statusCode()).isEqualTo(303);
        assertThat(after.headers().firstValue("Location").orElseThrow()).isEqualTo("/app/login");
    }

    // --- helpers ---------------------------------------------------------------------------

    /** axe-core finds no serious or critical violation; screenshots at desktop and phone width. */
    private static void check(Page page, String name) throws Exception {
        page.addScriptTag(new Page.AddScriptTagOptions().setContent(axeScript()));
        Object violations =
                page.evaluate(
                        "async () => { const r = await axe.run(document, {resultTypes: ['violations']});"
                                + " return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')"
                                + ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', ')); }");
        assertThat((List<?>) violations).as("axe violations on " + name).isEmpty();
        page.screenshot(
                new Page.ScreenshotOptions()
                        .setPath(SHOTS.resolve(name + "-desktop.png"))
                        .setFullPage(true));
        page.setViewportSize(375, 800);
        page.screenshot(
                new Page.ScreenshotOptions()
                        .setPath(SHOTS.resolve(name + "-phone.png"))
                        .setFullPage(true));
        Object overflow =
                page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth + 1");
        assertThat(overflow).as(name + " scrolls sideways at 375 px").isEqualTo(false);
        page.setViewportSize(1280, 900);
    }

    private static String axe;

    private static synchronized String axeScript() throws Exception {
        if (axe == null) {
            try (InputStream in = WebUiBrowserIT.class.getResourceAsStream("/axe.min.js")) {
                assertThat(in).as("axe.min.js on the test classpath").isNotNull();
                axe = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
        return axe;
    }

    private static void reloadUntil(Page page, String url, String selector, String text) {
        await().atMost(PATIENCE)
                .pollInterval(Duration.ofMillis(500))
                .until(
                        () -> {
                            page.navigate(url);
                            return page.locator(selector).innerText().contains(text);
                        });
    }

    private static SyndFeed feed(String url) throws Exception {
        HttpResponse<InputStream> r =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create(url)).build(),
                                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        try (InputStream in = r.body()) {
            return new SyndFeedInput().build(new XmlReader(in));
        }
    }

    private static JsonNode createTenant(HttpClient http, String name) throws Exception {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create(base + "/v1/tenants"))
                                .header("X-Admin-Token", stack.adminToken())
                                .header("Content-Type", "application/json")
                                .POST(
                                        HttpRequest.BodyPublishers.ofString(
                                                "{\"name\":\"" + name + "\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(201);
        return JSON.readTree(r.body());
    }

    private static int monitorCount(HttpClient http, String key) throws Exception {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create(base + "/v1/monitors"))
                                .header("Authorization", "Bearer " + key)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body()).path("items").size();
    }

    private static HttpResponse<String> get(HttpClient http, String path, String cookie)
            throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(base + path)).header("Cookie", cookie).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(
            HttpClient http, String path, String form, Map<String, String> headers)
            throws Exception {
        List<String> pairs = new ArrayList<>();
        headers.forEach(
                (k, v) -> {
                    pairs.add(k);
                    pairs.add(v);
                });
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(base + path))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form));
        if (!pairs.isEmpty()) {
            b.headers(pairs.toArray(String[]::new));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
