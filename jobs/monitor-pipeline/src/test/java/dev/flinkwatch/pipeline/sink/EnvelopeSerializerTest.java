package dev.flinkwatch.pipeline.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkwatch.model.Alert;
import dev.flinkwatch.model.AlertKind;
import dev.flinkwatch.model.CheckOutcome;
import dev.flinkwatch.model.CheckResult;
import dev.flinkwatch.model.ModelCodec;
import java.time.Instant;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class EnvelopeSerializerTest {
    private static final int LIMIT = 20_000;
    private static final Instant T = Instant.parse("2025-01-01T00:00:00Z");
    private final UUID monitor = UUID.randomUUID();

    @Test
    void aRecordWithinTheLimitIsWrittenAsItIs() {
        CheckResult r = result("+ small");
        ProducerRecord<byte[], byte[]> rec =
                EnvelopeSerializer.checkResults("results", LIMIT).serialize(r, null, 7L);
        assertThat(new String(rec.key())).isEqualTo(monitor.toString());
        assertThat(ModelCodec.decode(rec.value(), CheckResult.class)).isEqualTo(r);
        assertThat(rec.timestamp()).isEqualTo(7L);
    }

    @Test
    void anOversizedCheckResultLosesItsDiffAndSaysSo() {
        // NULs are escaped as \u0000 in JSON: six bytes each
        CheckResult r = result("+ " + "\0".repeat(LIMIT / 4));
        ProducerRecord<byte[], byte[]> rec =
                EnvelopeSerializer.checkResults("results", LIMIT).serialize(r, null, null);
        assertThat(rec.key().length + rec.value().length).isLessThanOrEqualTo(LIMIT);
        CheckResult written = ModelCodec.decode(rec.value(), CheckResult.class);
        assertThat(written.diff()).isEqualTo(EnvelopeSerializer.OMITTED);
        assertThat(written).isEqualTo(r.withDiff(EnvelopeSerializer.OMITTED));
    }

    @Test
    void anOversizedAlertLosesItsExcerptAndDiff() {
        Alert a =
                new Alert(
                        "k",
                        AlertKind.CONDITION_MET,
                        monitor,
                        UUID.randomUUID(),
                        "https://shop.example/",
                        T,
                        "changed",
                        "é".repeat(LIMIT),
                        "+ x");
        ProducerRecord<byte[], byte[]> rec =
                EnvelopeSerializer.alerts("alerts", LIMIT).serialize(a, null, null);
        assertThat(rec.key().length + rec.value().length).isLessThanOrEqualTo(LIMIT);
        Alert written = ModelCodec.decode(rec.value(), Alert.class);
        assertThat(written.excerpt()).isNull();
        assertThat(written.diff()).isEqualTo(EnvelopeSerializer.OMITTED);
        assertThat(written.alertId()).isEqualTo("k");
        assertThat(written.reason()).isEqualTo("changed");
    }

    @Test
    void aRecordTooLargeEvenWithoutContentIsDropped() {
        CheckResult r = result("+ x").withDiff(null);
        CheckResult longUrl =
                new CheckResult(
                        monitor,
                        UUID.randomUUID(),
                        "https://e.example/" + "p".repeat(1500),
                        T,
                        T,
                        T,
                        CheckOutcome.ERROR,
                        null,
                        null,
                        "TIMEOUT",
                        "timed out",
                        1,
                        null,
                        null);
        assertThat(EnvelopeSerializer.checkResults("results", 1024).serialize(r, null, null))
                .isNotNull();
        assertThat(EnvelopeSerializer.checkResults("results", 1024).serialize(longUrl, null, null))
                .isNull();
    }

    private CheckResult result(String diff) {
        return new CheckResult(
                monitor,
                UUID.randomUUID(),
                "https://shop.example/",
                T,
                T,
                T,
                CheckOutcome.CHANGED,
                200,
                "h",
                null,
                null,
                3,
                diff,
                null);
    }
}
