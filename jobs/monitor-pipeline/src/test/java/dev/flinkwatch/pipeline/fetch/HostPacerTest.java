package dev.flinkwatch.pipeline.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkwatch.fetch.FetchConfig;
import dev.flinkwatch.fetch.FetchFunction;
import dev.flinkwatch.fetch.FetchOptions;
import dev.flinkwatch.fetch.FetchResult;
import dev.flinkwatch.fetch.FetchStatus;
import dev.flinkwatch.fetch.HostBackoffs;
import dev.flinkwatch.model.CheckRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The pacer on Flink's keyed harness: deterministic processing time, state and timers visible. */
class HostPacerTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final long DELAY = 200;
    private static final long WINDOW = 10_000;
    private static final long RIDE = WINDOW / 2;

    private KeyedOneInputStreamOperatorTestHarness<String, CheckRequest, CheckRequest> harness;

    @BeforeEach
    void setUp() throws Exception {
        Configuration conf = new Configuration();
        conf.set(FetchOptions.MIN_DELAY_PER_HOST, Duration.ofMillis(DELAY));
        conf.set(FetchOptions.MAX_QUEUED_PER_HOST, 3);
        conf.set(FetchOptions.SHARED_WINDOW, Duration.ofMillis(WINDOW));
        harness =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new HostPacer(FetchConfig.from(conf)),
                        r -> FetchFunction.byHost().getKey(r),
                        Types.STRING);
        harness.setProcessingTime(T0);
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    private static CheckRequest request(String url) {
        return new CheckRequest(
                UUID.randomUUID(),
                UUID.randomUUID(),
                1,
                url,
                null,
                null,
                Instant.now(),
                null,
                null,
                null,
                null);
    }

    private List<CheckRequest> released() {
        return harness.extractOutputValues();
    }

    private List<FetchResult> skipped() {
        ConcurrentLinkedQueue<StreamRecord<FetchResult>> out =
                harness.getSideOutput(HostPacer.SKIPPED);
        return out == null ? List.of() : out.stream().map(StreamRecord::getValue).toList();
    }

    @Test
    void aDueHostGoesAtOnceAndTheRestIsParkedAndReleasedAtItsRate() throws Exception {
        CheckRequest a = request("https://shop.example/a");
        CheckRequest b = request("https://shop.example/b");
        CheckRequest c = request("https://shop.example/c");
        CheckRequest other = request("https://other.example/");

        harness.processElement(a, T0);
        harness.processElement(b, T0);
        harness.processElement(c, T0);
        harness.processElement(other, T0);

        // a and the other host's request at once; b and c wait in state, not in async slots
        assertThat(released()).containsExactly(a, other);
        harness.setProcessingTime(T0 + DELAY - 1);
        assertThat(released()).containsExactly(a, other);
        harness.setProcessingTime(T0 + DELAY);
        assertThat(released()).containsExactly(a, other, b);
        harness.setProcessingTime(T0 + 2 * DELAY);
        assertThat(released()).containsExactly(a, other, b, c);
        assertThat(skipped()).isEmpty();
    }

    @Test
    void aFullLineSkipsWithARecordedResult() throws Exception {
        for (int i = 0; i < 5; i++) {
            harness.processElement(request("https://shop.example/" + i), T0);
        }
        // one released, three parked (the bound), one skipped
        assertThat(released()).hasSize(1);
        assertThat(skipped()).hasSize(1);
        FetchResult skip = skipped().get(0);
        assertThat(skip.status()).isEqualTo(FetchStatus.HOST_BUSY);
        assertThat(skip.request().url()).isEqualTo("https://shop.example/4");
        assertThat(skip.message())
                .isEqualTo(
                        "more than 3 checks of shop.example are waiting for their polite turn;"
                                + " check skipped");
        harness.setProcessingTime(T0 + 3 * DELAY);
        assertThat(released()).hasSize(4);
    }

    @Test
    void theLineIsDroppedOneDelayAfterTheLastReleaseAndTheReleasedUrlsHalfAWindowAfter()
            throws Exception {
        for (int i = 0; i < 3; i++) {
            harness.processElement(request("https://shop.example/" + i), T0);
        }
        assertThat(harness.numKeyedStateEntries()).isGreaterThan(0);

        harness.setProcessingTime(T0 + 2 * DELAY);
        assertThat(released()).hasSize(3);

        harness.setProcessingTime(T0 + 3 * DELAY);
        // Only the released URLs remain (one map), each with its ride window's end.
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(3);

        harness.setProcessingTime(T0 + 2 * DELAY + RIDE);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();

        // a later request of the forgotten host goes at once
        harness.processElement(request("https://shop.example/later"), T0);
        assertThat(released()).hasSize(4);
    }

    @Test
    void requestsOfAReleasedUrlRideAlongWithoutAPoliteTurn() throws Exception {
        String url = "https://shop.example/product";
        for (int i = 0; i < 1000; i++) {
            harness.processElement(request(url), T0);
        }
        harness.processElement(request("https://shop.example/other"), T0);
        // One polite turn for the URL, every other check of it at once; the other URL waits.
        assertThat(released()).hasSize(1000);
        assertThat(released()).allMatch(r -> r.url().equals(url));
        assertThat(skipped()).isEmpty();

        harness.setProcessingTime(T0 + RIDE - 1);
        harness.processElement(request(url), T0);
        assertThat(released()).hasSize(1002);

        // Half a window later the URL takes its turn again (the host is due: at once), and the
        // next rides with that one.
        harness.setProcessingTime(T0 + RIDE);
        harness.processElement(request(url), T0);
        harness.processElement(request(url), T0);
        assertThat(released()).hasSize(1004);

        harness.setProcessingTime(T0 + 2 * RIDE);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void aParkedRequestRidesOnceItsUrlIsReleased() throws Exception {
        harness.processElement(request("https://shop.example/a"), T0);
        harness.processElement(request("https://shop.example/b"), T0);
        harness.processElement(request("https://shop.example/b"), T0);
        assertThat(released()).hasSize(1);
        harness.setProcessingTime(T0 + DELAY);
        assertThat(released()).hasSize(2);
        // The second b was parked before its URL went; later ones of b ride.
        harness.processElement(request("https://shop.example/b"), T0);
        assertThat(released()).hasSize(3);
        harness.setProcessingTime(T0 + 2 * DELAY);
        assertThat(released()).hasSize(4);
    }

    @Test
    void withoutSharingEveryRequestTakesItsTurn() throws Exception {
        Configuration conf = new Configuration();
        conf.set(FetchOptions.MIN_DELAY_PER_HOST, Duration.ofMillis(DELAY));
        conf.set(FetchOptions.SHARED_WINDOW, Duration.ZERO);
        try (var unshared =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new HostPacer(FetchConfig.from(conf)),
                        (CheckRequest r) -> FetchFunction.byHost().getKey(r),
                        Types.STRING)) {
            unshared.setProcessingTime(T0);
            for (int i = 0; i < 3; i++) {
                unshared.processElement(request("https://shop.example/p"), T0);
            }
            assertThat(unshared.extractOutputValues()).hasSize(1);
            unshared.setProcessingTime(T0 + 3 * DELAY);
            assertThat(unshared.extractOutputValues()).hasSize(3);
            assertThat(unshared.numKeyedStateEntries()).isZero();
            assertThat(unshared.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void withoutADelayNothingIsParkedOrKept() throws Exception {
        Configuration conf = new Configuration();
        conf.set(FetchOptions.MIN_DELAY_PER_HOST, Duration.ZERO);
        try (var unpaced =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new HostPacer(FetchConfig.from(conf)),
                        (CheckRequest r) -> FetchFunction.byHost().getKey(r),
                        Types.STRING)) {
            unpaced.setProcessingTime(T0);
            for (int i = 0; i < 5; i++) {
                unpaced.processElement(request("https://shop.example/" + i), T0);
            }
            assertThat(unpaced.extractOutputValues()).hasSize(5);
            assertThat(unpaced.numKeyedStateEntries()).isZero();
            assertThat(unpaced.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void aRequestWithoutHostIsNotPaced() throws Exception {
        harness.processElement(request("not a url"), T0);
        harness.processElement(request("not a url either"), T0);

        assertThat(released()).hasSize(2);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    /** A pacer on its own harness for the given settings (beyond a 200 ms delay). */
    private static KeyedOneInputStreamOperatorTestHarness<String, CheckRequest, CheckRequest> pacer(
            Configuration extra) throws Exception {
        Configuration conf = new Configuration();
        conf.set(FetchOptions.MIN_DELAY_PER_HOST, Duration.ofMillis(DELAY));
        conf.set(FetchOptions.SHARED_WINDOW, Duration.ZERO);
        conf.addAll(extra);
        var pacer =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new HostPacer(FetchConfig.from(conf)),
                        (CheckRequest r) -> FetchFunction.byHost().getKey(r),
                        Types.STRING);
        pacer.setProcessingTime(T0);
        return pacer;
    }

    @Test
    void anOverrideSetsTheHostsRate() throws Exception {
        Configuration conf = new Configuration();
        conf.set(FetchOptions.HOST_OVERRIDES, "big.pacer.test=50ms");
        try (var pacer = pacer(conf)) {
            for (int i = 0; i < 3; i++) {
                pacer.processElement(request("https://www.big.pacer.test/" + i), T0);
                pacer.processElement(request("https://small.pacer.test/" + i), T0);
            }
            pacer.setProcessingTime(T0 + 100);
            // the big site's three at 0, 50 and 100 ms; the default host's second waits 200 ms
            assertThat(pacer.extractOutputValues())
                    .extracting(CheckRequest::url)
                    .filteredOn(u -> u.contains("big"))
                    .hasSize(3);
            assertThat(pacer.extractOutputValues())
                    .extracting(CheckRequest::url)
                    .filteredOn(u -> u.contains("small"))
                    .hasSize(1);
            pacer.setProcessingTime(T0 + 3 * DELAY);
            assertThat(pacer.extractOutputValues()).hasSize(6);
            assertThat(pacer.numKeyedStateEntries()).isZero();
            assertThat(pacer.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void aBackedOffHostIsSpacedWider() throws Exception {
        String host = "backoff.pacer.test";
        try (var pacer = pacer(new Configuration())) {
            FetchConfig config = FetchConfig.from(new Configuration());
            HostBackoffs.shared()
                    .throttled(host, null, Duration.ofMillis(DELAY), config.backoffPolicy());
            for (int i = 0; i < 2; i++) {
                pacer.processElement(request("https://" + host + "/" + i), T0);
            }
            pacer.setProcessingTime(T0 + 2 * DELAY - 1);
            assertThat(pacer.extractOutputValues()).hasSize(1);
            // one doubling of the 250 ms floor (above the 200 ms delay), fixed at the release;
            // an answer that is not throttled brings the next turn back to the delay
            HostBackoffs.shared().answered(host, 1);
            pacer.setProcessingTime(T0 + 500);
            assertThat(pacer.extractOutputValues()).hasSize(2);
            pacer.setProcessingTime(T0 + 500 + DELAY);
            assertThat(pacer.numKeyedStateEntries()).isZero();
            assertThat(pacer.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void aHeldHostsChecksAreSkippedWithoutARequestAndItsStateIsDropped() throws Exception {
        String host = "held.pacer.test";
        try (var pacer = pacer(new Configuration())) {
            for (int i = 0; i < 3; i++) {
                pacer.processElement(request("https://" + host + "/" + i), T0);
            }
            assertThat(pacer.extractOutputValues()).hasSize(1);
            // the first one's answer: 429 with Retry-After (a real-clock hold far beyond the test)
            FetchConfig config = FetchConfig.from(new Configuration());
            HostBackoffs.shared()
                    .throttled(
                            host,
                            Duration.ofMinutes(5),
                            Duration.ofMillis(DELAY),
                            config.backoffPolicy());

            pacer.processElement(request("https://" + host + "/arrived"), T0 + 1);
            pacer.setProcessingTime(T0 + DELAY);

            assertThat(pacer.extractOutputValues()).hasSize(1);
            List<FetchResult> skips =
                    pacer.getSideOutput(HostPacer.SKIPPED).stream()
                            .map(StreamRecord::getValue)
                            .toList();
            // the arrival at once, both parked ones at their turn: every monitor gets a result
            assertThat(skips)
                    .extracting(r -> r.request().url())
                    .containsExactly(
                            "https://" + host + "/arrived",
                            "https://" + host + "/1",
                            "https://" + host + "/2");
            assertThat(skips).allMatch(r -> r.status() == FetchStatus.HOST_BUSY);
            assertThat(skips.get(0).message())
                    .startsWith(host + " asked for a pause (Retry-After), ")
                    .endsWith(" s left; check skipped");

            pacer.setProcessingTime(T0 + 2 * DELAY);
            assertThat(pacer.numKeyedStateEntries()).isZero();
            assertThat(pacer.numProcessingTimeTimers()).isZero();
        }
    }
}
