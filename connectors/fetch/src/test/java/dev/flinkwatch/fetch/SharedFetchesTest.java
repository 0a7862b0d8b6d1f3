package dev.flinkwatch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkwatch.model.CheckRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SharedFetchesTest {
    private static final String URL = "https://shop.example/product";
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final SharedFetches shared =
            new SharedFetches(Duration.ofSeconds(30), 1 << 20, nanos::get);
    private final List<FakeFlight> started = new ArrayList<>();

    /** A fetch the test ends by hand. */
    private final class FakeFlight implements SharedFetches.Flight {
        final CheckRequest request;
        final CompletableFuture<FetchResult> result = new CompletableFuture<>();

        FakeFlight(CheckRequest request) {
            this.request = request;
            started.add(this);
        }

        @Override
        public CompletableFuture<FetchResult> result() {
            return result;
        }

        @Override
        public void abort(FetchStatus status, String message) {
            result.complete(FetchResult.failed(request, status, message, T0, T0));
        }

        void ok(String body, String etag) {
            result.complete(
                    new FetchResult(
                            request,
                            FetchStatus.OK,
                            200,
                            request.url(),
                            "text/html",
                            "UTF-8",
                            body,
                            etag,
                            null,
                            T0,
                            T0.plusMillis(5),
                            5L,
                            1,
                            0,
                            (long) body.length(),
                            "200 OK",
                            null));
        }

        void status(FetchStatus status) {
            result.complete(
                    new FetchResult(
                            request,
                            status,
                            status == FetchStatus.NOT_MODIFIED ? 304 : null,
                            request.url(),
                            null,
                            null,
                            null,
                            request.etag(),
                            null,
                            T0,
                            T0.plusMillis(5),
                            5L,
                            1,
                            0,
                            0L,
                            status.name(),
                            null));
        }
    }

    private static CheckRequest check(String url) {
        return new CheckRequest(
                UUID.randomUUID(),
                UUID.randomUUID(),
                1,
                url,
                null,
                null,
                T0,
                null,
                null,
                null,
                null);
    }

    private SharedFetches.Flight start(CheckRequest request) {
        return shared.start(request, FakeFlight::new);
    }

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void checksOfOneUrlJoinTheFetchInFlightAndEachGetsItsOwnResult() throws Exception {
        List<CheckRequest> checks = new ArrayList<>();
        List<SharedFetches.Flight> flights = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            CheckRequest c = check(URL);
            checks.add(c);
            flights.add(start(c));
        }
        assertThat(started).hasSize(1);
        started.get(0).ok("<p>42</p>", "\"v1\"");
        for (int i = 0; i < 50; i++) {
            FetchResult r = flights.get(i).result().get(1, TimeUnit.SECONDS);
            assertThat(r.request()).isSameAs(checks.get(i));
            assertThat(r.body()).isEqualTo("<p>42</p>");
            assertThat(r.startedAt()).isEqualTo(T0);
        }
        assertThat(shared.sent()).isEqualTo(1);
        assertThat(shared.joined()).isEqualTo(49);
        assertThat(shared.inFlight()).isZero();
    }

    @Test
    void aRecentResultServesWithinTheWindowAndNeverAfter() throws Exception {
        start(check(URL));
        started.get(0).ok("old", null);
        advance(Duration.ofSeconds(30).minusMillis(1));
        CheckRequest atEdge = check(URL);
        assertThat(start(atEdge).result().get(1, TimeUnit.SECONDS).body()).isEqualTo("old");
        assertThat(shared.servedRecent()).isEqualTo(1);

        advance(Duration.ofMillis(2));
        SharedFetches.Flight late = start(check(URL));
        assertThat(started).hasSize(2);
        assertThat(late.result()).isNotDone();
        started.get(1).ok("new", null);
        assertThat(late.result().get(1, TimeUnit.SECONDS).body()).isEqualTo("new");
        assertThat(start(check(URL)).result().get(1, TimeUnit.SECONDS).body()).isEqualTo("new");
    }

    @Test
    void aFetchInFlightOlderThanTheWindowIsNotJoined() {
        start(check(URL));
        advance(Duration.ofSeconds(31));
        start(check(URL));
        assertThat(started).hasSize(2);
        // The old one ending must not unregister the new one.
        started.get(0).ok("old", null);
        start(check(URL));
        assertThat(started).hasSize(2);
    }

    @Test
    void otherUrlsAreFetchedApart() {
        start(check(URL));
        start(check(URL + "?page=2"));
        assertThat(started).hasSize(2);
    }

    @Test
    void a304ServesOnlyChecksThatSentTheSameValidators() throws Exception {
        CheckRequest leader = check(URL).withValidators("\"v1\"", null);
        CheckRequest same = check(URL).withValidators("\"v1\"", null);
        CheckRequest other = check(URL);
        start(leader);
        SharedFetches.Flight sameFlight = start(same);
        SharedFetches.Flight otherFlight = start(other);
        started.get(0).status(FetchStatus.NOT_MODIFIED);
        assertThat(sameFlight.result().get(1, TimeUnit.SECONDS).status())
                .isEqualTo(FetchStatus.NOT_MODIFIED);
        // The unconditional check fetches itself: a 304 tells it nothing.
        assertThat(started).hasSize(2);
        assertThat(started.get(1).request).isSameAs(other);
        started.get(1).ok("full", "\"v1\"");
        assertThat(otherFlight.result().get(1, TimeUnit.SECONDS).body()).isEqualTo("full");
        // From the cache: the newer 200 serves even a conditional check.
        assertThat(start(check(URL).withValidators("\"v0\"", null)).result().get().body())
                .isEqualTo("full");
        assertThat(started).hasSize(2);
    }

    @Test
    void aDeclinedLeaderIsNotSharedAndLocalFailuresAreNotKept() throws Exception {
        start(check(URL));
        SharedFetches.Flight joiner = start(check(URL));
        started.get(0).status(FetchStatus.TENANT_BUSY);
        // The joiner tries itself.
        assertThat(started).hasSize(2);
        started.get(1).status(FetchStatus.TIMEOUT);
        assertThat(joiner.result().get(1, TimeUnit.SECONDS).status())
                .isEqualTo(FetchStatus.TIMEOUT);
        // Neither the decline nor the timeout is served to later checks.
        start(check(URL));
        assertThat(started).hasSize(3);
    }

    @Test
    void aJoinedFetchSharesItsFailureAndASiteErrorIsKept() throws Exception {
        start(check(URL));
        SharedFetches.Flight joiner = start(check(URL));
        started.get(0).status(FetchStatus.HTTP_ERROR);
        assertThat(joiner.result().get(1, TimeUnit.SECONDS).status())
                .isEqualTo(FetchStatus.HTTP_ERROR);
        assertThat(start(check(URL)).result().get().status()).isEqualTo(FetchStatus.HTTP_ERROR);
        assertThat(started).hasSize(1);
    }

    @Test
    void anAbortedJoinerEndsAloneAndTheLeaderGoesOn() throws Exception {
        start(check(URL));
        SharedFetches.Flight joiner = start(check(URL));
        joiner.abort(FetchStatus.TIMEOUT, "async operator timeout reached");
        assertThat(joiner.result().get().status()).isEqualTo(FetchStatus.TIMEOUT);
        assertThat(started.get(0).result).isNotDone();
    }

    @Test
    void rendersAndAZeroWindowAreNeverShared() {
        SharedFetches off = new SharedFetches(Duration.ZERO, 1 << 20, nanos::get);
        off.start(check(URL), FakeFlight::new);
        off.start(check(URL), FakeFlight::new);
        assertThat(started).hasSize(2);
        CheckRequest render =
                new CheckRequest(
                        UUID.randomUUID(),
                        UUID.randomUUID(),
                        1,
                        URL,
                        null,
                        null,
                        T0,
                        null,
                        null,
                        dev.flinkwatch.model.Render.BROWSER,
                        null);
        start(render);
        start(render);
        assertThat(started).hasSize(4);
    }

    @Test
    void memoryIsBoundedByBytes() throws Exception {
        SharedFetches small = new SharedFetches(Duration.ofSeconds(30), 10_000, nanos::get);
        small.start(check(URL), FakeFlight::new);
        started.get(0).ok("x".repeat(20_000), null);
        small.start(check(URL), FakeFlight::new);
        // Too large to keep: fetched again.
        assertThat(started).hasSize(2);
    }
}
