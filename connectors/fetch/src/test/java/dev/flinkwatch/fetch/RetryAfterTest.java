package dev.flinkwatch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
    private static final Instant NOW = Instant.parse("2026-12-03T06:00:00Z");

    private static Duration parse(String value) {
        return HostBackoffs.parseRetryAfter(value, NOW);
    }

    @Test
    void readsSecondsAndHttpDates() {
        assertThat(parse("120")).isEqualTo(Duration.ofSeconds(120));
        assertThat(parse(" 7 ")).isEqualTo(Duration.ofSeconds(7));
        assertThat(parse("Thu, 03 Dec 2026 06:01:00 GMT")).isEqualTo(Duration.ofSeconds(60));
        assertThat(parse("Wed, 21 Oct 2015 07:28:00 GMT")).isZero(); // in the past
    }

    @Test
    void garbageIsIgnoredAndHugeValuesAreBounded() {
        assertThat(parse(null)).isNull();
        assertThat(parse("")).isNull();
        assertThat(parse("soon")).isNull();
        assertThat(parse("-5")).isNull();
        assertThat(parse("1.5")).isNull();
        assertThat(parse("٣")).isNull(); // a non-ASCII digit
        assertThat(parse("Thu, 03 Dec 2026 25:61:00 GMT")).isNull();
        assertThat(parse("99999999999")).isEqualTo(Duration.ofDays(365));
        assertThat(parse("Fri, 31 Dec 9999 23:59:59 GMT")).isEqualTo(Duration.ofDays(365));
    }
}
