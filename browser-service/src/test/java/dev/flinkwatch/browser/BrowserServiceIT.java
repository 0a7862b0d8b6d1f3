package dev.flinkwatch.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.flinkwatch.fetch.FetchOptions;
import dev.flinkwatch.testing.LocalSite;
import dev.flinkwatch.testing.Tarpit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The browser service on real Chromium against a real site over loopback: JavaScript rendering,
 * waiting, timeouts, the concurrency cap under a burst, crash recovery, context isolation and
 * resource blocking. One service (cap 2) for the class.
 */
class BrowserServiceIT {
    private static final int CAP = 2;
    private static final int QUEUE = 4;

    private static LocalSite site;
    private static BrowserService service;
    private static RenderClient client;

    @BeforeAll
    static void start() {
        site = LocalSite.start();
        Configuration conf = new Configuration();
        conf.set(BrowserOptions.PORT, 0);
        conf.set(BrowserOptions.MAX_CONCURRENT, CAP);
        conf.set(BrowserOptions.MAX_QUEUED, QUEUE);
        conf.set(BrowserOptions.DEFAULT_TIMEOUT, Duration.ofSeconds(20));
        conf.set(BrowserOptions.WATCHDOG_GRACE, Duration.ofSeconds(3));
        conf.set(FetchOptions.ALLOW_LIST, List.of("127.0.0.1/32"));
        service = BrowserService.start(BrowserConfig.from(conf));
        client = new RenderClient(service.baseUrl());
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (site != null) {
            site.close();
        }
    }

    @Test
    void textThatOnlyJavaScriptWritesIsRendered() {
        site.page(
                "/js.html",
                "<html><body><div id='app'>loading</div><script>"
                        + "document.getElementById('app').textContent = 'price ' + (6 * 7) + ' EUR';"
                        + "</script></body></html>");

        RenderClient.Answer answer = client.render(site.url("/js.html"));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.html()).contains("price 42 EUR").doesNotContain("loading");
        assertThat(answer.body().path("status").asInt()).isEqualTo(200);
        assertThat(answer.body().path("finalUrl").asText()).isEqualTo(site.url("/js.html"));
        assertThat(answer.body().path("renderMs").asLong()).isPositive();
        assertThat(answer.body().has("screenshot")).isFalse();
    }

    @Test
    void waitForSelectorWaitsForLateContentAndTimesOutWhenItNeverComes() {
        site.page(
                "/late.html",
                "<html><body><script>setTimeout(() => {"
                        + " const p = document.createElement('p'); p.id = 'late';"
                        + " p.textContent = 'arrived late'; document.body.appendChild(p);"
                        + "}, 700);</script></body></html>");
        var body = RenderClient.body(site.url("/late.html"));
        body.putObject("waitFor").put("selector", "#late");

        RenderClient.Answer answer = client.render(body);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.html()).contains("arrived late");

        var never = RenderClient.body(site.url("/late.html")).put("timeoutMs", 2000);
        never.putObject("waitFor").put("selector", "#never");
        RenderClient.Answer timedOut = client.render(never);
        assertThat(timedOut.status()).isEqualTo(504);
        assertThat(timedOut.errorCode()).isEqualTo("timeout");
    }

    @Test
    void aPageThatNeverFinishesTimesOutWithinTheLimitAndTheServiceStaysHealthy() {
        try (Tarpit tarpit = Tarpit.start("127.0.0.1", Tarpit.Mode.SILENT, 1_000_000)) {
            long start = System.nanoTime();
            RenderClient.Answer answer =
                    client.render(
                            RenderClient.body(tarpit.url("127.0.0.1", "/slow"))
                                    .put("timeoutMs", 2000));
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(answer.status()).isEqualTo(504);
            assertThat(answer.errorCode()).isEqualTo("timeout");
            // the limit plus the watchdog's grace, never a hang
            assertThat(took).isLessThan(Duration.ofSeconds(2 + 3 + 2));
            assertThat(tarpit.accepted()).isPositive();
        }
        assertThat(client.get("/healthz").status()).isEqualTo(200);
        site.page("/after.html", "<p>still fine</p>");
        assertThat(client.render(site.url("/after.html")).html()).contains("still fine");
    }

    @Test
    void aPageThatHangsTheBrowserIsKilledByTheWatchdogAndItsSlotReplaced() {
        // Loads, then spins its main thread forever: reading the DOM never returns, so only the
        // watchdog ends the render.
        site.page(
                "/spin.html",
                "<p>spinning</p><script>window.addEventListener('load',"
                        + " () => setTimeout(() => { for (;;) {} }, 0));</script>");
        double killsBefore = client.metric("browser_restarts_total{reason=\"watchdog\"");

        long start = System.nanoTime();
        RenderClient.Answer answer =
                client.render(RenderClient.body(site.url("/spin.html")).put("timeoutMs", 2000));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(answer.status()).isEqualTo(504);
        assertThat(answer.errorCode()).isEqualTo("timeout");
        assertThat(took).isLessThan(Duration.ofSeconds(2 + 3 + 2));
        assertThat(client.metric("browser_restarts_total{reason=\"watchdog\""))
                .isEqualTo(killsBefore + 1);
        site.page("/calm.html", "<p id='c'></p><script>c.textContent='calm again'</script>");
        for (int i = 0; i < 2 * CAP; i++) {
            assertThat(client.render(site.url("/calm.html")).html()).contains("calm again");
        }
        // the killed slot's browser is gone and not relaunched: one browser per slot
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(chromiumBrowserProcesses()).hasSize(CAP));
    }

    @Test
    void theCapHoldsUnderABurstOf50AndEveryRenderIsAnsweredOrBusy() throws Exception {
        AtomicInteger open = new AtomicInteger();
        AtomicInteger maxOpen = new AtomicInteger();
        site.handle(
                "/burst.html",
                exchange -> {
                    maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
                    try {
                        // a slow server, so renders overlap
                        Thread.sleep(150);
                        exchange.getResponseHeaders().set("Content-Type", "text/html");
                        LocalSite.send(
                                exchange,
                                200,
                                "<p id='b'></p><script>b.textContent='burst ok'</script>"
                                        .getBytes(StandardCharsets.UTF_8));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        open.decrementAndGet();
                    }
                });
        ConcurrentLinkedQueue<Double> inFlightSeen = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(51);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<RenderClient.Answer>> answers = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                answers.add(
                        pool.submit(
                                () -> {
                                    go.await();
                                    return client.render(site.url("/burst.html"));
                                }));
            }
            AtomicInteger done = new AtomicInteger();
            pool.submit(
                    () -> {
                        while (done.get() == 0) {
                            inFlightSeen.add(client.metric("browser_renders_in_flight"));
                        }
                        return null;
                    });
            go.countDown();
            int ok = 0;
            int busy = 0;
            for (Future<RenderClient.Answer> f : answers) {
                RenderClient.Answer a = f.get();
                if (a.status() == 200) {
                    assertThat(a.html()).contains("burst ok");
                    ok++;
                } else {
                    assertThat(a.status()).isEqualTo(503);
                    assertThat(a.errorCode()).isEqualTo("busy");
                    assertThat(a.headers()).containsKey("retry-after");
                    busy++;
                }
            }
            done.set(1);
            assertThat(ok + busy).isEqualTo(50);
            assertThat(ok).isGreaterThanOrEqualTo(CAP + QUEUE);
            assertThat(busy).isPositive();
            assertThat(maxOpen.get()).isBetween(1, CAP);
            assertThat(inFlightSeen).isNotEmpty().allMatch(v -> v <= CAP);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aKilledChromiumIsReplacedAndLaterRendersSucceed() {
        site.page("/alive.html", "<p id='a'></p><script>a.textContent='alive'</script>");
        List<ProcessHandle> browsers = chromiumBrowserProcesses();
        assertThat(browsers).hasSizeGreaterThanOrEqualTo(1);
        double restartsBefore = client.metric("browser_restarts_total");

        browsers.forEach(ProcessHandle::destroyForcibly); // SIGKILL
        await().atMost(Duration.ofSeconds(30))
                .until(() -> browsers.stream().noneMatch(ProcessHandle::isAlive));

        // The first render on each slot after the kill replaces its browser (and may answer
        // browser_crashed when the crash is noticed mid-render); after that, every render works.
        await().atMost(Duration.ofSeconds(60))
                .until(() -> client.render(site.url("/alive.html")).status() == 200);
        for (int i = 0; i < 2 * CAP; i++) {
            RenderClient.Answer a = client.render(site.url("/alive.html"));
            assertThat(a.status()).isEqualTo(200);
            assertThat(a.html()).contains("alive");
        }
        assertThat(client.metric("browser_restarts_total")).isGreaterThan(restartsBefore);
        assertThat(client.get("/healthz").status()).isEqualTo(200);
        // one browser per slot again (processes of the killed ones may take a moment to go)
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(
                        () ->
                                assertThat(chromiumBrowserProcesses())
                                        .as(describe(chromiumBrowserProcesses()))
                                        .hasSize(CAP)
                                        .noneMatch(browsers::contains));
    }

    @Test
    void everyRenderGetsAFreshContext() {
        AtomicInteger cookiesSeen = new AtomicInteger();
        site.handle(
                "/set.html",
                exchange -> {
                    exchange.getResponseHeaders().add("Set-Cookie", "session=tenant-a; Path=/");
                    exchange.getResponseHeaders().set("Content-Type", "text/html");
                    LocalSite.send(
                            exchange,
                            200,
                            ("<script>document.cookie='js=tenant-a; path=/';"
                                            + "localStorage.setItem('k','tenant-a')</script>")
                                    .getBytes(StandardCharsets.UTF_8));
                });
        site.handle(
                "/read.html",
                exchange -> {
                    if (exchange.getRequestHeaders().containsKey("Cookie")) {
                        cookiesSeen.incrementAndGet();
                    }
                    exchange.getResponseHeaders().set("Content-Type", "text/html");
                    LocalSite.send(
                            exchange,
                            200,
                            ("<p id='out'></p><script>out.textContent='cookies=['+document.cookie"
                                            + "+'] storage='+localStorage.getItem('k')</script>")
                                    .getBytes(StandardCharsets.UTF_8));
                });

        // several rounds, so the same slot (same browser) is certainly reused
        for (int i = 0; i < 2 * CAP; i++) {
            assertThat(client.render(site.url("/set.html")).status()).isEqualTo(200);
            RenderClient.Answer read = client.render(site.url("/read.html"));
            assertThat(read.html()).contains("cookies=[] storage=null");
        }
        assertThat(cookiesSeen.get()).isZero();
    }

    @Test
    void imagesAreBlockedUnlessAScreenshotIsAsked() {
        site.page("/pic.png", tinyPng(), "image/png");
        site.page(
                "/img.html",
                "<html><body style='background:#fff'><h1>picture</h1>"
                        + "<img src='/pic.png' width=20 height=20></body></html>");

        RenderClient.Answer plain = client.render(site.url("/img.html"));
        assertThat(plain.status()).isEqualTo(200);
        assertThat(plain.html()).contains("picture");
        assertThat(site.hits("/pic.png")).isZero();

        RenderClient.Answer shot =
                client.render(RenderClient.body(site.url("/img.html")).put("screenshot", true));
        assertThat(shot.status()).isEqualTo(200);
        byte[] jpeg = Base64.getDecoder().decode(shot.body().path("screenshot").asText());
        assertThat(jpeg.length).isBetween(100, 512 * 1024);
        assertThat(jpeg[0] & 0xff).isEqualTo(0xff);
        assertThat(jpeg[1] & 0xff).isEqualTo(0xd8);
        assertThat(site.hits("/pic.png")).isEqualTo(1);
    }

    @Test
    void badRequestsAreAnsweredWithTheFieldNamed() {
        RenderClient.Answer scheme = client.render("file:///etc/passwd");
        assertThat(scheme.status()).isEqualTo(400);
        assertThat(scheme.errorCode()).isEqualTo("validation_failed");
        assertThat(scheme.body().path("error").path("fields").has("url")).isTrue();

        RenderClient.Answer notJson = client.post("{nope");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.body().path("error").path("fields").has("body")).isTrue();

        RenderClient.Answer timeout =
                client.render(RenderClient.body(site.url("/x")).put("timeoutMs", 3_600_000));
        assertThat(timeout.status()).isEqualTo(400);
        assertThat(timeout.body().path("error").path("fields").has("timeoutMs")).isTrue();

        var badWait = RenderClient.body(site.url("/x")).put("waitFor", "forever");
        assertThat(client.render(badWait).body().path("error").path("fields").has("waitFor"))
                .isTrue();

        RenderClient.Answer unresolvable = client.render("http://does-not-exist.invalid/");
        assertThat(unresolvable.status()).isEqualTo(502);
        assertThat(unresolvable.errorCode()).isEqualTo("navigation_failed");

        RenderClient.Answer huge = client.post("{\"url\": \"" + "x".repeat(100_000) + "\"}");
        assertThat(huge.status()).isEqualTo(413);
        assertThat(huge.errorCode()).isEqualTo("validation_failed");
        RenderClient.Answer wrongMethod = client.get("/render");
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.errorCode()).isEqualTo("validation_failed");

        assertThat(client.metrics())
                .contains("browser_renders_total{outcome=\"validation_failed\"}");
    }

    @Test
    void aMissingChromiumFailsAtStartNamingItsPath() {
        Configuration conf = new Configuration();
        conf.set(BrowserOptions.PORT, 0);
        conf.set(BrowserOptions.MAX_CONCURRENT, 1);
        conf.set(BrowserOptions.CHROMIUM_PATH, "/nonexistent/chromium");

        assertThatThrownBy(() -> BrowserService.start(BrowserConfig.from(conf)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("/nonexistent/chromium");
        assertThat(BrowserService.chromiumAvailable(Path.of("/usr/bin/chromium"))).isTrue();
    }

    /**
     * Chromium browser processes (not renderers, GPU or zygotes) started by this JVM: the ones
     * Playwright launched with its debugging pipe.
     */
    static List<ProcessHandle> chromiumBrowserProcesses() {
        return ProcessHandle.current()
                .descendants()
                .filter(ProcessHandle::isAlive)
                .filter(p -> cmdline(p).contains("--remote-debugging-pipe"))
                .filter(p -> !cmdline(p).contains("--type="))
                .toList();
    }

    private static String describe(List<ProcessHandle> processes) {
        StringBuilder out = new StringBuilder();
        for (ProcessHandle p : processes) {
            out.append(p.pid())
                    .append(" parent=")
                    .append(p.parent().map(ProcessHandle::pid).orElse(-1L))
                    .append(" started=")
                    .append(p.info().startInstant().orElse(null))
                    .append(' ')
                    .append(cmdline(p), 0, Math.min(200, cmdline(p).length()))
                    .append('\n');
        }
        return out.toString();
    }

    private static String cmdline(ProcessHandle p) {
        try {
            return Files.readString(Path.of("/proc/" + p.pid() + "/cmdline")).replace('\0', ' ');
        } catch (IOException e) {
            return ""; // exited meanwhile
        }
    }

    private static byte[] tinyPng() {
        return Base64.getDecoder()
                .decode(
                        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");
    }
}
