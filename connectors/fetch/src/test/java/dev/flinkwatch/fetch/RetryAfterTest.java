package dev.flinkwatch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
    @Test
    void readsSecondsAndHttpDates() {
        String inAMinute =
                DateTimeFormatter.RFC_1123_DATE_TIME.format(
                        ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(60));

        assertThat(PageFetcher.parseRetryAfter("120")).isEqualTo(Duration.ofSeconds(120));
        assertThat(PageFetcher.parseRetryAfter(inAMinute))
                .isBetween(Duration.ofSeconds(50), Duration.ofSeconds(61));
        assertThat(PageFetcher.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).isZero();
        assertThat(PageFetcher.parseRetryAfter("soon")).isNull();
        assertThat(PageFetcher.parseRetryAfter(null)).isNull();
        assertThat(PageFetcher.parseRetryAfter("99999999999")).isGreaterThan(Duration.ofDays(1));
    }
}
