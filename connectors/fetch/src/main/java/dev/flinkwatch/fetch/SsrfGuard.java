package dev.flinkwatch.fetch;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.flinkwatch.model.net.AddressPolicy;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether a URL may be fetched and which address to connect to: only http and https, on an
 * admitted port; the host (any IP literal spelling, or every address its name resolves to) must
 * pass the {@link AddressPolicy}. The caller connects to exactly the returned address, never
 * resolving the name a second time, so a DNS answer that changes between check and connect (DNS
 * rebinding) cannot redirect the connection. Applied to the first URL and to every redirect hop.
 *
 * <p>Name resolution is bounded: it runs on the given executor (whose queue should be bounded: a
 * rejected lookup fails at once with {@link FetchStatus#DNS_BUSY} and is not cached), each lookup
 * is given up after {@code timeout}, and concurrent checks of one name share one lookup. Verdicts
 * are cached per host name (Caffeine, bounded): an address that passed or a refusal for {@code
 * ttl}, a name that does not resolve or timed out for {@code negativeTtl}, so a burst of monitors
 * on a dead name costs one lookup, not a DNS thread each.
 *
 * <p>Refusal messages reach tenants, so they never name the address a host name resolved to: that
 * would let anyone map internal names to internal addresses. The operator log has it.
 */
public final class SsrfGuard {
    private static final Logger LOG = LoggerFactory.getLogger(SsrfGuard.class);
    private static final int DEFAULT_CACHED_HOSTS = 10_000;
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    /** What checking a host name concluded: an address to connect to, or why not. */
    private record Verdict(InetAddress address, FetchFailure failure) {}

    private final AddressPolicy policy;
    private final HostResolver resolver;
    private final Executor dnsExecutor;
    private final Duration timeout;
    private final AsyncCache<String, Verdict> verdicts;

    /**
     * A guard with a 5 s lookup timeout and no negative caching.
     *
     * @param dnsExecutor runs the (blocking) resolver, so the calling thread never waits for DNS
     * @param cacheTtl how long a host name's verdict is reused; zero resolves for every check
     */
    public SsrfGuard(
            AddressPolicy policy, HostResolver resolver, Executor dnsExecutor, Duration cacheTtl) {
        this(
                policy,
                resolver,
                dnsExecutor,
                DEFAULT_TIMEOUT,
                cacheTtl,
                Duration.ZERO,
                DEFAULT_CACHED_HOSTS,
                Ticker.systemTicker());
    }

    /**
     * @param dnsExecutor runs the (blocking) resolver; a rejected task is a DNS_BUSY failure
     * @param timeout how long one lookup may take before the check fails (DNS_FAILURE)
     * @param ttl how long an address that passed, or a refusal, is reused; zero: not at all
     * @param negativeTtl how long a name that does not resolve (or timed out) stays failed
     * @param maxHosts most host names cached
     * @param ticker the cache's clock (tests)
     */
    SsrfGuard(
            AddressPolicy policy,
            HostResolver resolver,
            Executor dnsExecutor,
            Duration timeout,
            Duration ttl,
            Duration negativeTtl,
            int maxHosts,
            Ticker ticker) {
        this.policy = policy;
        this.resolver = resolver;
        this.dnsExecutor = dnsExecutor;
        this.timeout = timeout;
        long ttlNanos = ttl.toNanos();
        long negativeNanos = negativeTtl.toNanos();
        this.verdicts =
                Caffeine.newBuilder()
                        .maximumSize(maxHosts)
                        .ticker(ticker)
                        .executor(Runnable::run) // no hand-off to the common pool
                        .expireAfter(
                                Expiry.<String, Verdict>creating(
                                        (host, v) ->
                                                Duration.ofNanos(
                                                        v.failure() == null
                                                                        || v.failure().status()
                                                                                == FetchStatus
                                                                                        .BLOCKED_ADDRESS
                                                                ? ttlNanos
                                                                : negativeNanos)))
                        .buildAsync();
    }

    /**
     * The address to connect to for this URL; fails with a {@link FetchFailure} of status {@link
     * FetchStatus#BLOCKED_ADDRESS}, {@link FetchStatus#DNS_FAILURE} or {@link
     * FetchStatus#DNS_BUSY}.
     */
    public CompletableFuture<InetAddress> check(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return blocked("only http and https URLs are fetched, not '" + scheme + "'");
        }
        String host = url.getHost();
        if (host == null || host.isEmpty()) {
            return blocked("URL has no valid host");
        }
        String key = host.toLowerCase(Locale.ROOT);
        // Refused before any lookup when no answer could admit the port.
        Optional<String> portReason = policy.blockedPortReason(scheme, key, url.getPort());
        if (portReason.isPresent()) {
            return blocked(portReason.get());
        }
        return verdicts.get(key, (h, executor) -> checkHost(h))
                .thenApply(
                        v -> {
                            if (v.failure() != null) {
                                throw v.failure();
                            }
                            policy.blockedPortReason(scheme, key, url.getPort(), v.address())
                                    .ifPresent(
                                            reason -> {
                                                throw new FetchFailure(
                                                        FetchStatus.BLOCKED_ADDRESS, reason);
                                            });
                            return v.address();
                        });
    }

    /**
     * Whether a failure of {@link #check} is a refusal by the address policy (final), rather than a
     * DNS failure that may pass on a later try. For callers outside this package (deliveries).
     */
    public static boolean isRefusal(Throwable error) {
        return FetchFailure.from(error).status() == FetchStatus.BLOCKED_ADDRESS;
    }

    private CompletableFuture<Verdict> checkHost(String host) {
        Optional<String> hostReason = policy.blockedHostReason(host);
        if (hostReason.isPresent()) {
            return refused(host + " is refused: " + hostReason.get());
        }
        Optional<InetAddress> literal = AddressPolicy.parseIpLiteral(host);
        if (literal.isPresent()) {
            return CompletableFuture.completedFuture(new Verdict(literal.get(), null));
        }
        CompletableFuture<Verdict> lookup;
        try {
            lookup = CompletableFuture.supplyAsync(() -> resolveChecked(host), dnsExecutor);
        } catch (RejectedExecutionException e) {
            // Failed, so Caffeine keeps nothing: the next check tries again.
            return CompletableFuture.failedFuture(
                    new FetchFailure(
                            FetchStatus.DNS_BUSY,
                            "no DNS capacity left for " + host + "; not tried"));
        }
        return lookup.orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
                .exceptionally(
                        error -> {
                            FetchFailure f = FetchFailure.from(error);
                            if (f.status() == FetchStatus.TIMEOUT
                                    || error instanceof TimeoutException) {
                                f =
                                        new FetchFailure(
                                                FetchStatus.DNS_FAILURE,
                                                "resolving "
                                                        + host
                                                        + " took longer than "
                                                        + timeout.toMillis()
                                                        + " ms");
                            }
                            return new Verdict(null, f);
                        });
    }

    private Verdict resolveChecked(String host) {
        List<InetAddress> addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException e) {
            return failed(FetchStatus.DNS_FAILURE, "host " + host + " does not resolve");
        } catch (RuntimeException e) {
            return failed(FetchStatus.DNS_FAILURE, "resolving " + host + " failed");
        }
        if (addresses == null || addresses.isEmpty()) {
            return failed(FetchStatus.DNS_FAILURE, "host " + host + " has no address");
        }
        if (!policy.isAllowedHost(host)) {
            // Any refused address refuses the host: which one a client would pick is not ours to
            // know.
            for (InetAddress address : addresses) {
                Optional<String> reason = policy.blockedReason(address);
                if (reason.isPresent()) {
                    LOG.info(
                            "host refused host={} address={} reason={}",
                            host,
                            address.getHostAddress(),
                            reason.get());
                    return failed(
                            FetchStatus.BLOCKED_ADDRESS, host + " resolves to a blocked address");
                }
            }
        }
        return new Verdict(addresses.get(0), null);
    }

    private static Verdict failed(FetchStatus status, String message) {
        return new Verdict(null, new FetchFailure(status, message));
    }

    private static CompletableFuture<Verdict> refused(String message) {
        return CompletableFuture.completedFuture(failed(FetchStatus.BLOCKED_ADDRESS, message));
    }

    private static CompletableFuture<InetAddress> blocked(String message) {
        return CompletableFuture.failedFuture(
                new FetchFailure(FetchStatus.BLOCKED_ADDRESS, message));
    }
}
