package dev.flinkwatch.model.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AddressPolicyTest {
    private final AddressPolicy defaults = AddressPolicy.defaults();

    @ParameterizedTest
    @CsvSource({
        "2130706433, 127.0.0.1",
        "0177.0.0.1, 127.0.0.1",
        "0x7f000001, 127.0.0.1",
        "0x7F.0.0.1, 127.0.0.1",
        "127.1, 127.0.0.1",
        "127.0.1, 127.0.0.1",
        "0x7f.1, 127.0.0.1",
        "017700000001, 127.0.0.1",
        "127.0.0.1., 127.0.0.1",
        "0, 0.0.0.0",
        "169.254.43518, 169.254.169.254",
        "0xa9fea9fe, 169.254.169.254",
        "[::ffff:127.0.0.1], 127.0.0.1",
        "::ffff:7f00:1, 127.0.0.1",
        "[::1], 0:0:0:0:0:0:0:1",
        "[fe80::1%25eth0], fe80:0:0:0:0:0:0:1",
        "[2001:DB8::A], 2001:db8:0:0:0:0:0:a",
        "1:2:3:4:5:6:7:8, 1:2:3:4:5:6:7:8",
        "8.8.8.8, 8.8.8.8"
    })
    void parsesEveryNumericSpelling(String host, String expected) {
        assertThat(AddressPolicy.parseIpLiteral(host))
                .get()
                .extracting(InetAddress::getHostAddress)
                .isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "example.com",
                "1.2.3.4.5",
                "256.1.1.1",
                "1.2.3.0x100",
                "4294967296",
                "08.1.1.1",
                "1:2:3:4:5:6:7:8:9",
                "1::2::3",
                "[::ffff:1.2.3]",
                "12345::",
                "",
                "a.0x"
            })
    void rejectsWhatIsNotAnIpLiteral(String host) {
        assertThat(AddressPolicy.parseIpLiteral(host)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({
        "127.0.0.1, loopback",
        "0.0.0.0, unspecified",
        "10.1.2.3, private",
        "172.31.255.255, private",
        "192.168.0.1, private",
        "100.64.0.1, carrier-grade NAT",
        "169.254.169.254, metadata",
        "169.254.1.1, link-local",
        "224.0.0.1, multicast",
        "255.255.255.255, broadcast",
        "240.0.0.1, reserved",
        "192.0.2.1, documentation",
        "198.18.0.1, benchmarking",
        "::, unspecified",
        "::1, loopback",
        "::127.0.0.1, IPv4-compatible",
        "fe80::1, link-local",
        "fd00:ec2::254, unique-local",
        "ff02::1, multicast",
        "64:ff9b::a9fe:a9fe, of a cloud metadata address",
        "2002:7f00:1::, 6to4 IPv6 form",
        "::ffff:0:10.0.0.1, IPv4-translated",
        "2001:db8::1, documentation",
        "2001::1, Teredo",
        "4000::1, outside 2000::/3"
    })
    void refusesSpecialRanges(String host, String reasonPart) {
        InetAddress address = AddressPolicy.parseIpLiteral(host).orElseThrow();
        assertThat(defaults.blockedReason(address)).get().asString().contains(reasonPart);
    }

    @Test
    void refusesAMappedAddressThatJavaKeepsAsIpv6() throws Exception {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 1};
        InetAddress address = Inet6Address.getByAddress(null, mapped, -1);
        assertThat(defaults.blockedReason(address)).get().asString().contains("IPv4-mapped");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "8.8.8.8",
                "1.1.1.1",
                "93.184.215.14",
                "172.32.0.1",
                "100.128.0.1",
                "2606:4700:4700::1111",
                "::ffff:8.8.8.8",
                "64:ff9b::808:808",
                "2002:808:808::1"
            })
    void admitsPublicAddresses(String host) {
        assertThat(defaults.blockedReason(AddressPolicy.parseIpLiteral(host).orElseThrow()))
                .isEmpty();
    }

    @Test
    void hostCheckRefusesLiteralsMalformedNumbersAndLocalhostButNotNames() {
        assertThat(defaults.blockedHostReason("0x7f.1")).get().asString().contains("loopback");
        assertThat(defaults.blockedHostReason("1.2.3.4.5")).get().asString().contains("malformed");
        assertThat(defaults.blockedHostReason("LOCALHOST.")).isPresent();
        assertThat(defaults.blockedHostReason("a.localhost")).isPresent();
        assertThat(defaults.blockedHostReason("")).isPresent();
        assertThat(defaults.blockedHostReason("example.com")).isEmpty();
        assertThat(defaults.blockedHostReason("8.8.8.8")).isEmpty();
    }

    @Test
    void allowListAdmitsExactlyWhatItLists() {
        AddressPolicy policy =
                defaults.withAllowList(List.of("127.0.0.0/8", "::1", "10.1.2.3", "LocalHost"));
        assertThat(policy.allowList())
                .containsExactly("127.0.0.0/8", "0:0:0:0:0:0:0:1/128", "10.1.2.3/32", "localhost");
        assertThat(policy.blockedReason(ip("127.9.9.9"))).isEmpty();
        assertThat(policy.blockedReason(ip("[::ffff:127.0.0.1]"))).isEmpty();
        assertThat(policy.blockedReason(ip("::1"))).isEmpty();
        assertThat(policy.blockedReason(ip("10.1.2.3"))).isEmpty();
        assertThat(policy.blockedReason(ip("10.1.2.4"))).isPresent();
        assertThat(policy.blockedReason(ip("169.254.169.254"))).isPresent();
        assertThat(policy.blockedReason(ip("::2"))).isPresent();
        assertThat(policy.isAllowedHost("localhost.")).isTrue();
        assertThat(policy.isAllowedHost("other.localhost")).isFalse();
        assertThat(policy.blockedHostReason("localhost")).isEmpty();
        assertThat(defaults.allowList()).isEmpty();
        assertThat(defaults.isAllowedHost("localhost")).isFalse();
    }

    @Test
    void allowListRejectsGarbage() {
        assertThatThrownBy(() -> defaults.withAllowList(List.of("10.0.0.0/33")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.withAllowList(List.of("1.2.3.4.5")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.withAllowList(List.of("a b")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void onlyHttpAndHttpsPortsUnlessConfigured() {
        assertThat(defaults.blockedPortReason("http", "example.com", -1, null)).isEmpty();
        assertThat(defaults.blockedPortReason("https", "example.com", -1, null)).isEmpty();
        assertThat(defaults.blockedPortReason("http", "example.com", 443, null)).isEmpty();
        assertThat(defaults.blockedPortReason("http", "198.51.100.7", 25, null))
                .contains("port 25 is not allowed (allowed: 80, 443)");
        assertThat(defaults.blockedPortReason("https", "example.com", 8443, ip("93.184.216.34")))
                .isPresent();
        AddressPolicy extra = defaults.withAllowedPorts(List.of(8080, 8443));
        assertThat(extra.allowedPorts()).containsExactly(80, 443, 8080, 8443);
        assertThat(extra.blockedPortReason("http", "example.com", 8080, null)).isEmpty();
        assertThat(extra.blockedPortReason("http", "example.com", 25, null))
                .contains("port 25 is not allowed (allowed: 80, 443, 8080, 8443)");
        assertThatThrownBy(() -> defaults.withAllowedPorts(List.of(0)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.withAllowedPorts(List.of(65536)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void allowListedDestinationsMayUseAnyPort() {
        AddressPolicy local =
                defaults.withAllowList(List.of("127.0.0.0/8", "dev.internal"))
                        .withAllowedPorts(List.of(8080));
        // the allow-list survives adding ports and the ports survive adding allow-list entries
        AddressPolicy reordered =
                defaults.withAllowedPorts(List.of(8080))
                        .withAllowList(List.of("127.0.0.0/8", "dev.internal"));
        for (AddressPolicy p : List.of(local, reordered)) {
            assertThat(p.blockedPortReason("http", "127.0.0.1", 45678, null)).isEmpty();
            assertThat(p.blockedPortReason("http", "dev.internal", 45678, null)).isEmpty();
            assertThat(p.blockedPortReason("http", "site.test", 45678, ip("127.0.0.2"))).isEmpty();
            // a name resolving elsewhere, or not resolved yet, gets the port list
            assertThat(p.blockedPortReason("http", "site.test", 45678, null)).isPresent();
            assertThat(p.blockedPortReason("http", "site.test", 45678, ip("93.184.216.34")))
                    .isPresent();
            assertThat(p.blockedPortReason("http", "site.test", 8080, null)).isEmpty();
        }
    }

    private static InetAddress ip(String literal) {
        return AddressPolicy.parseIpLiteral(literal).orElseThrow();
    }
}
