package dev.flinkwatch.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.flinkwatch.model.net.AddressPolicy;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The guard in its default configuration, with a fake DNS: no network is touched. */
class SsrfGuardTest {
    private static final Map<String, List<InetAddress>> DNS =
            Map.of(
                    "public.example", List.of(ip("93.184.215.14")),
                    "public6.example", List.of(ip("2606:4700:4700::1111")),
                    "internal.example", List.of(ip("10.0.0.5")),
                    "metadata.example", List.of(ip("169.254.169.254")),
                    "loopback.example", List.of(ip("127.0.0.1")),
                    "loopback6.example", List.of(ip("::1")),
                    "mixed.example", List.of(ip("93.184.215.14"), ip("192.168.1.1")),
                    "mapped.example", List.of(mappedV6(10, 0, 0, 1)),
                    "ula.example", List.of(ip("fd00:ec2::254")),
                    "dev.local", List.of(ip("10.1.1.1")));

    private static final HostResolver FAKE_DNS =
            host -> {
                List<InetAddress> answer = DNS.get(host);
                if (answer == null) {
                    throw new UnknownHostException(host);
                }
                return answer;
            };

    private final SsrfGuard guard =
            new SsrfGuard(AddressPolicy.defaults(), FAKE_DNS, Runnable::run, Duration.ZERO);

    @ParameterizedTest
    @ValueSource(
            strings = {
                // loopback in every spelling
                "http://127.0.0.1/",
                "http://127.0.0.1:8080/admin",
                "http://127.1/",
                "http://127.0.1/",
                "http://2130706433/",
                "http://0177.0.0.1/",
                "http://0x7f000001/",
                "http://0x7f.0x0.0x0.0x1/",
                "http://017700000001/",
                "http://127.0.0.1./",
                "http://[::1]/",
                "http://[0:0:0:0:0:0:0:1]/",
                "http://[::ffff:127.0.0.1]/",
                "http://[::ffff:7f00:1]/",
                "http://[::127.0.0.1]/",
                "http://localhost/",
                "http://LOCALHOST./",
                "http://app.localhost/",
                // unspecified
                "http://0.0.0.0/",
                "http://0/",
                "http://[::]/",
                // private, CGNAT, link-local, metadata
                "http://10.0.0.1/",
                "http://172.16.0.1/",
                "http://172.31.255.254/",
                "http://192.168.1.1/",
                "http://100.64.0.1/",
                "http://169.254.169.254/latest/meta-data/",
                "http://169.254.43518/",
                "http://0xa9fea9fe/",
                "http://2852039166/",
                "http://[fe80::1]/",
                "http://[fe80::1%25eth0]/",
                "http://[fd00:ec2::254]/",
                "http://[fc00::1]/",
                // multicast, broadcast, reserved, documentation, benchmarking
                "http://224.0.0.1/",
                "http://[ff02::1]/",
                "http://255.255.255.255/",
                "http://240.0.0.1/",
                "http://192.0.2.10/",
                "http://198.51.100.1/",
                "http://203.0.113.7/",
                "http://198.18.0.1/",
                "http://[2001:db8::1]/",
                // IPv6 forms of refused IPv4 addresses
                "http://[::ffff:10.0.0.1]/",
                "http://[::ffff:169.254.169.254]/",
                "http://[64:ff9b::a9fe:a9fe]/",
                "http://[64:ff9b::127.0.0.1]/",
                "http://[2002:c0a8:0101::1]/",
                "http://[2002:7f00:1::]/",
                // malformed numeric hosts
                "http://1.2.3.4.5/",
                "http://256.0.0.1/",
                // names that resolve to refused addresses
                "http://internal.example/",
                "http://metadata.example/",
                "http://loopback.example/",
                "http://loopback6.example/",
                "http://mixed.example/",
                "http://mapped.example/",
                "http://ula.example/",
                // ports other than 80 and 443
                "http://1.1.1.1:8080/",
                "http://public.example:25/",
                "https://public.example:22/",
                // schemes other than http(s)
                "file:///etc/passwd",
                "ftp://public.example/",
                "gopher://public.example:70/_",
                "jar:http://public.example/a.jar!/",
                "dict://public.example:11211/",
                "javascript:alert(1)"
            })
    void refusesHostileUrls(String url) {
        assertThat(failure(url).status()).isEqualTo(FetchStatus.BLOCKED_ADDRESS);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://93.184.215.14/",
                "https://8.8.8.8/dns",
                "http://1.1.1.1:80/",
                "http://1.1.1.1:443/",
                "https://[2606:4700:4700::1111]/",
                "http://[::ffff:8.8.8.8]/",
                "http://[64:ff9b::808:808]/",
                "http://public.example/page",
                "https://public6.example/"
            })
    void acceptsPublicAddresses(String url) {
        assertThat(guard.check(URI.create(url)).join()).isNotNull();
    }

    @Test
    void connectsToTheAddressItCheckedEvenWhenDnsChangesItsAnswer() {
        AtomicInteger lookups = new AtomicInteger();
        HostResolver rebinding =
                host ->
                        List.of(
                                lookups.incrementAndGet() == 1
                                        ? ip("93.184.215.14")
                                        : ip("169.254.169.254"));
        SsrfGuard rebound =
                new SsrfGuard(AddressPolicy.defaults(), rebinding, Runnable::run, Duration.ZERO);

        InetAddress first = rebound.check(URI.create("http://rebind.example/")).join();

        assertThat(first.getHostAddress()).isEqualTo("93.184.215.14");
        assertThat(lookups.get()).isEqualTo(1);
        // The next check sees the new answer and refuses it.
        assertThatThrownBy(() -> rebound.check(URI.create("http://rebind.example/")).join())
                .hasRootCauseInstanceOf(FetchFailure.class)
                .rootCause()
                .hasMessage("rebind.example resolves to a blocked address");
    }

    @Test
    void aRefusalNeverNamesTheAddressANameResolvedTo() {
        for (String url :
                List.of(
                        "http://internal.example/",
                        "http://metadata.example/",
                        "http://mapped.example/",
                        "http://mixed.example/")) {
            FetchFailure f = failure(url);
            assertThat(f.status()).as(url).isEqualTo(FetchStatus.BLOCKED_ADDRESS);
            assertThat(f.getMessage())
                    .as(url)
                    .endsWith("resolves to a blocked address")
                    .doesNotContain("10.")
                    .doesNotContain("169.254")
                    .doesNotContain("192.168")
                    .doesNotContain("/8")
                    .doesNotContain("/16")
                    .doesNotContain("private")
                    .doesNotContain("cloud metadata");
        }
    }

    @Test
    void clientErrorMessagesLoseTheirAddresses() {
        assertThat(
                        FetchFailure.redactAddresses(
                                "Connection refused: internal.example/10.0.0.5:8080"))
                .isEqualTo("Connection refused: internal.example");
        assertThat(
                        FetchFailure.redactAddresses(
                                "Read timeout to a.example/[0:0:0:0:0:0:0:1]:443 after 3000 ms"))
                .isEqualTo("Read timeout to a.example after 3000 ms");
        assertThat(FetchFailure.redactAddresses("no route to 10.0.0.5 or fd00::1:2:3"))
                .isEqualTo("no route to <address> or <address>");
        assertThat(FetchFailure.redactAddresses("Remotely closed at 12:30:45"))
                .isEqualTo("Remotely closed at 12:30:45");
    }

    @Test
    void aPortOutsideThePolicyIsRefusedUnlessTheDestinationIsAllowListed() {
        SsrfGuard dev =
                new SsrfGuard(
                        AddressPolicy.defaults()
                                .withAllowList(List.of("127.0.0.0/8"))
                                .withAllowedPorts(List.of(8080)),
                        host ->
                                List.of(
                                        host.equals("loop.example")
                                                ? ip("127.0.0.2")
                                                : ip("93.184.215.14")),
                        Runnable::run,
                        Duration.ZERO);

        assertThat(dev.check(URI.create("http://127.0.0.1:45678/")).join()).isNotNull();
        assertThat(dev.check(URI.create("http://loop.example:45678/")).join().getHostAddress())
                .isEqualTo("127.0.0.2");
        assertThat(dev.check(URI.create("http://public.example:8080/")).join()).isNotNull();
        assertThatThrownBy(() -> dev.check(URI.create("http://public.example:25/")).join())
                .rootCause()
                .hasMessage("port 25 is not allowed (allowed: 80, 443, 8080)");
    }

    @Test
    void aNameThatDoesNotResolveIsCachedForTheNegativeTtl() {
        AtomicInteger lookups = new AtomicInteger();
        AtomicLong nanos = new AtomicLong();
        SsrfGuard negative =
                new SsrfGuard(
                        AddressPolicy.defaults(),
                        host -> {
                            lookups.incrementAndGet();
                            throw new UnknownHostException(host);
                        },
                        Runnable::run,
                        Duration.ofSeconds(5),
                        Duration.ofMinutes(5),
                        Duration.ofSeconds(30),
                        100,
                        nanos::get);

        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> negative.check(URI.create("http://gone.example/")).join())
                    .rootCause()
                    .hasMessage("host gone.example does not resolve");
        }
        assertThat(lookups).hasValue(1);
        nanos.addAndGet(Duration.ofSeconds(31).toNanos());
        assertThatThrownBy(() -> negative.check(URI.create("http://gone.example/")).join())
                .rootCause()
                .isInstanceOf(FetchFailure.class);
        assertThat(lookups).hasValue(2);
    }

    @Test
    void aLookupThatHangsTimesOutAndIsCachedAsAFailure() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger lookups = new AtomicInteger();
        ExecutorService dns = Executors.newSingleThreadExecutor();
        try {
            SsrfGuard slow =
                    new SsrfGuard(
                            AddressPolicy.defaults(),
                            host -> {
                                lookups.incrementAndGet();
                                try {
                                    release.await(30, TimeUnit.SECONDS);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                                return List.of(ip("93.184.215.14"));
                            },
                            dns,
                            Duration.ofMillis(200),
                            Duration.ofMinutes(5),
                            Duration.ofMinutes(5),
                            100,
                            Ticker.systemTicker());

            FetchFailure f =
                    FetchFailure.from(
                            catchThrowable(
                                    () ->
                                            slow.check(URI.create("http://slow.example/"))
                                                    .get(20, TimeUnit.SECONDS)));
            assertThat(f.status()).isEqualTo(FetchStatus.DNS_FAILURE);
            assertThat(f.getMessage()).isEqualTo("resolving slow.example took longer than 200 ms");
            // cached: no second lookup while the first still hangs
            FetchFailure again =
                    FetchFailure.from(
                            catchThrowable(
                                    () ->
                                            slow.check(URI.create("http://slow.example/x"))
                                                    .get(20, TimeUnit.SECONDS)));
            assertThat(again.status()).isEqualTo(FetchStatus.DNS_FAILURE);
            assertThat(lookups).hasValue(1);
        } finally {
            release.countDown();
            dns.shutdownNow();
        }
    }

    @Test
    void aFullDnsQueueIsDnsBusyAtOnceAndNothingIsCached() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger lookups = new AtomicInteger();
        ThreadPoolExecutor dns =
                new ThreadPoolExecutor(
                        1,
                        1,
                        0,
                        TimeUnit.MILLISECONDS,
                        new ArrayBlockingQueue<>(1),
                        new ThreadPoolExecutor.AbortPolicy());
        try {
            SsrfGuard bounded =
                    new SsrfGuard(
                            AddressPolicy.defaults(),
                            host -> {
                                lookups.incrementAndGet();
                                try {
                                    release.await(30, TimeUnit.SECONDS);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                                return List.of(ip("93.184.215.14"));
                            },
                            dns,
                            Duration.ofSeconds(60),
                            Duration.ofMinutes(5),
                            Duration.ofMinutes(5),
                            100,
                            Ticker.systemTicker());

            CompletableFuture<InetAddress> running =
                    bounded.check(URI.create("http://one.example/"));
            CompletableFuture<InetAddress> queued =
                    bounded.check(URI.create("http://two.example/"));
            CompletableFuture<InetAddress> rejected =
                    bounded.check(URI.create("http://three.example/"));

            assertThat(rejected).isCompletedExceptionally();
            FetchFailure busy = FetchFailure.from(catchThrowable(rejected::join));
            assertThat(busy.status()).isEqualTo(FetchStatus.DNS_BUSY);
            assertThat(running).isNotDone();
            assertThat(queued).isNotDone();
            release.countDown();
            assertThat(running.get(20, TimeUnit.SECONDS)).isNotNull();
            assertThat(queued.get(20, TimeUnit.SECONDS)).isNotNull();
            // the rejection was not cached: the name resolves now
            assertThat(bounded.check(URI.create("http://three.example/")).get(20, TimeUnit.SECONDS))
                    .isNotNull();
            assertThat(lookups).hasValue(3);
        } finally {
            release.countDown();
            dns.shutdownNow();
        }
    }

    @Test
    void cachesAVerdictForItsTtlSoTheCheckedAddressIsReused() {
        AtomicInteger lookups = new AtomicInteger();
        HostResolver rebinding =
                host ->
                        List.of(
                                lookups.incrementAndGet() == 1
                                        ? ip("93.184.215.14")
                                        : ip("169.254.169.254"));
        SsrfGuard cached =
                new SsrfGuard(
                        AddressPolicy.defaults(), rebinding, Runnable::run, Duration.ofMinutes(1));

        InetAddress first = cached.check(URI.create("http://rebind.example/a")).join();
        InetAddress second = cached.check(URI.create("http://REBIND.example/b")).join();

        assertThat(second).isEqualTo(first);
        assertThat(lookups.get()).isEqualTo(1);
    }

    @Test
    void anUnknownHostIsADnsFailure() {
        assertThat(failure("http://nxdomain.example/").status()).isEqualTo(FetchStatus.DNS_FAILURE);
    }

    @Test
    void theAllowListAdmitsExactlyWhatItLists() {
        SsrfGuard dev =
                new SsrfGuard(
                        AddressPolicy.defaults()
                                .withAllowList(List.of("127.0.0.1/32", "dev.local")),
                        FAKE_DNS,
                        Runnable::run,
                        Duration.ZERO);

        assertThat(dev.check(URI.create("http://127.0.0.1:8080/")).join().getHostAddress())
                .isEqualTo("127.0.0.1");
        assertThat(dev.check(URI.create("http://2130706433/")).join().getHostAddress())
                .isEqualTo("127.0.0.1");
        assertThat(dev.check(URI.create("http://dev.local/")).join().getHostAddress())
                .isEqualTo("10.1.1.1");
        for (String refused :
                List.of(
                        "http://127.0.0.2/",
                        "http://[::1]/",
                        "http://localhost/",
                        "http://10.1.1.1/",
                        "http://internal.example/",
                        "http://169.254.169.254/",
                        "file:///etc/passwd")) {
            assertThatThrownBy(() -> dev.check(URI.create(refused)).join())
                    .as(refused)
                    .isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(FetchFailure.class);
        }
    }

    private FetchFailure failure(String url) {
        try {
            guard.check(PageFetcher.normalize(new URI(url))).join();
        } catch (CompletionException e) {
            return (FetchFailure) e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("accepted: " + url);
    }

    private static InetAddress ip(String literal) {
        return AddressPolicy.parseIpLiteral(literal).orElseThrow();
    }

    private static InetAddress mappedV6(int a, int b, int c, int d) {
        byte[] bytes = {
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            (byte) 0xff,
            (byte) 0xff,
            (byte) a,
            (byte) b,
            (byte) c,
            (byte) d
        };
        try {
            return Inet6Address.getByAddress(null, bytes, -1);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
