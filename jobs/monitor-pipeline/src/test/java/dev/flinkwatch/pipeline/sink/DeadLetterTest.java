package dev.flinkwatch.pipeline.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkwatch.model.Alert;
import dev.flinkwatch.model.AlertKind;
import java.sql.SQLException;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DeadLetterTest {

    @Test
    void safeTextIsSanitizedOnOneLineAndBounded() {
        assertThat(DeadLetter.safe("a\0b\u0007c\u007f\u0085d", 100)).isEqualTo("abcd");
        assertThat(DeadLetter.safe("x\uD800y\nz", 100)).isEqualTo("xy z");
        // a pair that does not fit whole is not split
        assertThat(DeadLetter.safe("ab\uD83D\uDE00", 3)).isEqualTo("ab");
        assertThat(DeadLetter.safe("y".repeat(50), 10)).hasSize(10);
    }

    @Test
    void aLetterNamesTheRowsScalarsAndOnlyTheLengthOfItsTexts() {
        UUID monitor = UUID.randomUUID();
        UUID tenant = UUID.randomUUID();
        Alert alert =
                new Alert(
                        "k1",
                        AlertKind.CONDITION_MET,
                        monitor,
                        tenant,
                        "https://shop.example/secret-path",
                        Instant.parse("2025-01-01T00:00:00Z"),
                        "price below 50",
                        "secret excerpt",
                        "+ secret \0 diff");
        DeadLetter letter =
                DeadLetter.of(
                        PostgresSinks.ALERTS,
                        alert,
                        new SQLException("invalid byte sequence", "22021"));
        assertThat(letter.sink()).isEqualTo("alerts");
        assertThat(letter.monitorId()).isEqualTo(monitor);
        assertThat(letter.tenantId()).isEqualTo(tenant);
        assertThat(letter.sqlState()).isEqualTo("22021");
        assertThat(letter.reason()).isEqualTo("invalid byte sequence");
        assertThat(letter.summary())
                .isEqualTo(
                        "alert_key=k1 kind=CONDITION_MET source_url.chars=32"
                                + " detected_at=2025-01-01T00:00:00Z reason.chars=14"
                                + " excerpt.chars=14 diff.chars=15(has NUL)");
        assertThat(letter.recordKey())
                .isEqualTo(
                        DeadLetter.of(PostgresSinks.ALERTS, alert, new SQLException()).recordKey())
                .hasSize(32);
    }
}
