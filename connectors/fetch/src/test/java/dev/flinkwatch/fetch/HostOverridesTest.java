package dev.flinkwatch.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class HostOverridesTest {
    @Test
    void theMostSpecificEntryWins() {
        HostOverrides overrides =
                HostOverrides.parse(
                        "example.com=200ms, *.shop.example=1s,shop.example=2s,"
                                + "eu.shop.example=3s,*.big.example=0ms");

        assertThat(overrides.delayFor("example.com")).contains(Duration.ofMillis(200));
        assertThat(overrides.delayFor("www.example.com")).contains(Duration.ofMillis(200));
        // the wildcard beats the plain name of the same domain for subdomains, not the apex
        assertThat(overrides.delayFor("shop.example")).contains(Duration.ofSeconds(2));
        assertThat(overrides.delayFor("a.shop.example")).contains(Duration.ofSeconds(1));
        assertThat(overrides.delayFor("a.b.shop.example")).contains(Duration.ofSeconds(1));
        // a longer match beats a shorter one
        assertThat(overrides.delayFor("eu.shop.example")).contains(Duration.ofSeconds(3));
        assertThat(overrides.delayFor("x.eu.shop.example")).contains(Duration.ofSeconds(3));
        assertThat(overrides.delayFor("big.example")).isEmpty();
        assertThat(overrides.delayFor("cdn.big.example")).contains(Duration.ZERO);
        // a suffix only matches on a label boundary
        assertThat(overrides.delayFor("notexample.com")).isEmpty();
        assertThat(overrides.delayFor("example.org")).isEmpty();
    }

    @Test
    void blankIsNone() {
        assertThat(HostOverrides.parse("").isEmpty()).isTrue();
        assertThat(HostOverrides.parse("  ").delayFor("example.com")).isEmpty();
        assertThat(FetchConfig.defaults().hostOverrides().isEmpty()).isTrue();
    }

    @Test
    void namesAreCaseInsensitive() {
        assertThat(HostOverrides.parse("Example.COM=1s").delayFor("example.com"))
                .contains(Duration.ofSeconds(1));
    }

    @Test
    void invalidEntriesAreRefusedNamingTheEntry() {
        String key = "flinkwatch.fetch.politeness.host-overrides: entry ";
        assertRefused("example.com", key + "'example.com' is not host=duration");
        assertRefused("a.example=1s,", key + "'' is not host=duration");
        assertRefused("=1s", key + "'=1s' needs a host name");
        assertRefused("https://a.example=1s", key + "'https://a.example=1s' needs a host name");
        assertRefused("a.example:8080=1s", key + "'a.example:8080=1s' needs a host name");
        assertRefused("*=1s", key + "'*=1s' needs a host name");
        assertRefused("a.*.example=1s", key + "'a.*.example=1s' needs a host name");
        assertRefused("a..example=1s", key + "'a..example=1s' needs a host name");
        assertRefused("-a.example=1s", key + "'-a.example=1s' needs a host name");
        assertRefused("a.example=", key + "'a.example=' has no duration");
        assertRefused("a.example=fast", key + "'a.example=fast' has an unreadable duration");
        assertRefused("a.example=-1s", key + "'a.example=-1s' has an unreadable duration");
        assertRefused("a.example=1s,A.example=2s", key + "'A.example=2s' repeats");
    }

    @Test
    void anInvalidOptionStopsTheConfigFromLoading() {
        Configuration conf = new Configuration();
        conf.set(FetchOptions.HOST_OVERRIDES, "ok.example=1s,bad entry");

        assertThatThrownBy(() -> FetchConfig.from(conf))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'bad entry'");
    }

    @Test
    void anOverrideReplacesTheDefaultButNeverUndercutsTheCrawlDelay() {
        Configuration conf = new Configuration();
        conf.set(FetchOptions.MIN_DELAY_PER_HOST, Duration.ofMillis(200));
        conf.set(
                FetchOptions.HOST_OVERRIDES,
                "fast.overrides.test=50ms,slow.overrides.test=2s,crawl.overrides.test=10ms");
        FetchConfig config = FetchConfig.from(conf);
        CrawlDelays.record("crawl.overrides.test", Duration.ofSeconds(3), Duration.ofHours(1));

        assertThat(config.configuredSpacingFor("fast.overrides.test"))
                .isEqualTo(Duration.ofMillis(50));
        assertThat(config.configuredSpacingFor("slow.overrides.test"))
                .isEqualTo(Duration.ofSeconds(2));
        assertThat(config.configuredSpacingFor("other.overrides.test"))
                .isEqualTo(Duration.ofMillis(200));
        assertThat(config.configuredSpacingFor("crawl.overrides.test"))
                .isEqualTo(Duration.ofSeconds(3));
    }

    private static void assertRefused(String spec, String messageStart) {
        assertThatThrownBy(() -> HostOverrides.parse(spec))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(messageStart);
    }
}
