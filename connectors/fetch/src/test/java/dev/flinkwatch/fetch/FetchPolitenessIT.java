package dev.flinkwatch.fetch;

import static dev.flinkwatch.fetch.DirectFetcher.request;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import dev.flinkwatch.testing.LocalSite;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Gauge;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Per-host politeness against a real loopback server that throttles: the server notes when each
 * request arrived (System.nanoTime, the clock the fetcher's holds and spacing use too), and the
 * tests assert lower bounds on the gaps only, never how fast anything went. Each test has its own
 * host names, since what the fetcher learns about a host is kept per JVM.
 */
class FetchPolitenessIT {
    /** Clock granularity between the server's and the fetcher's readings of one clock. */
    private static final long TOLERANCE_MS = 20;

    private LocalSite site;
    private final List<DirectFetcher> fetchers = new ArrayList<>();

    @BeforeEach
    void start() {
        site = LocalSite.start();
    }

    @AfterEach
    void stop() throws Exception {
        for (DirectFetcher f : fetchers) {
            f.close();
        }
        site.close();
    }

    private DirectFetcher fetcher(Configuration overrides) {
        Configuration conf = new Configuration();
        conf.set(FetchOptions.MAX_ATTEMPTS, 1); // the fetcher's own retries are FetchIT's
        conf.set(FetchOptions.MAX_CONCURRENT_PER_HOST, 1);
        conf.set(FetchOptions.MAX_WAIT, Duration.ofSeconds(20));
        conf.addAll(overrides);
        DirectFetcher fetcher = new DirectFetcher(FetchIT.config(conf), FetchIT.testResolver());
        fetchers.add(fetcher);
        return fetcher;
    }

    /** Serves {@code path}: the first {@code throttled} requests get 429 with the header value. */
    private List<Long> throttling(String path, int throttled, String retryAfter) {
        List<Long> arrivals = new CopyOnWriteArrayList<>();
        AtomicInteger n = new AtomicInteger();
        site.handle(
                path,
                exchange -> {
                    arrivals.add(System.nanoTime());
                    if (n.incrementAndGet() <= throttled) {
                        if (retryAfter != null) {
                            exchange.getResponseHeaders().set("Retry-After", retryAfter);
                        }
                        LocalSite.send(exchange, 429, "slow down".getBytes(StandardCharsets.UTF_8));
                    } else {
                        ok(exchange);
                    }
                });
        return arrivals;
    }

    private static void ok(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        LocalSite.send(exchange, 200, "<p>fine</p>".getBytes(StandardCharsets.UTF_8));
    }

    private static long gapMs(List<Long> arrivals, int i) {
        return TimeUnit.NANOSECONDS.toMillis(arrivals.get(i) - arrivals.get(i - 1));
    }

    private static long gauge(DirectFetcher fetcher, String name) {
        return ((Number) ((Gauge<?>) fetcher.metrics.get(name)).getValue()).longValue();
    }

    @Test
    void aRetryAfterHoldsTheHostUntilItEnds() {
        DirectFetcher fetcher = fetcher(new Configuration());
        List<Long> arrivals = throttling("/limited", 1, "2");
        String url = site.url("hold.politeness.test", "/limited");

        FetchResult throttled = fetcher.fetch(url);
        // waits inside the fetcher (max-wait 20 s) for the hold to end, then asks again
        FetchResult after = fetcher.fetch(url);

        assertThat(throttled.status()).isEqualTo(FetchStatus.HTTP_ERROR);
        assertThat(throttled.httpStatus()).isEqualTo(429);
        assertThat(throttled.message()).contains("(Retry-After: 2)");
        assertThat(after.status()).isEqualTo(FetchStatus.OK);
        assertThat(arrivals).hasSize(2);
        assertThat(gapMs(arrivals, 1)).isGreaterThanOrEqualTo(2000 - TOLERANCE_MS);
        assertThat(gauge(fetcher, "fetch.politeness.throttled")).isEqualTo(1);
        assertThat(gauge(fetcher, "fetch.politeness.retryAfterHonoured")).isEqualTo(1);
        assertThat(gauge(fetcher, "fetch.politeness.backoffsStarted")).isZero();
    }

    @Test
    void checksDuringAHoldLongerThanTheWaitAreHostBusyWithoutARequest() {
        Configuration conf = new Configuration();
        conf.set(FetchOptions.MAX_WAIT, Duration.ofSeconds(1));
        DirectFetcher fetcher = fetcher(conf);
        String inAMinute =
                DateTimeFormatter.RFC_1123_DATE_TIME.format(
                        ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(60));
        List<Long> arrivals = throttling("/limited", 1, inAMinute);
        site.page("/other", "<p>other page, same host</p>");

        FetchResult throttled = fetcher.fetch(site.url("date.politeness.test", "/limited"));
        FetchResult held = fetcher.fetch(site.url("date.politeness.test", "/limited"));
        FetchResult sameHost = fetcher.fetch(site.url("date.politeness.test", "/other"));
        FetchResult otherHost = fetcher.fetch(site.url("free.politeness.test", "/other"));

        assertThat(throttled.httpStatus()).isEqualTo(429);
        assertThat(held.status()).isEqualTo(FetchStatus.HOST_BUSY);
        assertThat(held.message())
                .startsWith("date.politeness.test asked for a pause (Retry-After), ")
                .endsWith(" s left; check skipped");
        assertThat(sameHost.status()).isEqualTo(FetchStatus.HOST_BUSY);
        assertThat(otherHost.status()).isEqualTo(FetchStatus.OK);
        assertThat(arrivals).hasSize(1);
        assertThat(site.hits("/other")).isEqualTo(1); // only the other host's
        assertThat(gauge(fetcher, "fetch.politeness.backedOffHosts")).isPositive();
    }

    @Test
    void garbageRetryAfterIsIgnoredAndBacksOffInstead() {
        DirectFetcher fetcher = fetcher(new Configuration());
        List<Long> arrivals = throttling("/limited", 1, "-99999999999999999999 or so");
        String url = site.url("garbage.politeness.test", "/limited");

        FetchResult throttled = fetcher.fetch(url);
        FetchResult after = fetcher.fetch(url);

        assertThat(throttled.httpStatus()).isEqualTo(429);
        assertThat(after.status()).isEqualTo(FetchStatus.OK);
        assertThat(arrivals).hasSize(2);
        assertThat(gauge(fetcher, "fetch.politeness.retryAfterHonoured")).isZero();
        assertThat(gauge(fetcher, "fetch.politeness.backoffsStarted")).isEqualTo(1);
    }

    @Test
    void anOverrideChangesTheHostsPacing() {
        Configuration conf = new Configuration();
        conf.set(FetchOptions.MAX_CONCURRENT_PER_HOST, 4);
        conf.set(FetchOptions.HOST_OVERRIDES, "*.paced.politeness.test=700ms");
        DirectFetcher fetcher = fetcher(conf);
        List<Long> paced = new CopyOnWriteArrayList<>();
        List<Long> free = new CopyOnWriteArrayList<>();
        site.handle(
                "/page",
                exchange -> {
                    String host = exchange.getRequestHeaders().getFirst("Host");
                    (host.startsWith("www.paced.") ? paced : free).add(System.nanoTime());
                    ok(exchange);
                });

        List<CompletableFuture<FetchResult>> results = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            results.add(
                    fetcher.start(request(site.url("www.paced.politeness.test", "/page?" + i))));
            results.add(fetcher.start(request(site.url("free.politeness.test", "/page?" + i))));
        }

        assertThat(results)
                .allSatisfy(
                        r ->
                                assertThat(r.get(60, TimeUnit.SECONDS).status())
                                        .isEqualTo(FetchStatus.OK));
        assertThat(paced).hasSize(3);
        assertThat(free).hasSize(3);
        paced.sort(Long::compare);
        assertThat(gapMs(paced, 1)).isGreaterThanOrEqualTo(700 - TOLERANCE_MS);
        assertThat(gapMs(paced, 2)).isGreaterThanOrEqualTo(700 - TOLERANCE_MS);
    }
}
