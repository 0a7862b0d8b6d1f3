package dev.flinkwatch.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import dev.flinkwatch.model.CheckRequest;
import dev.flinkwatch.testing.LocalSite;
import dev.flinkwatch.testing.Tarpit;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fairness over real loopback HTTP: tarpits (header-then-silence, one byte per second) on their own
 * address 127.0.0.2 next to a healthy site on 127.0.0.1. Slow servers end as SLOW_BODY long before
 * any other timeout could fire (those are set to a minute here, so the status proves which rule
 * ended the fetch); caps by address and by tenant answer at once with HOST_BUSY / TENANT_BUSY while
 * healthy fetches go on; ports are checked on every hop.
 */
class FetchFairnessIT {
    private static final String TARPIT_ADDRESS = "127.0.0.2";

    private LocalSite site;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void start() {
        site = LocalSite.start();
        site.page("/ok.html", "<p>ok</p>");
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        site.close();
    }

    /** Long client timeouts, a 1 s grace for the transfer rate, loopback 127.0.0.1-2 allowed. */
    private DirectFetcher fetcher(Configuration overrides) {
        Configuration conf = new Configuration();
        conf.set(FetchOptions.ALLOW_LIST, List.of("127.0.0.1/32", TARPIT_ADDRESS + "/32"));
        conf.set(FetchOptions.READ_TIMEOUT, Duration.ofMinutes(1));
        conf.set(FetchOptions.REQUEST_TIMEOUT, Duration.ofMinutes(1));
        conf.set(FetchOptions.DEADLINE, Duration.ofMinutes(2));
        conf.set(FetchOptions.MIN_TRANSFER_RATE_GRACE, Duration.ofSeconds(1));
        conf.set(FetchOptions.MIN_DELAY_PER_HOST, Duration.ZERO);
        conf.set(FetchOptions.ROBOTS_ENABLED, false);
        conf.set(FetchOptions.MAX_BODY_SIZE, MemorySize.parse("200mb"));
        conf.addAll(overrides);
        DirectFetcher fetcher = new DirectFetcher(FetchConfig.from(conf), resolver());
        closeables.add(fetcher);
        return fetcher;
    }

    /** *.pit.test is the tarpit's address, *.test otherwise the healthy site's. */
    private static HostResolver resolver() {
        return host -> {
            if (host.endsWith(".pit.test")) {
                return List.of(InetAddress.getByAddress(host, new byte[] {127, 0, 0, 2}));
            }
            if (host.endsWith(".test")) {
                return List.of(InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1}));
            }
            if (host.equals("public.example")) {
                return List.of(InetAddress.getByAddress(host, new byte[] {93, (byte) 184, 1, 1}));
            }
            throw new UnknownHostException(host);
        };
    }

    private Tarpit tarpit(Tarpit.Mode mode) {
        Tarpit tarpit = Tarpit.start(TARPIT_ADDRESS, mode, 100L * 1024 * 1024);
        closeables.add(tarpit);
        return tarpit;
    }

    private static String pitUrl(Tarpit tarpit, String name) {
        return "http://" + name + ".pit.test:" + tarpit.port() + "/page";
    }

    private static CheckRequest request(String url, UUID tenant) {
        return new CheckRequest(
                UUID.randomUUID(),
                tenant,
                1,
                url,
                null,
                null,
                Instant.now(),
                null,
                null,
                null,
                null);
    }

    @Test
    void headersThenSilenceEndAsSlowBodyWithoutARetry() {
        Tarpit tarpit = tarpit(Tarpit.Mode.SILENT);

        FetchResult r = fetcher(new Configuration()).fetch(pitUrl(tarpit, "silent"));

        assertThat(r.status()).isEqualTo(FetchStatus.SLOW_BODY);
        assertThat(r.attempts()).isEqualTo(1);
        assertThat(r.message()).contains("below the minimum of 1024 bytes/s");
        assertThat(tarpit.accepted()).isEqualTo(1);
        // and the connection is closed, not left to the silent server
        await().atMost(Duration.ofSeconds(30)).until(() -> tarpit.open() == 0);
    }

    @Test
    void aBodyOfOneBytePerSecondEndsAsSlowBody() {
        Tarpit tarpit = tarpit(Tarpit.Mode.TRICKLE);

        FetchResult r = fetcher(new Configuration()).fetch(pitUrl(tarpit, "trickle"));

        assertThat(r.status()).isEqualTo(FetchStatus.SLOW_BODY);
        assertThat(r.attempts()).isEqualTo(1);
        assertThat(r.message()).contains("bytes/s");
    }

    @Test
    void manyNamesOnOneAddressShareItsCapWhileOtherAddressesGoOn() throws Exception {
        Tarpit tarpit = tarpit(Tarpit.Mode.SILENT);
        Configuration caps = new Configuration();
        caps.set(FetchOptions.MAX_CONCURRENT_PER_ADDRESS, 2);
        caps.set(FetchOptions.MAX_WAITING_PER_HOST, 0);
        // the tarpit must hold its two slots for the whole test: no rate check
        caps.set(FetchOptions.MIN_TRANSFER_RATE, MemorySize.ZERO);
        DirectFetcher fetcher = fetcher(caps);

        List<CompletableFuture<FetchResult>> pits = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            pits.add(fetcher.start(DirectFetcher.request(pitUrl(tarpit, "name" + i))));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> tarpit.accepted() == 2);
        // three names on the busy address are refused at once, with no address in the message
        await().atMost(Duration.ofSeconds(30))
                .until(() -> pits.stream().filter(CompletableFuture::isDone).count() == 3);
        for (CompletableFuture<FetchResult> f : pits) {
            if (f.isDone()) {
                FetchResult r = f.join();
                assertThat(r.status()).isEqualTo(FetchStatus.HOST_BUSY);
                assertThat(r.attempts()).isEqualTo(1);
                assertThat(r.message()).doesNotContain(TARPIT_ADDRESS);
            }
        }
        // the healthy site (another address) is not held up by them
        FetchResult healthy = fetcher.fetch("http://shop.test:" + site.port() + "/ok.html");
        assertThat(healthy.status()).isEqualTo(FetchStatus.OK);
        assertThat(tarpit.accepted()).isEqualTo(2);
    }

    @Test
    void aTenantOverItsCapIsSkippedAtOnceAndOthersAreNot() throws Exception {
        Tarpit tarpit = tarpit(Tarpit.Mode.SILENT);
        Configuration caps = new Configuration();
        caps.set(FetchOptions.MAX_IN_FLIGHT_PER_TENANT, 2);
        caps.set(FetchOptions.MIN_TRANSFER_RATE_GRACE, Duration.ofSeconds(2));
        DirectFetcher fetcher = fetcher(caps);
        UUID hostile = UUID.randomUUID();

        CompletableFuture<FetchResult> a = fetcher.start(request(pitUrl(tarpit, "a"), hostile));
        CompletableFuture<FetchResult> b = fetcher.start(request(pitUrl(tarpit, "b"), hostile));
        FetchResult third =
                fetcher.start(request(site.url("/ok.html"), hostile)).get(30, TimeUnit.SECONDS);
        FetchResult other =
                fetcher.start(request(site.url("/ok.html"), UUID.randomUUID()))
                        .get(30, TimeUnit.SECONDS);

        assertThat(third.status()).isEqualTo(FetchStatus.TENANT_BUSY);
        assertThat(third.attempts()).isZero();
        assertThat(other.status()).isEqualTo(FetchStatus.OK);
        // the tarpits end as SLOW_BODY and give the tenant its places back
        assertThat(a.get(60, TimeUnit.SECONDS).status()).isEqualTo(FetchStatus.SLOW_BODY);
        assertThat(b.get(60, TimeUnit.SECONDS).status()).isEqualTo(FetchStatus.SLOW_BODY);
        FetchResult after =
                fetcher.start(request(site.url("/ok.html"), hostile)).get(30, TimeUnit.SECONDS);
        assertThat(after.status()).isEqualTo(FetchStatus.OK);
    }

    @Test
    void everyRedirectHopIsHeldToThePortPolicy() {
        redirect("/to-smtp", "http://public.example:25/");
        redirect("/to-loopback-port", "http://127.0.0.1:" + site.port() + "/ok.html");
        DirectFetcher fetcher = fetcher(new Configuration());

        FetchResult smtp = fetcher.fetch(site.url("/to-smtp"));
        FetchResult local = fetcher.fetch(site.url("/to-loopback-port"));
        FetchResult direct = fetcher.fetch("http://public.example:25/");

        assertThat(smtp.status()).isEqualTo(FetchStatus.BLOCKED_ADDRESS);
        assertThat(smtp.redirects()).isEqualTo(1);
        assertThat(smtp.message()).isEqualTo("port 25 is not allowed (allowed: 80, 443)");
        assertThat(direct.status()).isEqualTo(FetchStatus.BLOCKED_ADDRESS);
        assertThat(direct.attempts()).isZero();
        // an allow-listed destination may use any port (local servers listen on random ones)
        assertThat(local.status()).isEqualTo(FetchStatus.OK);
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
