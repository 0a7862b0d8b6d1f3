package dev.flinkwatch.fetch;

import dev.flinkwatch.model.net.AddressPolicy;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;

/**
 * The fetcher's settings, read from {@link FetchOptions} (see there for meaning and defaults).
 * Serializable: it travels inside the {@link FetchFunction}.
 */
public record FetchConfig(
        Duration connectTimeout,
        Duration readTimeout,
        Duration requestTimeout,
        Duration deadline,
        long maxBodyBytes,
        int maxRedirects,
        int maxAttempts,
        Duration retryInitialBackoff,
        Duration retryMaxBackoff,
        int maxConcurrentPerHost,
        int maxConcurrentPerAddress,
        int maxWaitingPerHost,
        Duration maxWait,
        Duration minDelayPerHost,
        Duration maxCrawlDelay,
        HostOverrides hostOverrides,
        Duration maxRetryAfter,
        Duration maxBackoff,
        Duration slowLatency,
        int maxQueuedPerHost,
        int maxInFlightPerTenant,
        long minTransferRate,
        Duration minTransferRateGrace,
        List<Integer> allowedPorts,
        String userAgent,
        boolean robotsEnabled,
        Duration robotsCacheTtl,
        Duration robotsErrorTtl,
        int robotsCacheSize,
        List<String> allowList,
        int dnsThreads,
        int dnsQueueSize,
        Duration dnsTimeout,
        Duration dnsCacheTtl,
        Duration dnsNegativeCacheTtl,
        int dnsCacheSize,
        int ioThreads,
        Duration sharedWindow,
        long sharedMaxBytes)
        implements Serializable {

    public FetchConfig {
        allowList = List.copyOf(allowList);
        allowedPorts = List.copyOf(allowedPorts);
        if (maxAttempts < 1 || maxConcurrentPerHost < 1 || maxRedirects < 0) {
            throw new IllegalArgumentException(
                    "max-attempts and max-concurrent-per-host must be positive, max-redirects not"
                            + " negative");
        }
        if (maxConcurrentPerAddress < 1
                || maxWaitingPerHost < 0
                || maxQueuedPerHost < 1
                || maxInFlightPerTenant < 1
                || dnsThreads < 1
                || dnsQueueSize < 1
                || dnsCacheSize < 1) {
            throw new IllegalArgumentException(
                    "max-concurrent-per-address, max-queued-per-host, max-in-flight-per-tenant"
                            + " and the DNS threads, queue and cache size must be positive,"
                            + " max-waiting-per-host not negative");
        }
        if (maxRetryAfter.isNegative() || maxBackoff.isNegative() || slowLatency.isNegative()) {
            throw new IllegalArgumentException(
                    "politeness.max-retry-after, max-backoff and slow-latency must not be"
                            + " negative");
        }
        if (sharedWindow.isNegative() || sharedMaxBytes < 0) {
            throw new IllegalArgumentException(
                    "shared.window and shared.max-bytes must not be negative");
        }
        if (maxBodyBytes < 1 || maxBodyBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("max-body-size must be between 1 byte and 2 GiB");
        }
        // Fails fast on a malformed allow-list entry or port.
        AddressPolicy.defaults().withAllowList(allowList).withAllowedPorts(allowedPorts);
    }

    /** All defaults: public addresses only, robots.txt honoured. */
    public static FetchConfig defaults() {
        return from(new Configuration());
    }

    public static FetchConfig from(ReadableConfig conf) {
        return new FetchConfig(
                conf.get(FetchOptions.CONNECT_TIMEOUT),
                conf.get(FetchOptions.READ_TIMEOUT),
                conf.get(FetchOptions.REQUEST_TIMEOUT),
                conf.get(FetchOptions.DEADLINE),
                conf.get(FetchOptions.MAX_BODY_SIZE).getBytes(),
                conf.get(FetchOptions.MAX_REDIRECTS),
                conf.get(FetchOptions.MAX_ATTEMPTS),
                conf.get(FetchOptions.RETRY_INITIAL_BACKOFF),
                conf.get(FetchOptions.RETRY_MAX_BACKOFF),
                conf.get(FetchOptions.MAX_CONCURRENT_PER_HOST),
                conf.get(FetchOptions.MAX_CONCURRENT_PER_ADDRESS),
                conf.get(FetchOptions.MAX_WAITING_PER_HOST),
                conf.get(FetchOptions.MAX_WAIT),
                conf.get(FetchOptions.MIN_DELAY_PER_HOST),
                conf.get(FetchOptions.MAX_CRAWL_DELAY),
                HostOverrides.parse(conf.get(FetchOptions.HOST_OVERRIDES)),
                conf.get(FetchOptions.MAX_RETRY_AFTER),
                conf.get(FetchOptions.MAX_BACKOFF),
                conf.get(FetchOptions.SLOW_LATENCY),
                conf.get(FetchOptions.MAX_QUEUED_PER_HOST),
                conf.get(FetchOptions.MAX_IN_FLIGHT_PER_TENANT),
                conf.get(FetchOptions.MIN_TRANSFER_RATE).getBytes(),
                conf.get(FetchOptions.MIN_TRANSFER_RATE_GRACE),
                conf.get(FetchOptions.ALLOWED_PORTS),
                conf.get(FetchOptions.USER_AGENT),
                conf.get(FetchOptions.ROBOTS_ENABLED),
                conf.get(FetchOptions.ROBOTS_CACHE_TTL),
                conf.get(FetchOptions.ROBOTS_ERROR_TTL),
                conf.get(FetchOptions.ROBOTS_CACHE_SIZE),
                conf.get(FetchOptions.ALLOW_LIST),
                conf.get(FetchOptions.DNS_THREADS),
                conf.get(FetchOptions.DNS_QUEUE_SIZE),
                conf.get(FetchOptions.DNS_TIMEOUT),
                conf.get(FetchOptions.DNS_CACHE_TTL),
                conf.get(FetchOptions.DNS_NEGATIVE_CACHE_TTL),
                conf.get(FetchOptions.DNS_CACHE_SIZE),
                conf.get(FetchOptions.IO_THREADS),
                conf.get(FetchOptions.SHARED_WINDOW),
                conf.get(FetchOptions.SHARED_MAX_BYTES).getBytes());
    }

    /** The SSRF address policy with this config's allow-list and ports. */
    public AddressPolicy addressPolicy() {
        return AddressPolicy.defaults().withAllowList(allowList).withAllowedPorts(allowedPorts);
    }

    /**
     * The configured spacing of one host's requests: its override or else the minimum delay, or its
     * robots.txt Crawl-delay (capped) when that is longer. An override lowers our default for a big
     * site, never what the site asked for.
     */
    public Duration configuredSpacingFor(String host) {
        Duration delay = hostOverrides.delayFor(host).orElse(minDelayPerHost);
        Duration crawlDelay = CrawlDelays.of(host, maxCrawlDelay);
        return crawlDelay.compareTo(delay) > 0 ? crawlDelay : delay;
    }

    /**
     * The spacing of one host's requests now: the configured spacing, raised while the host backs
     * off or answers slowly ({@link HostBackoffs}).
     */
    public Duration spacingFor(String host) {
        return HostBackoffs.shared().spacing(host, configuredSpacingFor(host), backoffPolicy());
    }

    /** How much longer the host asked (Retry-After) not to be contacted; zero when it did not. */
    public Duration holdFor(String host) {
        return HostBackoffs.shared().hold(host);
    }

    /** The limits of the adaptive backoff. */
    public HostBackoffs.Policy backoffPolicy() {
        return new HostBackoffs.Policy(maxRetryAfter, maxBackoff, slowLatency);
    }

    /** The robots.txt agent name: the User-Agent's first product token, lower-cased. */
    public String robotsAgentName() {
        String token = userAgent.trim().split("[/\\s]", 2)[0];
        return token.toLowerCase(Locale.ROOT);
    }
}
