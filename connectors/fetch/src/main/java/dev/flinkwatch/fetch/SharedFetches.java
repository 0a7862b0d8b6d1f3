package dev.flinkwatch.fetch;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.flinkwatch.model.CheckRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * One fetch serves every check of the same request within a window: 1,000 monitors on one product
 * page cost one request, not 1,000. A check joins the fetch of its key in flight, or takes the
 * result of a recent one; otherwise it starts the fetch ({@link #keyOf}). Either way the shared
 * fetch started at most {@code window} before the check arrived, so a check never sees an older
 * response, whatever the window. Each check gets its own copy of the result ({@link
 * FetchResult#answering}), with the original start time, and goes on to its own extraction, state
 * and alert.
 *
 * <p>Validators: a 200 serves everyone; a 304 serves only a check that sent the same ETag and
 * Last-Modified as the fetch that got it, others fetch themselves. A joined fetch shares whatever
 * it ended with (a slow site stays one slow request), except a check the fetcher declined for its
 * own capacity (HOST_BUSY, TENANT_BUSY, ...): such a verdict belongs to the leader's moment and
 * tenant, so each joiner then tries itself. Only answers from the site are kept as recent results,
 * never transport failures or local conditions. Recent results are bounded by bytes; an evicted one
 * only costs a fetch.
 *
 * <p>Sharing across tenants is safe only because a request carries nothing of its tenant: no
 * cookies (the client has no cookie store), no credentials, no custom headers. The day a request
 * gets headers, they belong in {@link #keyOf}.
 *
 * <p>Thread-safe: checks start on the operator thread, fetches end on I/O threads.
 */
public final class SharedFetches {
    /** A fetch in progress: its result (completes once, never with an error) and how to end it. */
    public interface Flight {
        CompletableFuture<FetchResult> result();

        /** Ends the fetch now with a failure result (e.g. TIMEOUT). */
        void abort(FetchStatus status, String message);
    }

    /**
     * The sharing key of a request: everything of it that can change the response. Today that is
     * the URL, since plain fetches send no per-request headers besides validators (matched apart);
     * headers join the key the day requests have them.
     */
    public static String keyOf(CheckRequest request) {
        return request.url() == null ? "" : request.url().trim();
    }

    /** Results that are the site's answer, not a failure of this transport or this subtask. */
    private static final Set<FetchStatus> FROM_SITE =
            EnumSet.of(
                    FetchStatus.OK,
                    FetchStatus.NOT_MODIFIED,
                    FetchStatus.HTTP_ERROR,
                    FetchStatus.TOO_LARGE,
                    FetchStatus.UNSUPPORTED_CONTENT_TYPE,
                    FetchStatus.TOO_MANY_REDIRECTS,
                    FetchStatus.ROBOTS_DISALLOWED);

    private final long windowNanos;
    private final Ticker ticker;
    private final Cache<String, Recent> recent;
    private final Map<String, Leader> inFlight = new ConcurrentHashMap<>();
    private final LongAdder sent = new LongAdder();
    private final LongAdder joined = new LongAdder();
    private final LongAdder servedRecent = new LongAdder();

    /**
     * @param window how long before a check's arrival a fetch it shares may have started; zero
     *     turns sharing off
     * @param maxBytes memory for recent results
     * @param ticker the clock (nanoseconds), a fake one in tests
     */
    public SharedFetches(Duration window, long maxBytes, Ticker ticker) {
        this.windowNanos = window.toNanos();
        this.ticker = ticker;
        this.recent =
                Caffeine.newBuilder()
                        .maximumWeight(maxBytes)
                        .weigher((String key, Recent r) -> r.weight())
                        .expireAfterWrite(window)
                        .ticker(ticker)
                        .executor(Runnable::run)
                        .build();
    }

    public static SharedFetches from(FetchConfig config) {
        return new SharedFetches(
                config.sharedWindow(), config.sharedMaxBytes(), Ticker.systemTicker());
    }

    /** A result kept for later checks, with the tick its fetch started at. */
    private record Recent(FetchResult result, long startedTick) {
        int weight() {
            long chars = result.body() == null ? 0 : result.body().length();
            long weight = 256 + 2 * (chars + result.finalUrl().length());
            return (int) Math.min(Integer.MAX_VALUE, weight);
        }
    }

    /**
     * The fetch of {@code request}: a recent result, a join of one in flight, or a new fetch from
     * {@code fetcher}. Browser renders are never shared (their screenshots and timing are their
     * own).
     */
    public Flight start(CheckRequest request, Function<CheckRequest, ? extends Flight> fetcher) {
        if (windowNanos == 0 || request.rendered()) {
            sent.increment();
            return fetcher.apply(request);
        }
        String key = keyOf(request);
        long now = ticker.read();
        long oldest = now - windowNanos;
        Recent kept = recent.getIfPresent(key);
        if (kept != null && kept.startedTick() >= oldest && serves(kept.result(), request)) {
            servedRecent.increment();
            return new Done(kept.result().answering(request));
        }
        Leader[] mine = new Leader[1];
        Leader leader =
                inFlight.compute(
                        key,
                        (k, current) -> {
                            if (current != null && current.startedTick >= oldest) {
                                return current;
                            }
                            mine[0] = new Leader(request, now);
                            return mine[0];
                        });
        if (mine[0] == null) {
            joined.increment();
            return new Joiner(request, leader, fetcher);
        }
        sent.increment();
        Flight flight = fetcher.apply(request);
        flight.result()
                .thenAccept(
                        result -> {
                            inFlight.remove(key, leader);
                            if (FROM_SITE.contains(result.status())) {
                                recent.asMap()
                                        .merge(
                                                key,
                                                new Recent(result, leader.startedTick),
                                                (old, fresh) ->
                                                        fresh.startedTick() >= old.startedTick()
                                                                ? fresh
                                                                : old);
                            }
                            leader.done.complete(result);
                        });
        return flight;
    }

    /** Whether {@code shared} answers {@code request} as its own fetch would have. */
    private static boolean serves(FetchResult shared, CheckRequest request) {
        if (shared.status().declined()) {
            return false;
        }
        return shared.status() != FetchStatus.NOT_MODIFIED
                || (Objects.equals(shared.request().etag(), request.etag())
                        && Objects.equals(shared.request().lastModified(), request.lastModified()));
    }

    /** Fetches actually started (each one request to the site, politeness permitting). */
    public long sent() {
        return sent.sum();
    }

    /** Checks that joined a fetch in flight. */
    public long joined() {
        return joined.sum();
    }

    /** Checks served a recent result. */
    public long servedRecent() {
        return servedRecent.sum();
    }

    /** Fetches in flight that others may join. */
    public int inFlight() {
        return inFlight.size();
    }

    private static final class Leader {
        final CheckRequest request;
        final long startedTick;
        final CompletableFuture<FetchResult> done = new CompletableFuture<>();

        Leader(CheckRequest request, long startedTick) {
            this.request = request;
            this.startedTick = startedTick;
        }
    }

    /** A check answered at once. */
    private record Done(CompletableFuture<FetchResult> result) implements Flight {
        Done(FetchResult result) {
            this(CompletableFuture.completedFuture(result));
        }

        @Override
        public void abort(FetchStatus status, String message) {}
    }

    /** A check waiting for another's fetch; fetches itself when that one cannot serve it. */
    private final class Joiner implements Flight {
        private final CheckRequest request;
        private final Instant arrivedAt = Instant.now();
        private final CompletableFuture<FetchResult> result = new CompletableFuture<>();
        private volatile Flight own;

        Joiner(
                CheckRequest request,
                Leader leader,
                Function<CheckRequest, ? extends Flight> fetcher) {
            this.request = request;
            leader.done.thenAccept(
                    shared -> {
                        if (result.isDone()) {
                            return;
                        }
                        if (serves(shared, request)) {
                            result.complete(shared.answering(request));
                            return;
                        }
                        Flight mine = start(request, fetcher);
                        own = mine;
                        mine.result().thenAccept(result::complete);
                    });
        }

        @Override
        public CompletableFuture<FetchResult> result() {
            return result;
        }

        @Override
        public void abort(FetchStatus status, String message) {
            Flight mine = own;
            if (mine != null) {
                mine.abort(status, message);
            }
            result.complete(FetchResult.failed(request, status, message, arrivedAt, Instant.now()));
        }
    }
}
