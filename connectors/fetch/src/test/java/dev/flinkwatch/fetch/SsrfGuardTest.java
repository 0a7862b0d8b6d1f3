package dev.flinkwatch.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkwatch.model.net.AddressPolicy;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
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
                "http://1.1.1.1:8080/",
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
                .hasMessageContaining("169.254.169.254");
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
