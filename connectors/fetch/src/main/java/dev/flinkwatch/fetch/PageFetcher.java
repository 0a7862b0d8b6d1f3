package dev.flinkwatch.fetch;

import static org.asynchttpclient.Dsl.asyncHttpClient;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.flinkwatch.model.CheckRequest;
import io.netty.channel.Channel;
import io.netty.channel.epoll.Epoll;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.asynchttpclient.AsyncHttpClient;
import org.asynchttpclient.AsyncHttpClientConfig.ResponseBodyPartFactory;
import org.asynchttpclient.BoundRequestBuilder;
import org.asynchttpclient.DefaultAsyncHttpClientConfig;
import org.asynchttpclient.ListenableFuture;
import org.asynchttpclient.netty.NettyResponseFuture;
import org.asynchttpclient.netty.channel.Channels;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches pages: SSRF guard, robots.txt, per-host politeness, the HTTP exchange with a streaming
 * size cap, redirects (each hop re-checked) and retries, ending in exactly one {@link FetchResult}.
 * Non-blocking throughout: DNS runs on its own small bounded pool, waits are scheduled, HTTP is
 * Netty. Plain Java (no Flink), so {@link FetchFunction} stays a thin adapter.
 *
 * <p>Fair to the other hosts and tenants of a subtask: every wait is bounded (DNS, host and address
 * slots), a tenant has at most {@code max-in-flight-per-tenant} fetches in flight, and a response
 * that trickles or stalls after its headers ends as SLOW_BODY once it is below the minimum transfer
 * rate, long before the async operator's timeout.
 */
public final class PageFetcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PageFetcher.class);
    private static final String ACCEPT =
            "text/html,application/xhtml+xml,application/xml;q=0.9,text/plain;q=0.8,"
                    + "application/json;q=0.8,*/*;q=0.1";

    private final FetchConfig config;
    private final AsyncHttpClient client;
    private final ExecutorService dnsExecutor;
    private final ScheduledExecutorService scheduler;
    private final SsrfGuard guard;
    private final HostPoliteness politeness;
    private final RobotsCache robots;
    private final Map<UUID, Integer> tenantsInFlight = new ConcurrentHashMap<>();
    private final Set<Watched> watched = ConcurrentHashMap.newKeySet();
    private final HostBackoffs backoffs = HostBackoffs.shared();
    private final LongAdder throttled = new LongAdder();
    private final LongAdder retryAfterHonoured = new LongAdder();
    private final LongAdder backoffsStarted = new LongAdder();

    public PageFetcher(FetchConfig config, HostResolver resolver) {
        this.config = config;
        // Bounded queue: a lookup that finds no room is DNS_BUSY, never an unbounded backlog.
        this.dnsExecutor =
                new ThreadPoolExecutor(
                        config.dnsThreads(),
                        config.dnsThreads(),
                        0,
                        TimeUnit.MILLISECONDS,
                        new ArrayBlockingQueue<>(config.dnsQueueSize()),
                        daemon("fetch-dns"),
                        new ThreadPoolExecutor.AbortPolicy());
        ScheduledThreadPoolExecutor timer =
                new ScheduledThreadPoolExecutor(1, daemon("fetch-timer"));
        timer.setRemoveOnCancelPolicy(true);
        this.scheduler = timer;
        if (config.minTransferRate() > 0) {
            timer.scheduleWithFixedDelay(this::sweepSlow, 1, 1, TimeUnit.SECONDS);
        }
        this.guard =
                new SsrfGuard(
                        config.addressPolicy(),
                        resolver,
                        dnsExecutor,
                        config.dnsTimeout(),
                        config.dnsCacheTtl(),
                        config.dnsNegativeCacheTtl(),
                        config.dnsCacheSize(),
                        Ticker.systemTicker());
        this.politeness =
                new HostPoliteness(
                        config.maxConcurrentPerHost(),
                        config.maxConcurrentPerAddress(),
                        config.maxWaitingPerHost(),
                        config.maxWait(),
                        host -> config.spacingFor(host).toNanos(),
                        host -> config.holdFor(host).toNanos(),
                        scheduler);
        this.robots =
                config.robotsEnabled()
                        ? new RobotsCache(
                                config.robotsAgentName(),
                                config.robotsCacheTtl(),
                                config.robotsErrorTtl(),
                                config.robotsCacheSize(),
                                Math.max(1, config.maxWaitingPerHost()),
                                this::downloadRobots)
                        : null;
        this.client =
                asyncHttpClient(
                        new DefaultAsyncHttpClientConfig.Builder()
                                .setThreadPoolName("fetch-io")
                                .setIoThreadsCount(config.ioThreads())
                                // epoll on Linux: fewer syscalls and copies per request than NIO
                                .setUseNativeTransport(Epoll.isAvailable())
                                .setConnectTimeout(config.connectTimeout())
                                .setReadTimeout(config.readTimeout())
                                .setRequestTimeout(config.requestTimeout())
                                .setFollowRedirect(false) // we follow them, re-checking each hop
                                .setKeepAlive(true)
                                .setCompressionEnforced(true)
                                .setEnableAutomaticDecompression(true)
                                .setUserAgent(config.userAgent())
                                // One monitor's cookies must never reach another's request.
                                .setCookieStore(null)
                                // Replays a request only when a pooled keep-alive connection was
                                // stale.
                                .setMaxRequestRetry(1)
                                .setDisableUrlEncodingForBoundRequests(true)
                                .setPooledConnectionIdleTimeout(Duration.ofSeconds(30))
                                // AHC scans every pooled channel each period (100 ms by
                                // default): with thousands of hosts that is a steady cost
                                .setConnectionPoolCleanerPeriod(Duration.ofSeconds(1))
                                // Body parts stay views of Netty's buffers; BodyCollector copies
                                // once.
                                .setResponseBodyPartFactory(ResponseBodyPartFactory.LAZY)
                                .setShutdownQuietPeriod(Duration.ZERO)
                                .setShutdownTimeout(Duration.ofSeconds(5))
                                .build());
    }

    /** Starts fetching; the returned fetch completes exactly once with a result, never an error. */
    Fetch start(CheckRequest request) {
        Fetch fetch = new Fetch(request);
        fetch.run();
        return fetch;
    }

    /**
     * Fetches one page outside Flink (the API's preview), with the same guard, politeness and
     * limits; the future completes exactly once with a result, never an error.
     */
    public CompletableFuture<FetchResult> fetch(CheckRequest request) {
        return start(request).result();
    }

    /**
     * Why a page may not be read at all, for readers that are not this fetcher (the browser
     * renderer): the SSRF guard's verdict on its URL and its site's robots.txt, the same checks a
     * fetch makes first. Completes with the failed result, or empty when the page may be read;
     * never with an error.
     */
    public CompletableFuture<Optional<FetchResult>> refusal(CheckRequest request) {
        Instant startedAt = Instant.now();
        URI url;
        try {
            url = normalize(new URI(request.url()));
        } catch (URISyntaxException | NullPointerException e) {
            return CompletableFuture.completedFuture(
                    Optional.of(
                            FetchResult.failed(
                                    request,
                                    FetchStatus.BLOCKED_ADDRESS,
                                    "not a valid http(s) URL: " + request.url(),
                                    startedAt,
                                    Instant.now())));
        }
        CompletableFuture<Optional<String>> checked =
                guard.check(url)
                        .thenCompose(
                                address ->
                                        robots == null
                                                ? CompletableFuture.completedFuture(
                                                        Optional.<String>empty())
                                                : robots.disallowReason(url));
        return checked.handle(
                (disallowed, error) -> {
                    if (error != null) {
                        FetchFailure failure = FetchFailure.from(error);
                        return Optional.of(
                                FetchResult.failed(
                                        request,
                                        failure.status(),
                                        failure.getMessage(),
                                        startedAt,
                                        Instant.now()));
                    }
                    return disallowed.map(
                            reason ->
                                    FetchResult.failed(
                                            request,
                                            FetchStatus.ROBOTS_DISALLOWED,
                                            reason,
                                            startedAt,
                                            Instant.now()));
                });
    }

    /** Host names and addresses the politeness gates currently track. */
    int politeHosts() {
        return politeness.trackedHosts();
    }

    /** Answers 429 or 503 so far. */
    long throttled() {
        return throttled.sum();
    }

    /** Throttled answers whose Retry-After started (or extended) a hold of their host. */
    long retryAfterHonoured() {
        return retryAfterHonoured.sum();
    }

    /** Throttled answers without Retry-After that moved their host into backoff. */
    long backoffsStarted() {
        return backoffsStarted.sum();
    }

    /** Hosts held, backing off or slow right now, in this JVM. */
    int backedOffHosts() {
        return backoffs.backedOffHosts(config.backoffPolicy());
    }

    /** Tenants with a fetch in flight. */
    int tenantsInFlight() {
        return tenantsInFlight.size();
    }

    /** Takes one of the tenant's in-flight places; false when it has none left. */
    private boolean enterTenant(UUID tenant) {
        boolean[] entered = new boolean[1];
        tenantsInFlight.compute(
                tenant,
                (t, n) -> {
                    int current = n == null ? 0 : n;
                    entered[0] = current < config.maxInFlightPerTenant();
                    return entered[0] ? current + 1 : n;
                });
        return entered[0];
    }

    private void leaveTenant(UUID tenant) {
        tenantsInFlight.computeIfPresent(tenant, (t, n) -> n <= 1 ? null : n - 1);
    }

    @Override
    public void close() throws Exception {
        try {
            client.close();
        } finally {
            scheduler.shutdownNow();
            dnsExecutor.shutdownNow();
        }
    }

    private CompletableFuture<HopResponse> downloadRobots(URI robotsUrl) {
        long deadline = System.nanoTime() + config.deadline().toNanos();
        return new Transfer(robotsUrl, deadline, null, null, false, null).run();
    }

    /** One page fetch: a transfer plus its result, completable early by a timeout. */
    final class Fetch implements SharedFetches.Flight {
        private final CheckRequest request;
        private final Instant startedAt = Instant.now();
        private final long startNanos = System.nanoTime();
        private final CompletableFuture<FetchResult> result = new CompletableFuture<>();
        private volatile Transfer transfer;
        private volatile boolean tenantEntered;

        private Fetch(CheckRequest request) {
            this.request = request;
        }

        @Override
        public CompletableFuture<FetchResult> result() {
            return result;
        }

        /** Ends the fetch now with a failure result (e.g. TIMEOUT) and stops its HTTP exchange. */
        @Override
        public void abort(FetchStatus status, String message) {
            complete(null, new FetchFailure(status, message));
        }

        private void run() {
            UUID tenant = request.tenantId();
            if (tenant != null) {
                if (!enterTenant(tenant)) {
                    complete(
                            null,
                            new FetchFailure(
                                    FetchStatus.TENANT_BUSY,
                                    "the tenant has "
                                            + config.maxInFlightPerTenant()
                                            + " fetches in flight already; check skipped"));
                    return;
                }
                tenantEntered = true;
            }
            URI url;
            try {
                url = normalize(new URI(request.url()));
            } catch (URISyntaxException | NullPointerException e) {
                complete(
                        null,
                        new FetchFailure(
                                FetchStatus.BLOCKED_ADDRESS,
                                "not a valid http(s) URL: " + request.url()));
                return;
            }
            transfer =
                    new Transfer(
                            url,
                            startNanos + config.deadline().toNanos(),
                            headerSafe(request.etag()),
                            headerSafe(request.lastModified()),
                            true,
                            request.monitorId());
            transfer.run().whenComplete(this::complete);
        }

        private void complete(HopResponse response, Throwable error) {
            if (result.isDone()) {
                return;
            }
            Transfer t = transfer;
            FetchResult fetchResult;
            try {
                fetchResult =
                        error == null
                                ? fromResponse(response, t)
                                : fromFailure(FetchFailure.from(error), t);
            } catch (RuntimeException e) {
                // A bug must still end the fetch with a result, not leave it hanging.
                LOG.warn(
                        "fetch result failed monitorId={} error={}",
                        request.monitorId(),
                        e.toString());
                fetchResult =
                        fromFailure(
                                new FetchFailure(
                                        FetchStatus.CONNECTION_ERROR,
                                        "unexpected response handling error: " + e),
                                t);
            }
            if (result.complete(fetchResult)) {
                if (t != null) {
                    t.cancel();
                }
                if (tenantEntered) {
                    leaveTenant(request.tenantId());
                }
                if (fetchResult.status() == FetchStatus.BLOCKED_ADDRESS) {
                    LOG.info(
                            "fetch blocked monitorId={} url={} reason={}",
                            request.monitorId(),
                            fetchResult.finalUrl(),
                            fetchResult.message());
                } else if (LOG.isDebugEnabled()) {
                    LOG.debug(
                            "fetch done monitorId={} status={} http={} latencyMs={} attempts={}",
                            request.monitorId(),
                            fetchResult.status(),
                            fetchResult.httpStatus(),
                            fetchResult.latencyMs(),
                            fetchResult.attempts());
                }
            }
        }

        private FetchResult fromResponse(HopResponse r, Transfer t) {
            String contentType = r.headers().get(HttpHeaderNames.CONTENT_TYPE);
            String etag = r.headers().get(HttpHeaderNames.ETAG);
            String lastModified = r.headers().get(HttpHeaderNames.LAST_MODIFIED);
            if (r.stoppedWith() == FetchStatus.TOO_LARGE) {
                return result(
                        FetchStatus.TOO_LARGE,
                        r,
                        t,
                        contentType,
                        null,
                        etag,
                        lastModified,
                        "body exceeds the limit of "
                                + config.maxBodyBytes()
                                + " bytes; transfer stopped");
            }
            if (r.stoppedWith() == FetchStatus.UNSUPPORTED_CONTENT_TYPE) {
                return result(
                        FetchStatus.UNSUPPORTED_CONTENT_TYPE,
                        r,
                        t,
                        contentType,
                        null,
                        etag,
                        lastModified,
                        "content type "
                                + contentType
                                + " is not HTML, XHTML, XML, plain text or JSON");
            }
            if (r.status() == 304) {
                return result(
                        FetchStatus.NOT_MODIFIED,
                        r,
                        t,
                        contentType,
                        null,
                        etag != null ? etag : request.etag(),
                        lastModified != null ? lastModified : request.lastModified(),
                        "304 Not Modified");
            }
            if (r.status() >= 200 && r.status() < 300) {
                BodyDecoder.Decoded decoded = BodyDecoder.decode(r.body(), contentType);
                return new FetchResult(
                        request,
                        FetchStatus.OK,
                        r.status(),
                        t.url.toString(),
                        contentType,
                        decoded.charset().name(),
                        decoded.text(),
                        etag,
                        lastModified,
                        startedAt,
                        Instant.now(),
                        elapsedMs(),
                        t.attempts,
                        t.redirects,
                        (long) r.body().length,
                        r.status() + " " + r.statusText(),
                        null);
            }
            String retryAfter = r.headers().get(HttpHeaderNames.RETRY_AFTER);
            String message =
                    "HTTP "
                            + r.status()
                            + " "
                            + r.statusText()
                            + (r.isRedirect() ? " without a Location" : "")
                            + (retryAfter != null && r.isRetryable()
                                    ? " (Retry-After: " + retryAfter + ")"
                                    : "");
            return result(
                    FetchStatus.HTTP_ERROR, r, t, contentType, null, etag, lastModified, message);
        }

        private FetchResult result(
                FetchStatus status,
                HopResponse r,
                Transfer t,
                String contentType,
                String charset,
                String etag,
                String lastModified,
                String message) {
            return new FetchResult(
                    request,
                    status,
                    r.status(),
                    t.url.toString(),
                    contentType,
                    charset,
                    null,
                    etag,
                    lastModified,
                    startedAt,
                    Instant.now(),
                    elapsedMs(),
                    t.attempts,
                    t.redirects,
                    r.receivedBytes(),
                    message,
                    null);
        }

        private FetchResult fromFailure(FetchFailure failure, Transfer t) {
            return new FetchResult(
                    request,
                    failure.status(),
                    failure.httpStatus(),
                    t == null ? request.url() : t.url.toString(),
                    null,
                    null,
                    null,
                    null,
                    null,
                    startedAt,
                    Instant.now(),
                    elapsedMs(),
                    t == null ? 0 : t.attempts,
                    t == null ? 0 : t.redirects,
                    0L,
                    failure.getMessage(),
                    null);
        }

        private long elapsedMs() {
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        }
    }

    /**
     * Downloads one URL, following redirects (each hop guarded, and robots-checked for pages) and
     * retrying retryable failures, until a final response or a failure.
     */
    private final class Transfer {
        private final long deadline;
        private final String etag;
        private final String lastModified;
        private final boolean page;
        private final UUID monitorId;
        private volatile URI url;
        private volatile int attempts;
        private volatile int redirects;
        private volatile ListenableFuture<HopResponse> inFlight;
        private volatile boolean cancelled;

        /**
         * @param monitorId for log lines; null for robots.txt
         */
        Transfer(
                URI url,
                long deadline,
                String etag,
                String lastModified,
                boolean page,
                UUID monitorId) {
            this.url = url;
            this.deadline = deadline;
            this.etag = etag;
            this.lastModified = lastModified;
            this.page = page;
            this.monitorId = monitorId;
        }

        CompletableFuture<HopResponse> run() {
            return hop(url);
        }

        void cancel() {
            cancelled = true;
            ListenableFuture<HopResponse> current = inFlight;
            if (current != null && !current.isDone()) {
                abortAndClose(current, new FetchFailure(FetchStatus.TIMEOUT, "fetch cancelled"));
            }
        }

        private CompletableFuture<HopResponse> hop(URI target) {
            url = target;
            attempts = 0;
            CompletableFuture<InetAddress> checked = guard.check(target);
            if (page && robots != null) {
                checked =
                        checked.thenCompose(
                                address ->
                                        robots.disallowReason(target)
                                                .thenApply(
                                                        reason -> {
                                                            reason.ifPresent(
                                                                    r -> {
                                                                        throw new FetchFailure(
                                                                                FetchStatus
                                                                                        .ROBOTS_DISALLOWED,
                                                                                r);
                                                                    });
                                                            return address;
                                                        }));
            }
            return checked.thenCompose(address -> attempt(target, address))
                    .thenCompose(response -> followRedirect(target, response));
        }

        private CompletableFuture<HopResponse> followRedirect(URI from, HopResponse response) {
            String location = response.headers().get(HttpHeaderNames.LOCATION);
            if (!response.isRedirect() || location == null) {
                return CompletableFuture.completedFuture(response);
            }
            if (redirects >= config.maxRedirects()) {
                throw new FetchFailure(
                        FetchStatus.TOO_MANY_REDIRECTS,
                        "more than "
                                + config.maxRedirects()
                                + " redirects (last to "
                                + location
                                + ")",
                        response.status());
            }
            URI next;
            try {
                next = normalize(from.resolve(new URI(location.trim())));
            } catch (URISyntaxException | IllegalArgumentException e) {
                throw new FetchFailure(
                        FetchStatus.HTTP_ERROR,
                        "redirect to an invalid location: " + location,
                        response.status());
            }
            redirects++;
            return hop(next);
        }

        private CompletableFuture<HopResponse> attempt(URI target, InetAddress address) {
            if (cancelled) {
                return CompletableFuture.failedFuture(
                        new FetchFailure(FetchStatus.TIMEOUT, "fetch cancelled"));
            }
            attempts++;
            String host = target.getHost().toLowerCase(Locale.ROOT);
            return politeness
                    .acquire(host, address, deadline)
                    .thenCompose(
                            permit -> {
                                long sentAt = System.nanoTime();
                                return send(target, address)
                                        .whenComplete(
                                                (r, e) -> {
                                                    // Learned before the slot is free, so the
                                                    // host's next request already sees it.
                                                    try {
                                                        learn(host, r, e, sentAt);
                                                    } finally {
                                                        permit.release();
                                                    }
                                                });
                            })
                    .handle((response, error) -> retryOrFinish(target, address, response, error))
                    .thenCompose(Function.identity());
        }

        /** Feeds the host's backoff with what this exchange showed of its load. */
        private void learn(String host, HopResponse response, Throwable error, long sentAt) {
            long latencyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sentAt);
            if (response == null) {
                FetchStatus status = FetchFailure.from(error).status();
                if (status == FetchStatus.TIMEOUT || status == FetchStatus.SLOW_BODY) {
                    backoffs.timedOut(host, latencyMs);
                }
                return;
            }
            if (response.status() != 429 && response.status() != 503) {
                backoffs.answered(host, latencyMs);
                return;
            }
            throttled.increment();
            String header = response.headers().get(HttpHeaderNames.RETRY_AFTER);
            Duration retryAfter = HostBackoffs.parseRetryAfter(header, Instant.now());
            switch (backoffs.throttled(
                    host, retryAfter, config.configuredSpacingFor(host), config.backoffPolicy())) {
                case HOLD -> {
                    retryAfterHonoured.increment();
                    LOG.info(
                            "fetch host held monitorId={} host={} http={} holdMs={}",
                            monitorId,
                            host,
                            response.status(),
                            backoffs.hold(host).toMillis());
                }
                case BACKOFF_STARTED -> {
                    backoffsStarted.increment();
                    LOG.info(
                            "fetch host backing off monitorId={} host={} http={} spacingMs={}",
                            monitorId,
                            host,
                            response.status(),
                            config.spacingFor(host).toMillis());
                }
                case BACKOFF_RAISED -> {}
            }
        }

        private CompletableFuture<HopResponse> retryOrFinish(
                URI target, InetAddress address, HopResponse response, Throwable error) {
            FetchFailure failure = error == null ? null : FetchFailure.from(error);
            boolean retryable = failure == null ? response.isRetryable() : failure.isRetryable();
            CompletableFuture<HopResponse> finish =
                    failure == null
                            ? CompletableFuture.completedFuture(response)
                            : CompletableFuture.failedFuture(failure);
            if (!retryable || cancelled || attempts >= config.maxAttempts()) {
                return finish;
            }
            Duration wait = retryWait(response);
            if (wait == null || System.nanoTime() + wait.toNanos() - deadline >= 0) {
                return finish;
            }
            CompletableFuture<Void> delay = new CompletableFuture<>();
            scheduler.schedule(() -> delay.complete(null), wait.toNanos(), TimeUnit.NANOSECONDS);
            return delay.thenCompose(ignored -> attempt(target, address));
        }

        /** Exponential backoff with jitter; at least Retry-After; null when that is too long. */
        private Duration retryWait(HopResponse response) {
            long base = config.retryInitialBackoff().toMillis() << Math.min(attempts - 1, 20);
            long backoff = Math.min(base, config.retryMaxBackoff().toMillis());
            long jittered =
                    (long) (backoff * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
            Duration retryAfter =
                    response == null
                            ? null
                            : HostBackoffs.parseRetryAfter(
                                    response.headers().get(HttpHeaderNames.RETRY_AFTER),
                                    Instant.now());
            if (retryAfter == null) {
                return Duration.ofMillis(jittered);
            }
            if (retryAfter.compareTo(config.retryMaxBackoff()) > 0) {
                return null;
            }
            return retryAfter.toMillis() > jittered ? retryAfter : Duration.ofMillis(jittered);
        }

        private CompletableFuture<HopResponse> send(URI target, InetAddress address) {
            long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (remainingMs <= 0 || cancelled) {
                return CompletableFuture.failedFuture(
                        new FetchFailure(
                                FetchStatus.TIMEOUT,
                                "deadline of " + config.deadline().toSeconds() + " s reached"));
            }
            // Anything thrown here (a URL or header value the client rejects) becomes a failed
            // exchange, so the caller's politeness slot is always released.
            try {
                BoundRequestBuilder request =
                        client.prepareGet(target.toASCIIString())
                                // The address the guard checked, never a fresh DNS answer.
                                .setAddress(address)
                                .setRequestTimeout(
                                        Duration.ofMillis(
                                                Math.min(
                                                        config.requestTimeout().toMillis(),
                                                        remainingMs)))
                                .setHeader(HttpHeaderNames.ACCEPT, ACCEPT);
                if (etag != null) {
                    request.setHeader(HttpHeaderNames.IF_NONE_MATCH, etag);
                }
                if (lastModified != null) {
                    request.setHeader(HttpHeaderNames.IF_MODIFIED_SINCE, lastModified);
                }
                BodyCollector collector =
                        page
                                ? new BodyCollector(config.maxBodyBytes(), false)
                                : new BodyCollector(RobotsCache.MAX_ROBOTS_BYTES, true);
                ListenableFuture<HopResponse> future = request.execute(collector);
                inFlight = future;
                if (cancelled) {
                    cancel();
                }
                watchTransferRate(future, collector);
                return future.toCompletableFuture();
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
    }

    /** Starts watching an exchange's transfer rate until it completes (see {@link #sweepSlow}). */
    private void watchTransferRate(ListenableFuture<HopResponse> future, BodyCollector collector) {
        if (config.minTransferRate() <= 0) {
            return;
        }
        Watched exchange = new Watched(future, collector);
        watched.add(exchange);
        future.addListener(() -> watched.remove(exchange), Runnable::run);
    }

    /**
     * Ends as SLOW_BODY every watched exchange that, once the grace period after its headers has
     * passed, has received its body slower on average than the minimum rate (a stalled body
     * included): a trickling server must give its slot back long before the fetch deadline. Runs
     * once a second for all exchanges: a timer per exchange cost a queue insert and removal under
     * one lock, and wakeups of the timer thread, on every request.
     */
    private void sweepSlow() {
        long minRate = config.minTransferRate();
        long graceNanos = config.minTransferRateGrace().toNanos();
        long now = System.nanoTime();
        for (Watched exchange : watched) {
            try {
                stopIfSlow(exchange, minRate, graceNanos, now);
            } catch (RuntimeException e) {
                // one exchange's failure must not end the sweep (a periodic task that throws
                // never runs again)
                LOG.warn("slow-body sweep failed for one exchange", e);
            }
        }
    }

    /** Ends the exchange as SLOW_BODY when its body arrives below the minimum rate. */
    private static void stopIfSlow(Watched exchange, long minRate, long graceNanos, long now) {
        long headersAt = exchange.collector.headersAtNanos();
        if (headersAt == 0 || exchange.future.isDone() || now - headersAt < graceNanos) {
            return;
        }
        long received = exchange.collector.receivedBytes();
        double seconds = (now - headersAt) / 1e9;
        if (received < minRate * seconds) {
            abortAndClose(
                    exchange.future,
                    new FetchFailure(
                            FetchStatus.SLOW_BODY,
                            String.format(
                                    Locale.ROOT,
                                    "body arrived at %.0f bytes/s after %.0f s, below the minimum"
                                            + " of %d bytes/s; transfer stopped",
                                    received / seconds,
                                    seconds,
                                    minRate)));
        }
    }

    /** An exchange whose transfer rate is watched (identity equality: one entry per exchange). */
    private static final class Watched {
        final ListenableFuture<HopResponse> future;
        final BodyCollector collector;

        Watched(ListenableFuture<HopResponse> future, BodyCollector collector) {
            this.future = future;
            this.collector = collector;
        }
    }

    /**
     * Ends an exchange with {@code failure} and closes its connection. async-http-client's {@code
     * abort} alone forgets the channel and cancels its timeouts, so an exchange aborted while the
     * server stays silent would hold its socket open for as long as the server likes (a tarpit
     * would collect our file descriptors).
     */
    private static void abortAndClose(ListenableFuture<?> future, Throwable failure) {
        Channel channel = future instanceof NettyResponseFuture<?> netty ? netty.channel() : null;
        future.abort(failure);
        if (channel != null) {
            Channels.setDiscard(channel); // its late events must not reach the finished exchange
            Channels.silentlyCloseChannel(channel);
        }
    }

    /**
     * A validator fit to send back, or null (then the GET is unconditional): stored values are
     * server-supplied, and control characters would let a server inject request headers.
     */
    static String headerSafe(String value) {
        return value == null || value.chars().anyMatch(c -> c < 0x20 || c == 0x7f) ? null : value;
    }

    /** Drops the fragment (never sent) and gives an empty path "/" (URI.resolve needs one). */
    static URI normalize(URI url) throws URISyntaxException {
        String scheme = url.getScheme() == null ? null : url.getScheme().toLowerCase(Locale.ROOT);
        if (url.isOpaque() || url.getRawAuthority() == null) {
            return new URI(scheme, url.getRawSchemeSpecificPart(), null);
        }
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        if (url.getRawFragment() == null && !path.isEmpty() && url.getScheme().equals(scheme)) {
            return url; // already normal: the common case
        }
        return new URI(
                scheme
                        + "://"
                        + url.getRawAuthority()
                        + (path.isEmpty() ? "/" : path)
                        + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery()));
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
