package dev.flinkwatch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The host key read without a URI parse must be the key a URI parse gives. */
class HostKeyTest {
    private static final String[] HOSTS = {
        "example.com",
        "shop.example.co.uk",
        "a-b.example",
        "h12.bench",
        "x",
        "localhost",
        "Example.COM",
        "-bad.example",
        "bad-.example",
        "a..b",
        "a.b.",
        ".a.b",
        "1.2.3.4",
        "10.0.0.1.example",
        "example.123",
        "xn--bcher-kva.example",
        "under_score.example",
        "[::1]",
        "[2001:db8::1]",
        "user@example.com",
        "user:pw@example.com",
        "",
        "a.-b.c",
        "9lives.example",
        "example.c0m",
        "exa mple.com",
        "%65xample.com"
    };
    private static final String[] PORTS = {"", ":80", ":8080", ":", ":x", ":80x", ":99999"};
    private static final String[] TAILS = {
        "", "/", "/p/1.html", "?q=1", "#frag", "/a?b#c", "/a:b", "/a@b", "/%7Euser", " ", "/x y"
    };
    private static final String[] SCHEMES = {
        "http://", "https://", "HTTP://", "ftp://", " http://"
    };

    @Test
    void readsTheHostAsUriDoesForEveryValidUrl() {
        int compared = 0;
        for (String scheme : SCHEMES) {
            for (String host : HOSTS) {
                for (String port : PORTS) {
                    for (String tail : TAILS) {
                        String url = scheme + host + port + tail;
                        String viaUri = viaUri(url);
                        if (viaUri != null) {
                            assertThat(FetchFunction.hostOf(url)).as(url).isEqualTo(viaUri);
                            compared++;
                        }
                    }
                }
            }
        }
        assertThat(compared).isGreaterThan(1_000);
    }

    @Test
    void readsRandomHostsAsUriDoes() {
        Random random = new Random(13);
        String alphabet = "abcz09-.-_A:@%";
        for (int i = 0; i < 50_000; i++) {
            StringBuilder host = new StringBuilder();
            int length = 1 + random.nextInt(12);
            for (int j = 0; j < length; j++) {
                host.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String url = "http://" + host + "/p";
            String viaUri = viaUri(url);
            if (viaUri != null) {
                assertThat(FetchFunction.hostOf(url)).as(url).isEqualTo(viaUri);
            }
        }
    }

    @Test
    void givesNoHostForUrlsWithout() {
        assertThat(FetchFunction.hostOf(null)).isEmpty();
        assertThat(FetchFunction.hostOf("not a url")).isEmpty();
        assertThat(FetchFunction.hostOf("http://")).isEmpty();
        assertThat(FetchFunction.hostOf("mailto:a@example.com")).isEmpty();
    }

    /** The key a URI parse gives; null when the URL is not valid (then no monitor holds it). */
    private static String viaUri(String url) {
        try {
            String host = new URI(url.trim()).getHost();
            return host == null ? "" : host.toLowerCase(Locale.ROOT);
        } catch (Exception e) {
            return null;
        }
    }
}
