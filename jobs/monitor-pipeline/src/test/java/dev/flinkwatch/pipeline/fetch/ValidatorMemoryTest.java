package dev.flinkwatch.pipeline.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkwatch.pipeline.fetch.ValidatorMemory.Validators;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ValidatorMemoryTest {
    private static final String URL = "https://shop.example/widget";
    private static final String DATE = "Wed, 02 Dec 2026 21:00:00 GMT";
    private static final Instant T0 = Instant.parse("2026-12-02T21:00:00Z");

    private final UUID monitor = UUID.randomUUID();
    private final AtomicLong evictions = new AtomicLong();
    private final ValidatorMemory memory = new ValidatorMemory(1 << 20, evictions::incrementAndGet);

    @Test
    void aRepeatedRequestGetsTheValidatorsOfTheLastResponse() {
        assertThat(memory.lookup(monitor, URL, 1)).isNull();
        memory.remember(monitor, URL, 1, T0, "\"v1\"", DATE);
        assertThat(memory.lookup(monitor, URL, 1)).isEqualTo(new Validators("\"v1\"", DATE));

        memory.remember(monitor, URL, 1, T0.plusSeconds(300), "\"v2\"", null);
        assertThat(memory.lookup(monitor, URL, 1)).isEqualTo(new Validators("\"v2\"", null));
        assertThat(memory.entries()).isEqualTo(1);
    }

    @Test
    void emptyAndNonAsciiValidatorsRoundTrip() {
        memory.remember(monitor, URL, 1, T0, "", "Mi, 02 Dez 2026 21:00:00 GMT ü");
        assertThat(memory.lookup(monitor, URL, 1))
                .isEqualTo(new Validators("", "Mi, 02 Dez 2026 21:00:00 GMT ü"));
    }

    @Test
    void anotherSpecVersionGetsNone() {
        memory.remember(monitor, URL, 1, T0, "\"v1\"", DATE);
        assertThat(memory.lookup(monitor, URL, 2)).isNull();

        memory.remember(monitor, URL, 2, T0.plusSeconds(300), "\"v2\"", null);
        assertThat(memory.lookup(monitor, URL, 2)).isEqualTo(new Validators("\"v2\"", null));
        assertThat(memory.lookup(monitor, URL, 1)).as("never the old version's").isNull();
    }

    @Test
    void anOlderAnswerNeverOverwritesNewerContent() {
        memory.remember(monitor, URL, 2, T0.plusSeconds(300), "\"new\"", null);
        // late answers: an earlier-started fetch of the same version, an older version's
        memory.remember(monitor, URL, 2, T0, "\"late\"", null);
        memory.remember(monitor, URL, 2, T0.plusSeconds(300), "\"same instant\"", null);
        memory.remember(monitor, URL, 1, T0.plusSeconds(900), "\"old spec\"", null);
        assertThat(memory.lookup(monitor, URL, 2)).isEqualTo(new Validators("\"new\"", null));
    }

    @Test
    void aResponseWithoutValidatorsForgetsThePair() {
        memory.remember(monitor, URL, 1, T0, "\"v1\"", DATE);
        memory.remember(monitor, URL, 1, T0.plusSeconds(300), null, null);
        assertThat(memory.lookup(monitor, URL, 1)).isNull();
        assertThat(memory.entries()).isZero();
    }

    @Test
    void validatorsAreNotSharedBetweenMonitorsOrUrls() {
        memory.remember(monitor, URL, 1, T0, "\"v1\"", DATE);
        assertThat(memory.lookup(UUID.randomUUID(), URL, 1)).isNull();
        assertThat(memory.lookup(monitor, URL + "?page=2", 1)).isNull();
    }

    @Test
    void aKeyCollisionCostsAMissNeverAnotherPairsValidator() {
        // every pair on one key, but each with its own monitor id and check value
        ValidatorMemory colliding =
                new ValidatorMemory(
                        1 << 20,
                        () -> {},
                        (id, url) ->
                                new ValidatorMemory.Pair(
                                        new ValidatorMemory.Key(7, 7),
                                        id.getMostSignificantBits(),
                                        id.getLeastSignificantBits(),
                                        url.hashCode()));
        UUID other = UUID.randomUUID();
        colliding.remember(monitor, URL, 1, T0, "\"mine\"", null);
        assertThat(colliding.lookup(other, URL, 1)).as("another monitor").isNull();
        assertThat(colliding.lookup(monitor, URL + "/b", 1)).as("another URL").isNull();

        // the other pair takes the slot even with an older fetch: its order is its own
        colliding.remember(other, URL, 1, T0.minusSeconds(60), "\"theirs\"", null);
        assertThat(colliding.lookup(monitor, URL, 1)).isNull();
        assertThat(colliding.lookup(other, URL, 1)).isEqualTo(new Validators("\"theirs\"", null));
    }

    @Test
    void overlongValidatorsAreNotRemembered() {
        String huge = "\"" + "x".repeat(ValidatorMemory.MAX_VALIDATOR_BYTES) + "\"";
        memory.remember(monitor, URL, 1, T0, huge, DATE);
        assertThat(memory.lookup(monitor, URL, 1)).isEqualTo(new Validators(null, DATE));
        memory.remember(monitor, URL, 1, T0.plusSeconds(1), huge, null);
        assertThat(memory.lookup(monitor, URL, 1)).isNull();
    }

    @Test
    void theMemoryIsBoundedByBytes() {
        long maxBytes = 100L * ValidatorMemory.TYPICAL_ENTRY_BYTES;
        ValidatorMemory small = new ValidatorMemory(maxBytes, evictions::incrementAndGet);
        int pairs = 5_000;
        for (int i = 0; i < pairs; i++) {
            small.remember(UUID.randomUUID(), URL + i, 1, T0, "\"0123456789abcdef00\"", DATE);
        }
        assertThat(small.weightedBytes()).isPositive().isLessThanOrEqualTo(maxBytes);
        assertThat(small.entries()).isBetween(90L, 100L);
        assertThat(evictions.get() + small.entries()).isEqualTo(pairs);
    }

    @Test
    void aCyclicTraceLargerThanTheMemoryKeepsAStableSubset() {
        int pairs = 20_000;
        ValidatorMemory fifth =
                new ValidatorMemory(
                        pairs / 5L * ValidatorMemory.TYPICAL_ENTRY_BYTES,
                        evictions::incrementAndGet);
        UUID[] monitors = new UUID[pairs];
        for (int i = 0; i < pairs; i++) {
            monitors[i] = UUID.randomUUID();
        }
        long hits = 0;
        for (int cycle = 0; cycle < 4; cycle++) {
            for (int i = 0; i < pairs; i++) {
                if (cycle > 0 && fifth.lookup(monitors[i], URL, 1) != null) {
                    hits++;
                }
                Instant started = T0.plusSeconds(300L * cycle);
                fifth.remember(monitors[i], URL, 1, started, "\"0123456789abcdef00\"", DATE);
            }
        }
        // an LRU would have evicted every pair before its next turn: no hits at all
        assertThat(hits / (3.0 * pairs)).isBetween(0.10, 0.25);
    }
}
