package dev.flinkwatch.fetch;

import static dev.flinkwatch.fetch.DirectFetcher.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import dev.flinkwatch.model.CheckRequest;
import dev.flinkwatch.testing.FlinkTestCluster;
import dev.flinkwatch.testing.LocalSite;
import dev.flinkwatch.testing.RecordingMetricGroup;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fetcher against real HTTP servers on loopback (allow-listed: 127.0.0.1 only), one test per
 * outcome and behaviour, plus one run inside a Flink MiniCluster job.
 */
class FetchIT {
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    private static final long BODY_LIMIT = 256 * 1024;

    private LocalSite site;
    private DirectFetcher fetcher;
    private final List<DirectFetcher> extraFetchers = new ArrayList<>();

    @BeforeEach
    void start() {
        site = LocalSite.start();
        fetcher = new DirectFetcher(config(new Configuration()), testResolver());
    }

    @AfterEach
    void stop() throws Exception {
        fetcher.close();
        for (DirectFetcher extra : extraFetchers) {
            extra.close();
        }
        site.close();
    }

    /** Fast, loopback-friendly settings; robots.txt on (LocalSite answers 404: allow all). */
    static FetchConfig config(Configuration overrides) {
        Configuration conf = new Configuration();
        conf.set(FetchOptions.ALLOW_LIST, List.of("127.0.0.1/32"));
        conf.set(FetchOptions.CONNECT_TIMEOUT, Duration.ofSeconds(3));
        conf.set(FetchOptions.READ_TIMEOUT, Duration.ofSeconds(3));
        conf.set(FetchOptions.REQUEST_TIMEOUT, Duration.ofSeconds(3));
        conf.set(FetchOptions.DEADLINE, Duration.ofSeconds(30));
        conf.set(FetchOptions.MAX_ATTEMPTS, 2);
        conf.set(FetchOptions.RETRY_INITIAL_BACKOFF, Duration.ofMillis(100));
        conf.set(FetchOptions.RETRY_MAX_BACKOFF, Duration.ofSeconds(5));
        conf.set(FetchOptions.MIN_DELAY_PER_HOST, Duration.ZERO);
        conf.set(FetchOptions.MAX_CONCURRENT_PER_HOST, 8);
        conf.set(FetchOptions.MAX_BODY_SIZE, new MemorySize(BODY_LIMIT));
        // each test counts the requests its fetches send; SharedFetchesTest and SharedFetchIT
        // cover sharing
        conf.set(FetchOptions.SHARED_WINDOW, Duration.ZERO);
        conf.addAll(overrides);
        return FetchConfig.from(conf);
    }

    /** Test names resolve to loopback; nxdomain.test does not resolve; nothing touches real DNS. */
    static HostResolver testResolver() {
        return host -> {
            if (host.endsWith(".test") && !host.equals("nxdomain.test")) {
                return List.of(InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1}));
            }
            throw new UnknownHostException(host);
        };
    }

    @Test
    void okPageCarriesBodyValidatorsAndTimes() {
        site.page("/a.html", "<html><body>In stock: ✓</body></html>");

        FetchResult r = fetcher.fetch(site.url("/a.html"));

        assertThat(r.status()).isEqualTo(FetchStatus.OK);
        assertThat(r.httpStatus()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("<html><body>In stock: ✓</body></html>");
        assertThat(r.charset()).isEqualTo("UTF-8");
        assertThat(r.contentType()).startsWith("text/html");
        assertThat(r.etag()).isNotBlank();
        assertThat(r.finalUrl()).isEqualTo(site.url("/a.html"));
        assertThat(r.attempts()).isEqualTo(1);
        assertThat(r.redirects()).isZero();
        assertThat(r.latencyMs()).isNotNegative();
        assertThat(r.finishedAt()).isAfterOrEqualTo(r.startedAt());
        assertThat(r.message()).isEqualTo("200 OK");
    }

    @Test
    void conditionalGetWithEtagGivesNotModifiedUntilThePageChanges() {
        site.page("/e.html", "<p>v1</p>");
        FetchResult first = fetcher.fetch(site.url("/e.html"));

        FetchResult second = fetcher.fetch(request(site.url("/e.html"), first.etag(), null));
        site.page("/e.html", "<p>v2</p>");
        FetchResult third = fetcher.fetch(request(site.url("/e.html"), first.etag(), null));

        assertThat(second.status()).isEqualTo(FetchStatus.NOT_MODIFIED);
        assertThat(second.httpStatus()).isEqualTo(304);
        assertThat(second.body()).isNull();
        assertThat(second.etag()).isEqualTo(first.etag());
        assertThat(third.status()).isEqualTo(FetchStatus.OK);
        assertThat(third.body()).isEqualTo("<p>v2</p>");
        assertThat(third.etag()).isNotEqualTo(first.etag());
    }

    @Test
    void conditionalGetWithLastModifiedSendsIfModifiedSince() {
        String lastModified = "Wed, 21 Oct 2015 07:28:00 GMT";
        site.handle(
                "/lm.html",
                ex -> {
                    ex.getResponseHeaders().set("Last-Modified", lastModified);
                    if (lastModified.equals(ex.getRequestHeaders().getFirst("If-Modified-Since"))) {
                        ex.sendResponseHeaders(304, -1);
                        return;
                    }
                    ex.getResponseHeaders().set("Content-Type", "text/html");
                    LocalSite.send(ex, 200, "<p>x</p>".getBytes(StandardCharsets.UTF_8));
                });

        FetchResult first = fetcher.fetch(site.url("/lm.html"));
        FetchResult second =
                fetcher.fetch(request(site.url("/lm.html"), null, first.lastModified()));

        assertThat(first.lastModified()).isEqualTo(lastModified);
        assertThat(second.status()).isEqualTo(FetchStatus.NOT_MODIFIED);
        assertThat(second.lastModified()).isEqualTo(lastModified);
    }

    @Test
    void aValidatorWithControlCharactersIsNotSentAndTheHostSlotStaysFree() throws Exception {
        Configuration oneSlot = new Configuration();
        oneSlot.set(FetchOptions.MAX_CONCURRENT_PER_HOST, 1);
        oneSlot.set(FetchOptions.ROBOTS_ENABLED, false);
        site.page("/v.html", "<p>v</p>");
        List<String> injected = new CopyOnWriteArrayList<>();
        site.handle(
                "/inject.html",
                ex -> {
                    if (ex.getRequestHeaders().containsKey("X-Injected")) {
                        injected.add("yes");
                    }
                    LocalSite.send(ex, 200, new byte[0]);
                });
        try (DirectFetcher single = new DirectFetcher(config(oneSlot), testResolver())) {
            FetchResult bad =
                    single.fetch(request(site.url("/inject.html"), "\"a\"\r\nX-Injected: 1", null));

            assertThat(bad.status()).isEqualTo(FetchStatus.OK); // an unconditional GET
            assertThat(injected).isEmpty();
            assertThat(single.fetch(site.url("/v.html")).status()).isEqualTo(FetchStatus.OK);
        }
    }

    @Test
    void followsARedirectChainAndReportsTheFinalUrl() {
        redirect("/r1", "/r2");
        redirect("/r2", site.url("/r3")); // absolute
        redirect("/r3", "final.html"); // relative
        site.page("/final.html", "<p>end</p>");

        FetchResult r = fetcher.fetch(site.url("/r1"));

        assertThat(r.status()).isEqualTo(FetchStatus.OK);
        assertThat(r.body()).isEqualTo("<p>end</p>");
        assertThat(r.redirects()).isEqualTo(3);
        assertThat(r.finalUrl()).isEqualTo(site.url("/final.html"));
    }

    @Test
    void stopsAfterTheMaximumNumberOfRedirects() {
        for (int i = 0; i < 10; i++) {
            redirect("/loop" + i, "/loop" + (i + 1));
        }

        FetchResult r = fetcher.fetch(site.url("/loop0"));

        assertThat(r.status()).isEqualTo(FetchStatus.TOO_MANY_REDIRECTS);
        assertThat(r.redirects()).isEqualTo(5);
        assertThat(site.hits("/loop5")).isEqualTo(1);
        assertThat(site.hits("/loop6")).isZero();
        assertThat(r.message()).contains("more than 5 redirects");
    }

    @Test
    void aRedirectFromAnAllowedHostToABlockedAddressIsRefused() {
        redirect("/to-metadata", "http://169.254.169.254/latest/meta-data/");
        redirect("/to-private", "http://10.0.0.1/admin");
        // Another loopback address, spelled in hex: loopback, and not on the allow-list.
        redirect("/to-loopback-alias", "http://0x7f000002:" + site.port() + "/a.html");
        redirect("/to-mapped", "http://[::ffff:192.168.0.1]/");
        redirect("/to-file", "file:///etc/passwd");

        for (String path :
                List.of(
                        "/to-metadata",
                        "/to-private",
                        "/to-loopback-alias",
                        "/to-mapped",
                        "/to-file")) {
            FetchResult r = fetcher.fetch(site.url(path));
            assertThat(r.status()).as(path).isEqualTo(FetchStatus.BLOCKED_ADDRESS);
            assertThat(r.redirects()).as(path).isEqualTo(1);
        }
        assertThat(fetcher.fetch(site.url("/to-metadata")).message()).contains("cloud metadata");
    }

    @Test
    void refusesBlockedUrlsWithoutConnecting() {
        assertThat(fetcher.fetch("http://169.254.169.254/").status())
                .isEqualTo(FetchStatus.BLOCKED_ADDRESS);
        assertThat(fetcher.fetch("http://2130706434:" + site.port() + "/").status())
                .isEqualTo(FetchStatus.BLOCKED_ADDRESS);
        assertThat(fetcher.fetch("ftp://127.0.0.1/").status())
                .isEqualTo(FetchStatus.BLOCKED_ADDRESS);
        assertThat(fetcher.fetch("not a url").status()).isEqualTo(FetchStatus.BLOCKED_ADDRESS);
    }

    @Test
    void connectsToTheCheckedAddressWithoutResolvingAgain() throws Exception {
        site.page("/a.html", "<p>a</p>");
        AtomicInteger lookups = new AtomicInteger();
        // First answer loopback (allowed), later answers a private address: a rebinding attack.
        HostResolver rebinding =
                host -> {
                    byte[] address =
                            lookups.incrementAndGet() == 1
                                    ? new byte[] {127, 0, 0, 1}
                                    : new byte[] {10, 0, 0, 1};
                    return List.of(InetAddress.getByAddress(host, address));
                };
        Configuration noCaching = new Configuration();
        noCaching.set(FetchOptions.DNS_CACHE_TTL, Duration.ZERO);
        noCaching.set(FetchOptions.ROBOTS_ENABLED, false);
        try (DirectFetcher rebound = new DirectFetcher(config(noCaching), rebinding)) {
            FetchResult r = rebound.fetch("http://rebind.test:" + site.port() + "/a.html");

            // One lookup, and the connection went to its answer: the HTTP client did not resolve
            // rebind.test itself (the system resolver does not know it).
            assertThat(r.status()).isEqualTo(FetchStatus.OK);
            assertThat(r.body()).isEqualTo("<p>a</p>");
            assertThat(lookups.get()).isEqualTo(1);
            FetchResult again = rebound.fetch("http://rebind.test:" + site.port() + "/a.html");
            assertThat(again.status()).isEqualTo(FetchStatus.BLOCKED_ADDRESS);
            // the tenant learns that the name is refused, never where it points
            assertThat(again.message())
                    .isEqualTo("rebind.test resolves to a blocked address")
                    .doesNotContain("10.0.0.1");
        }
    }

    @Test
    void aSilentServerTimesOutWithoutARetryThatWouldHoldItsSlotAgain() {
        site.handle(
                "/slow",
                ex -> {
                    try {
                        Thread.sleep(8_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    LocalSite.send(ex, 200, "late".getBytes(StandardCharsets.UTF_8));
                });

        FetchResult r = fetcher.fetch(site.url("/slow"));

        assertThat(r.status()).isEqualTo(FetchStatus.TIMEOUT);
        assertThat(r.attempts()).isEqualTo(1);
        assertThat(r.httpStatus()).isNull();
        assertThat(r.message()).containsIgnoringCase("timeout").doesNotContain("127.0.0.1");
    }

    @Test
    void flinksAsyncTimeoutEndsTheFetchWithATimeoutResult() throws Exception {
        CountDownLatch released = new CountDownLatch(1);
        site.handle(
                "/hang",
                ex -> {
                    try {
                        released.await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });

        FetchResult r =
                fetcher.startAndTimeOutAfter(request(site.url("/hang")), 300)
                        .get(10, TimeUnit.SECONDS);
        released.countDown();

        assertThat(r.status()).isEqualTo(FetchStatus.TIMEOUT);
        assertThat(r.message()).contains("async operator timeout");
    }

    @Test
    void anEndlessBodyIsStoppedAtTheLimitWithBoundedMemory() {
        AtomicLong written = new AtomicLong();
        CountDownLatch serverStopped = new CountDownLatch(1);
        site.handle(
                "/endless",
                ex -> {
                    ex.getResponseHeaders().set("Content-Type", "text/html");
                    ex.sendResponseHeaders(
                            200, 0); // chunked, no length: only streaming can stop it
                    byte[] chunk = new byte[8192];
                    Arrays.fill(chunk, (byte) 'a');
                    try (OutputStream out = ex.getResponseBody()) {
                        while (written.get() < 4L * 1024 * 1024 * 1024) {
                            out.write(chunk);
                            written.addAndGet(chunk.length);
                        }
                    } finally {
                        serverStopped.countDown();
                    }
                });

        FetchResult r = fetcher.fetch(site.url("/endless"));

        assertThat(r.status()).isEqualTo(FetchStatus.TOO_LARGE);
        assertThat(r.body()).isNull();
        assertThat(r.bodyBytes()).isGreaterThan(BODY_LIMIT).isLessThan(BODY_LIMIT + 256 * 1024);
        // The client hung up: the server's writes fail long before gigabytes went out.
        await().atMost(Duration.ofSeconds(30)).until(() -> serverStopped.getCount() == 0);
        assertThat(written.get()).isLessThan(64L * 1024 * 1024);
    }

    @Test
    void aDeclaredOversizedBodyIsRefusedFromItsHeaders() {
        site.page("/big.html", new byte[(int) BODY_LIMIT + 1], "text/html");

        FetchResult r = fetcher.fetch(site.url("/big.html"));

        assertThat(r.status()).isEqualTo(FetchStatus.TOO_LARGE);
        assertThat(r.bodyBytes()).isZero();
    }

    @Test
    void decodesIso88591FromTheHeaderAndFromAMetaTag() {
        String text = "<html><body>Grüße aus Köln, café, señor, 1½ °C</body></html>";
        site.page(
                "/latin1-header.html",
                text,
                "text/html; charset=ISO-8859-1",
                StandardCharsets.ISO_8859_1);
        String meta = "<html><head><meta charset=\"iso-8859-1\"></head><body>Grüße</body></html>";
        site.page("/latin1-meta.html", meta, "text/html", StandardCharsets.ISO_8859_1);

        assertThat(fetcher.fetch(site.url("/latin1-header.html")).body()).isEqualTo(text);
        assertThat(fetcher.fetch(site.url("/latin1-meta.html")).body()).isEqualTo(meta);
    }

    @Test
    void decodesShiftJisFromTheHeaderAndFromAMetaTag() {
        Charset sjis = Charset.forName("Shift_JIS");
        String text = "<html><body>在庫あり：価格は５００円です。</body></html>";
        site.page("/sjis-header.html", text, "text/html; charset=Shift_JIS", sjis);
        String meta =
                "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html;"
                        + " charset=Shift_JIS\"></head><body>日本語のページ</body></html>";
        site.page("/sjis-meta.html", meta, "text/html", sjis);

        FetchResult header = fetcher.fetch(site.url("/sjis-header.html"));
        FetchResult fromMeta = fetcher.fetch(site.url("/sjis-meta.html"));

        assertThat(header.body()).isEqualTo(text);
        assertThat(header.charset()).isEqualTo("Shift_JIS");
        assertThat(fromMeta.body()).isEqualTo(meta);
    }

    @Test
    void undecodableBytesNeverFailTheFetch() {
        byte[] garbage = {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, 'o', 'k'};
        site.page("/garbage.txt", garbage, "text/plain; charset=utf-8");
        site.page(
                "/bogus-charset.txt",
                "ok".getBytes(StandardCharsets.US_ASCII),
                "text/plain; charset=klingon");

        FetchResult r = fetcher.fetch(site.url("/garbage.txt"));

        assertThat(r.status()).isEqualTo(FetchStatus.OK);
        assertThat(r.body()).endsWith("ok").contains("\uFFFD");
        assertThat(fetcher.fetch(site.url("/bogus-charset.txt")).body()).isEqualTo("ok");
    }

    @Test
    void decompressesGzip() {
        byte[] html = "<p>compressed page</p>".getBytes(StandardCharsets.UTF_8);
        site.handle(
                "/gz.html",
                ex -> {
                    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
                    try (GZIPOutputStream gz = new GZIPOutputStream(buffer)) {
                        gz.write(html);
                    }
                    ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                    ex.getResponseHeaders().set("Content-Encoding", "gzip");
                    LocalSite.send(ex, 200, buffer.toByteArray());
                });

        FetchResult r = fetcher.fetch(site.url("/gz.html"));

        assertThat(r.status()).isEqualTo(FetchStatus.OK);
        assertThat(r.body()).isEqualTo("<p>compressed page</p>");
    }

    @Test
    void tooManyRequestsIsRetriedAfterTheRetryAfterDelay() {
        List<Long> hits = new CopyOnWriteArrayList<>();
        site.handle(
                "/busy",
                ex -> {
                    hits.add(System.nanoTime());
                    if (hits.size() == 1) {
                        ex.getResponseHeaders().set("Retry-After", "2");
                        LocalSite.send(ex, 429, "slow down".getBytes(StandardCharsets.UTF_8));
                    } else {
                        ex.getResponseHeaders().set("Content-Type", "text/plain");
                        LocalSite.send(ex, 200, "ok".getBytes(StandardCharsets.UTF_8));
                    }
                });

        // own host names: a 429 or 503 teaches the fetcher about its host, for the whole JVM
        FetchResult r = fetcher.fetch(site.url("busy.test", "/busy"));

        assertThat(r.status()).isEqualTo(FetchStatus.OK);
        assertThat(r.attempts()).isEqualTo(2);
        assertThat(hits).hasSize(2);
        assertThat(Duration.ofNanos(hits.get(1) - hits.get(0)))
                .isGreaterThanOrEqualTo(Duration.ofMillis(1900));
    }

    @Test
    void aRetryAfterLongerThanTheMaximumBackoffEndsTheFetch() {
        site.handle(
                "/go-away",
                ex -> {
                    ex.getResponseHeaders().set("Retry-After", "3600");
                    LocalSite.send(ex, 429, new byte[0]);
                });

        FetchResult r = fetcher.fetch(site.url("go-away.test", "/go-away"));

        assertThat(r.status()).isEqualTo(FetchStatus.HTTP_ERROR);
        assertThat(r.httpStatus()).isEqualTo(429);
        assertThat(r.attempts()).isEqualTo(1);
        assertThat(r.message()).contains("Retry-After: 3600");
    }

    @Test
    void serverErrorsAreRetriedThenReported() {
        site.handle(
                "/broken", ex -> LocalSite.send(ex, 503, "down".getBytes(StandardCharsets.UTF_8)));
        site.handle(
                "/missing", ex -> LocalSite.send(ex, 404, "nope".getBytes(StandardCharsets.UTF_8)));

        FetchResult broken = fetcher.fetch(site.url("broken.test", "/broken"));
        FetchResult missing = fetcher.fetch(site.url("/missing"));

        assertThat(broken.status()).isEqualTo(FetchStatus.HTTP_ERROR);
        assertThat(broken.httpStatus()).isEqualTo(503);
        assertThat(broken.attempts()).isEqualTo(2);
        assertThat(site.hits("/broken")).isEqualTo(2);
        assertThat(missing.status()).isEqualTo(FetchStatus.HTTP_ERROR);
        assertThat(missing.httpStatus()).isEqualTo(404);
        assertThat(missing.attempts()).isEqualTo(1);
        assertThat(missing.message()).isEqualTo("HTTP 404 Not Found");
    }

    @Test
    void refusesUnsupportedContentTypes() {
        site.page("/logo.png", new byte[] {(byte) 0x89, 'P', 'N', 'G'}, "image/png");
        site.page(
                "/data.json", "{\"price\":5}".getBytes(StandardCharsets.UTF_8), "application/json");
        site.page("/feed.xml", "<rss/>".getBytes(StandardCharsets.UTF_8), "application/rss+xml");

        FetchResult png = fetcher.fetch(site.url("/logo.png"));

        assertThat(png.status()).isEqualTo(FetchStatus.UNSUPPORTED_CONTENT_TYPE);
        assertThat(png.message()).contains("image/png");
        assertThat(fetcher.fetch(site.url("/data.json")).status()).isEqualTo(FetchStatus.OK);
        assertThat(fetcher.fetch(site.url("/feed.xml")).status()).isEqualTo(FetchStatus.OK);
    }

    @Test
    void connectionRefusedIsAConnectionError() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = socket.getLocalPort();
        }

        FetchResult r = fetcher.fetch("http://127.0.0.1:" + closedPort + "/");
        FetchResult withoutRobots =
                fetcherWithoutRobots().fetch("http://127.0.0.1:" + closedPort + "/");

        // robots.txt is tried first: the site being down is reported as such, not as a disallow.
        assertThat(r.status()).isEqualTo(FetchStatus.CONNECTION_ERROR);
        assertThat(r.message()).startsWith("robots.txt unreachable");
        assertThat(withoutRobots.status()).isEqualTo(FetchStatus.CONNECTION_ERROR);
        assertThat(withoutRobots.attempts()).isEqualTo(2);
    }

    @Test
    void aConnectionClosedMidResponseIsAConnectionError() {
        site.handle(
                "/cut",
                ex -> {
                    ex.getResponseHeaders().set("Content-Type", "text/html");
                    ex.sendResponseHeaders(200, 1000);
                    ex.getResponseBody().write("only a part".getBytes(StandardCharsets.UTF_8));
                    ex.getResponseBody().flush();
                    ex.close();
                });

        assertThat(fetcher.fetch(site.url("/cut")).status())
                .isEqualTo(FetchStatus.CONNECTION_ERROR);
    }

    @Test
    void anUnresolvableHostIsADnsFailure() {
        FetchResult r = fetcher.fetch("http://nxdomain.test/");

        assertThat(r.status()).isEqualTo(FetchStatus.DNS_FAILURE);
        assertThat(r.message()).contains("nxdomain.test");
    }

    @Test
    void aServerThatDoesNotSpeakTlsIsATlsError() throws Exception {
        try (ServerSocket plain = new ServerSocket(0, 8, InetAddress.getByName("127.0.0.1"))) {
            Thread server =
                    new Thread(
                            () -> {
                                while (!plain.isClosed()) {
                                    try (Socket s = plain.accept()) {
                                        s.getInputStream().read(new byte[512]);
                                        s.getOutputStream()
                                                .write(
                                                        "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
                                                                .getBytes(
                                                                        StandardCharsets.US_ASCII));
                                    } catch (IOException e) {
                                        // closed: test over
                                    }
                                }
                            });
            server.setDaemon(true);
            server.start();

            FetchResult r =
                    fetcherWithoutRobots().fetch("https://127.0.0.1:" + plain.getLocalPort() + "/");

            assertThat(r.status()).isEqualTo(FetchStatus.TLS_ERROR);
            assertThat(r.attempts()).isEqualTo(1);
        }
    }

    @Test
    void robotsTxtDisallowIsHonouredAndCached() {
        site.page(
                "/robots.txt",
                "User-agent: *\nDisallow: /\n\nUser-agent: flinkwatch\nDisallow: /private/\n"
                        .getBytes(StandardCharsets.UTF_8),
                "text/plain");
        site.page("/private/a.html", "<p>secret</p>");
        site.page("/public.html", "<p>hello</p>");

        FetchResult denied = fetcher.fetch(site.url("/private/a.html"));
        FetchResult allowed = fetcher.fetch(site.url("/public.html"));

        assertThat(denied.status()).isEqualTo(FetchStatus.ROBOTS_DISALLOWED);
        assertThat(denied.message()).contains("/private/a.html").contains("flinkwatch");
        assertThat(site.hits("/private/a.html")).isZero();
        assertThat(allowed.status()).isEqualTo(FetchStatus.OK);
        assertThat(site.hits("/robots.txt")).isEqualTo(1);
    }

    @Test
    void aFailingRobotsTxtDisallowsForAWhileAndRobotsCanBeSwitchedOff() throws Exception {
        site.handle("/robots.txt", ex -> LocalSite.send(ex, 503, new byte[0]));
        site.page("/a.html", "<p>a</p>");

        // its own host name: the 503 also makes the fetcher back off from its host
        FetchResult r = fetcher.fetch(site.url("robots-down.test", "/a.html"));

        assertThat(r.status()).isEqualTo(FetchStatus.ROBOTS_DISALLOWED);
        assertThat(r.message()).contains("HTTP 503");
        assertThat(site.hits("/a.html")).isZero();
        Configuration off = new Configuration();
        off.set(FetchOptions.ROBOTS_ENABLED, false);
        try (DirectFetcher ignoringRobots = new DirectFetcher(config(off), testResolver())) {
            assertThat(ignoringRobots.fetch(site.url("robots-down.test", "/a.html")).status())
                    .isEqualTo(FetchStatus.OK);
        }
    }

    @Test
    void politenessSpacesRequestsToOneHostWithoutHoldingUpOthers() throws Exception {
        Configuration polite = new Configuration();
        polite.set(FetchOptions.MAX_CONCURRENT_PER_HOST, 1);
        polite.set(FetchOptions.MIN_DELAY_PER_HOST, Duration.ofMillis(500));
        // waits here are the point of the test: never cut short on a loaded machine
        polite.set(FetchOptions.MAX_WAIT, Duration.ofMinutes(1));
        polite.set(FetchOptions.ROBOTS_ENABLED, false);
        List<Long> starts = new CopyOnWriteArrayList<>();
        String loopbackHost = "127.0.0.1:" + site.port();
        site.handle(
                "/spaced",
                ex -> {
                    if (loopbackHost.equals(ex.getRequestHeaders().getFirst("Host"))) {
                        starts.add(System.nanoTime());
                    }
                    ex.getResponseHeaders().set("Content-Type", "text/plain");
                    LocalSite.send(ex, 200, "ok".getBytes(StandardCharsets.UTF_8));
                });
        CountDownLatch release = new CountDownLatch(1);
        site.handle(
                "/held",
                ex -> {
                    try {
                        release.await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    LocalSite.send(ex, 200, "held".getBytes(StandardCharsets.UTF_8));
                });
        try (DirectFetcher politeFetcher = new DirectFetcher(config(polite), testResolver())) {
            String busyHost = "http://busy.test:" + site.port();
            String otherHost = "http://other.test:" + site.port();
            List<CompletableFuture<FetchResult>> spaced = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                spaced.add(politeFetcher.start(request(site.url("/spaced"))));
            }
            CompletableFuture<FetchResult> held = politeFetcher.start(request(busyHost + "/held"));
            await().atMost(Duration.ofSeconds(20)).until(() -> site.hits("/held") == 1);
            CompletableFuture<FetchResult> queuedBehindHeld =
                    politeFetcher.start(request(busyHost + "/spaced"));

            // busy.test has its one slot taken; other.test is not held up by it.
            FetchResult other = politeFetcher.fetch(otherHost + "/spaced");
            assertThat(other.status()).isEqualTo(FetchStatus.OK);
            assertThat(queuedBehindHeld).isNotDone();
            release.countDown();
            assertThat(held.get(30, TimeUnit.SECONDS).status()).isEqualTo(FetchStatus.OK);
            assertThat(queuedBehindHeld.get(30, TimeUnit.SECONDS).status())
                    .isEqualTo(FetchStatus.OK);
            for (CompletableFuture<FetchResult> f : spaced) {
                assertThat(f.get(30, TimeUnit.SECONDS).status()).isEqualTo(FetchStatus.OK);
            }
        }
        // The four requests to 127.0.0.1 were spaced by the minimum delay.
        List<Long> sorted = starts.stream().sorted().collect(Collectors.toList());
        assertThat(sorted).hasSize(4);
        // Slots are granted 500 ms apart (1.5 s from first to last); arrival at the server
        // jitters on a loaded machine, so allow a generous margin. Without spacing: ~0 ms.
        assertThat(Duration.ofNanos(sorted.get(3) - sorted.get(0)))
                .isGreaterThanOrEqualTo(Duration.ofMillis(1200));
    }

    @Test
    void countsOutcomesAndLatencyInFlinkMetrics() {
        site.page("/m.html", "<p>m</p>");
        fetcher.fetch(site.url("/m.html"));
        fetcher.fetch(site.url("/m.html"));
        fetcher.fetch("http://169.254.169.254/");

        RecordingMetricGroup m = fetcher.metrics;
        assertThat(m.count("fetch.outcome.ok.results")).isEqualTo(2);
        assertThat(m.count("fetch.outcome.blocked_address.results")).isEqualTo(1);
        assertThat(m.count("fetch.outcome.timeout.results")).isZero();
        assertThat(((Histogram) m.get("fetch.latencyMs")).getCount()).isEqualTo(3);
        assertThat(((Gauge<?>) m.get("fetch.inFlight")).getValue()).isEqualTo(0);
    }

    @Test
    void runsInAFlinkJobKeyedByHost() throws Exception {
        site.page("/ok.html", "<p>ok</p>");
        site.handle("/gone", ex -> LocalSite.send(ex, 410, new byte[0]));
        List<CheckRequest> requests = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String host = "h" + (i % 5) + ".test";
            requests.add(request("http://" + host + ":" + site.port() + "/ok.html"));
        }
        requests.add(request(site.url("/gone")));
        requests.add(request("http://169.254.169.254/"));
        requests.add(request("http://nxdomain.test/"));
        FetchConfig config = config(new Configuration());

        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(FlinkTestCluster.jobConfig());
        env.setParallelism(2);
        List<FetchResult> results =
                AsyncDataStream.unorderedWait(
                                env.fromData(requests).keyBy(FetchFunction.byHost()),
                                new FetchFunction(config, testResolver()),
                                FetchFunction.asyncTimeoutMs(config),
                                TimeUnit.MILLISECONDS,
                                100)
                        .executeAndCollect("fetch-it", requests.size() + 1);

        assertThat(results).hasSize(requests.size());
        Map<FetchStatus, Long> byStatus =
                results.stream()
                        .collect(Collectors.groupingBy(FetchResult::status, Collectors.counting()));
        assertThat(byStatus)
                .containsEntry(FetchStatus.OK, 20L)
                .containsEntry(FetchStatus.HTTP_ERROR, 1L)
                .containsEntry(FetchStatus.BLOCKED_ADDRESS, 1L)
                .containsEntry(FetchStatus.DNS_FAILURE, 1L);
        assertThat(results.stream().map(FetchResult::request))
                .containsExactlyInAnyOrderElementsOf(requests);
    }

    private DirectFetcher fetcherWithoutRobots() {
        Configuration off = new Configuration();
        off.set(FetchOptions.ROBOTS_ENABLED, false);
        DirectFetcher direct = new DirectFetcher(config(off), testResolver());
        extraFetchers.add(direct);
        return direct;
    }

    private void redirect(String path, String location) {
        site.handle(
                path,
                (HttpExchange ex) -> {
                    ex.getResponseHeaders().set("Location", location);
                    LocalSite.send(ex, 302, new byte[0]);
                });
    }
}
