package dev.flinkwatch.fetch;

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

/**
 * Decides whether a URL may be fetched and which address to connect to: only http and https; the
 * host (any IP literal spelling, or every address its name resolves to) must pass the {@link
 * AddressPolicy}. The caller connects to exactly the returned address, never resolving the name a
 * second time, so a DNS answer that changes between check and connect (DNS rebinding) cannot
 * redirect the connection. Applied to the first URL and to every redirect hop.
 *
 * <p>Verdicts per host (an address that passed, or a refusal) are cached for {@code cacheTtl}, like
 * the JVM's own address cache, so a busy host costs one lookup per TTL rather than a DNS thread
 * hand-off per fetch; within the TTL the connection still goes to the checked address.
 */
public final class SsrfGuard {
    private final AddressPolicy policy;
    private final HostResolver resolver;
    private static final int CACHED_HOSTS = 10_000;

    private final Executor dnsExecutor;
    private final Duration cacheTtl;
    private final ExpiringCache<InetAddress> verdicts = new ExpiringCache<>(CACHED_HOSTS);

    /**
     * @param dnsExecutor runs the (blocking) resolver, so the calling thread never waits for DNS
     * @param cacheTtl how long a host name's verdict is reused; zero resolves for every check
     */
    public SsrfGuard(
            AddressPolicy policy, HostResolver resolver, Executor dnsExecutor, Duration cacheTtl) {
        this.policy = policy;
        this.resolver = resolver;
        this.dnsExecutor = dnsExecutor;
        this.cacheTtl = cacheTtl;
    }

    /**
     * The address to connect to for this URL; fails with a {@link FetchFailure} of status {@link
     * FetchStatus#BLOCKED_ADDRESS} or {@link FetchStatus#DNS_FAILURE}.
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
        return verdicts.get(
                host.toLowerCase(Locale.ROOT),
                () -> checkHost(host),
                (address, error) ->
                        error == null
                                        || FetchFailure.from(error).status()
                                                == FetchStatus.BLOCKED_ADDRESS
                                ? cacheTtl
                                : Duration.ZERO);
    }

    /**
     * Whether a failure of {@link #check} is a refusal by the address policy (final), rather than a
     * DNS failure that may pass on a later try. For callers outside this package (deliveries).
     */
    public static boolean isRefusal(Throwable error) {
        return FetchFailure.from(error).status() == FetchStatus.BLOCKED_ADDRESS;
    }

    private CompletableFuture<InetAddress> checkHost(String host) {
        Optional<String> hostReason = policy.blockedHostReason(host);
        if (hostReason.isPresent()) {
            return blocked(host + " is refused: " + hostReason.get());
        }
        Optional<InetAddress> literal = AddressPolicy.parseIpLiteral(host);
        if (literal.isPresent()) {
            return CompletableFuture.completedFuture(literal.get());
        }
        return CompletableFuture.supplyAsync(() -> resolveChecked(host), dnsExecutor);
    }

    private InetAddress resolveChecked(String host) {
        List<InetAddress> addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException e) {
            throw new FetchFailure(FetchStatus.DNS_FAILURE, "host " + host + " does not resolve");
        } catch (RuntimeException e) {
            throw new FetchFailure(
                    FetchStatus.DNS_FAILURE, "resolving " + host + " failed: " + e.getMessage());
        }
        if (addresses == null || addresses.isEmpty()) {
            throw new FetchFailure(FetchStatus.DNS_FAILURE, "host " + host + " has no address");
        }
        if (!policy.isAllowedHost(host)) {
            // Any refused address refuses the host: which one a client would pick is not ours to
            // know.
            for (InetAddress address : addresses) {
                Optional<String> reason = policy.blockedReason(address);
                if (reason.isPresent()) {
                    throw new FetchFailure(
                            FetchStatus.BLOCKED_ADDRESS,
                            host
                                    + " resolves to "
                                    + address.getHostAddress()
                                    + ": "
                                    + reason.get());
                }
            }
        }
        return addresses.get(0);
    }

    private static CompletableFuture<InetAddress> blocked(String message) {
        return CompletableFuture.failedFuture(
                new FetchFailure(FetchStatus.BLOCKED_ADDRESS, message));
    }
}
