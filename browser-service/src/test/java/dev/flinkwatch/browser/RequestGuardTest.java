package dev.flinkwatch.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkwatch.fetch.SsrfGuard;
import dev.flinkwatch.model.net.AddressPolicy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestGuardTest {
    /** A resolver with fixed answers, so the test needs no DNS. */
    private static final Map<String, String> DNS =
            Map.of("public.example", "93.184.216.34", "internal.example", "10.0.0.5");

    private final RequestGuard guard =
            new RequestGuard(
                    new SsrfGuard(
                            AddressPolicy.defaults().withAllowList(List.of("127.0.0.1/32")),
                            host -> {
                                String ip = DNS.get(host);
                                if (ip == null) {
                                    throw new UnknownHostException(host);
                                }
                                return List.of(InetAddress.getByName(ip));
                            },
                            Runnable::run,
                            Duration.ZERO),
                    Duration.ofSeconds(5));

    @Test
    void admitsPublicAndAllowListedAddressesAndInMemorySchemes() {
        assertThat(guard.check("https://public.example/a.js")).isEmpty();
        assertThat(guard.check("http://127.0.0.1:8123/page")).isEmpty();
        assertThat(guard.check("data:text/html,<p>x</p>")).isEmpty();
        assertThat(guard.check("blob:https://public.example/1234")).isEmpty();
    }

    @Test
    void refusesPrivateAddressesOtherSchemesAndPorts() {
        for (String url :
                List.of(
                        "http://internal.example/",
                        "http://127.0.0.2:8080/",
                        "http://localhost/",
                        "http://169.254.169.254/latest/meta-data/",
                        "http://[::1]/",
                        "http://0x7f000002/",
                        "file:///etc/passwd",
                        "ftp://public.example/",
                        "chrome://settings",
                        "http://public.example:6379/")) {
            assertThat(guard.check(url))
                    .as(url)
                    .hasValueSatisfying(r -> assertThat(r.blocked()).isTrue());
        }
        // the message never names what a host name resolved to
        assertThat(guard.check("http://internal.example/").orElseThrow().message())
                .doesNotContain("10.0.0.5");
    }

    @Test
    void aNameThatDoesNotResolveIsNotAPolicyRefusal() {
        assertThat(guard.check("http://nowhere.example/"))
                .hasValueSatisfying(r -> assertThat(r.blocked()).isFalse());
    }

    @Test
    void redirectTargetsResolveAgainstTheHop() {
        assertThat(RequestGuard.redirectTarget("http://a.example/x/y", "/z"))
                .isEqualTo("http://a.example/z");
        assertThat(RequestGuard.redirectTarget("http://a.example/x/y", "http://10.0.0.1/"))
                .isEqualTo("http://10.0.0.1/");
        assertThat(RequestGuard.redirectTarget("http://a.example/", "http://bad host/")).isNull();
    }
}
