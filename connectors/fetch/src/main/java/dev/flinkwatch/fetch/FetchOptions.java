package dev.flinkwatch.fetch;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.MemorySize;

/**
 * Every setting of the page fetcher, with its default: the single source of defaults. Read them
 * into a {@link FetchConfig} with {@link FetchConfig#from}.
 */
public final class FetchOptions {
    private FetchOptions() {}

    private static final String PREFIX = "flinkwatch.fetch.";

    public static final ConfigOption<Duration> CONNECT_TIMEOUT =
            key(PREFIX + "connect-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription("Time limit for establishing a TCP (and TLS) connection.");

    public static final ConfigOption<Duration> READ_TIMEOUT =
            key(PREFIX + "read-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription("Longest silence between two received chunks of a response.");

    public static final ConfigOption<Duration> REQUEST_TIMEOUT =
            key(PREFIX + "request-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(20))
                    .withDescription(
                            "Time limit for one HTTP exchange (one attempt of one redirect hop),"
                                    + " from connecting to the last body byte.");

    public static final ConfigOption<Duration> DEADLINE =
            key(PREFIX + "deadline")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(45))
                    .withDescription(
                            "Time limit for a whole fetch: politeness waits, robots.txt, redirects"
                                    + " and retries included. Give the AsyncDataStream timeout a"
                                    + " few seconds more, so the fetcher's own TIMEOUT result wins.");

    public static final ConfigOption<MemorySize> MAX_BODY_SIZE =
            key(PREFIX + "max-body-size")
                    .memoryType()
                    .defaultValue(MemorySize.parse("5mb"))
                    .withDescription(
                            "Largest (decompressed) body kept; the transfer stops as soon as more"
                                    + " arrives and the result is TOO_LARGE.");

    public static final ConfigOption<Integer> MAX_REDIRECTS =
            key(PREFIX + "max-redirects")
                    .intType()
                    .defaultValue(5)
                    .withDescription("Most redirects followed before TOO_MANY_REDIRECTS.");

    public static final ConfigOption<Integer> MAX_ATTEMPTS =
            key(PREFIX + "retry.max-attempts")
                    .intType()
                    .defaultValue(3)
                    .withDescription(
                            "Attempts per URL for timeouts, connection errors, 429 and 5xx"
                                    + " (1 disables retries).");

    public static final ConfigOption<Duration> RETRY_INITIAL_BACKOFF =
            key(PREFIX + "retry.initial-backoff")
                    .durationType()
                    .defaultValue(Duration.ofMillis(500))
                    .withDescription("Wait before the first retry; doubles with each further one.");

    public static final ConfigOption<Duration> RETRY_MAX_BACKOFF =
            key(PREFIX + "retry.max-backoff")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription(
                            "Longest wait before a retry. A Retry-After asking for more ends the"
                                    + " fetch with the server's status instead of waiting.");

    public static final ConfigOption<Integer> MAX_CONCURRENT_PER_HOST =
            key(PREFIX + "politeness.max-concurrent-per-host")
                    .intType()
                    .defaultValue(4)
                    .withDescription(
                            "Most requests in flight to one host name. Requests arrive keyed by"
                                    + " host, so one subtask owns a host and this is global.");

    public static final ConfigOption<Integer> MAX_CONCURRENT_PER_ADDRESS =
            key(PREFIX + "politeness.max-concurrent-per-address")
                    .intType()
                    .defaultValue(16)
                    .withDescription(
                            "Most requests in flight to one resolved IP address per subtask,"
                                    + " whatever host names point to it, so many names on one"
                                    + " server cannot bypass the per-host limit. Higher than the"
                                    + " per-host limit: CDNs and shared hosting serve many real"
                                    + " sites from one address.");

    public static final ConfigOption<Integer> MAX_WAITING_PER_HOST =
            key(PREFIX + "politeness.max-waiting-per-host")
                    .intType()
                    .defaultValue(8)
                    .withDescription(
                            "Most requests waiting inside the fetcher for a slot of one host name"
                                    + " (or one address), or for one origin's robots.txt"
                                    + " download; a request beyond that ends at once as"
                                    + " HOST_BUSY. Waiting holds async capacity, so this bounds"
                                    + " what one slow host can take of a subtask.");

    public static final ConfigOption<Duration> MAX_WAIT =
            key(PREFIX + "politeness.max-wait")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription(
                            "Longest wait inside the fetcher for a slot of a host name or"
                                    + " address; then the check ends as HOST_BUSY. In the"
                                    + " pipeline, requests wait for their polite turn upstream"
                                    + " (see politeness.max-queued-per-host) without holding"
                                    + " async capacity; this covers the remaining jitter.");

    public static final ConfigOption<Duration> MIN_DELAY_PER_HOST =
            key(PREFIX + "politeness.min-delay")
                    .durationType()
                    .defaultValue(Duration.ofMillis(200))
                    .withDescription(
                            "Minimum time between the starts of two requests to one host name"
                                    + " (200 ms = at most 5 requests per second per host). A"
                                    + " longer robots.txt Crawl-delay wins, up to"
                                    + " politeness.max-crawl-delay; see also"
                                    + " politeness.host-overrides.");

    public static final ConfigOption<Duration> MAX_CRAWL_DELAY =
            key(PREFIX + "politeness.max-crawl-delay")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "Cap on the robots.txt Crawl-delay honoured between two requests to"
                                    + " one host name.");

    public static final ConfigOption<String> HOST_OVERRIDES =
            key(PREFIX + "politeness.host-overrides")
                    .stringType()
                    .defaultValue("")
                    .withDescription(
                            "Per-host delays instead of politeness.min-delay, comma-separated"
                                    + " host=duration entries, e.g."
                                    + " example.com=200ms,*.shop.example=1s. example.com matches"
                                    + " that host and its subdomains, *.shop.example only the"
                                    + " subdomains; the longest match wins, a wildcard over the"
                                    + " plain name of the same domain. An override may lower"
                                    + " the default for a big site but never goes below the"
                                    + " site's robots.txt Crawl-delay. An invalid entry stops the"
                                    + " job from starting, with a message naming it.");

    public static final ConfigOption<Duration> MAX_RETRY_AFTER =
            key(PREFIX + "politeness.max-retry-after")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription(
                            "Longest hold honoured after a 429 or 503 with a Retry-After (seconds"
                                    + " or an HTTP date; unreadable values are ignored). Checks of"
                                    + " a held host end as HOST_BUSY without a request.");

    public static final ConfigOption<Duration> MAX_BACKOFF =
            key(PREFIX + "politeness.max-backoff")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(1))
                    .withDescription(
                            "Cap on a host's raised spacing: a 429 or 503 without Retry-After"
                                    + " doubles it (from the host's delay, at least 250 ms), each"
                                    + " answer that is not throttled halves it back, and a slow"
                                    + " host (see politeness.slow-latency) is spaced wider in"
                                    + " proportion. Never lowers the configured delay or"
                                    + " Crawl-delay.");

    public static final ConfigOption<Duration> SLOW_LATENCY =
            key(PREFIX + "politeness.slow-latency")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription(
                            "Answer latency (moving average per host, timeouts included) above"
                                    + " which a host's spacing is raised in proportion (twice"
                                    + " this latency: twice the spacing), up to"
                                    + " politeness.max-backoff. 0 turns it off.");

    public static final ConfigOption<Integer> MAX_QUEUED_PER_HOST =
            key(PREFIX + "politeness.max-queued-per-host")
                    .intType()
                    .defaultValue(1000)
                    .withDescription(
                            "Most checks of one host name parked in the pipeline's host pacer"
                                    + " (keyed state and timers, no async capacity) waiting for"
                                    + " their polite turn; a check beyond that is recorded as"
                                    + " HOST_BUSY.");

    public static final ConfigOption<Integer> MAX_IN_FLIGHT_PER_TENANT =
            key(PREFIX + "max-in-flight-per-tenant")
                    .intType()
                    .defaultValue(250)
                    .withDescription(
                            "Most fetches of one tenant in flight per subtask; a check beyond"
                                    + " that ends at once as TENANT_BUSY. Keep it well below"
                                    + " flinkwatch.pipeline.fetch.async-capacity, so one tenant's"
                                    + " slow sites never take a whole subtask.");

    public static final ConfigOption<MemorySize> MIN_TRANSFER_RATE =
            key(PREFIX + "min-transfer-rate")
                    .memoryType()
                    .defaultValue(MemorySize.parse("1kb"))
                    .withDescription(
                            "Slowest average body rate (bytes per second, measured from the"
                                    + " response headers) accepted once the grace period has"
                                    + " passed; slower or stalled responses end as SLOW_BODY and"
                                    + " free their slot. 0 disables the check.");

    public static final ConfigOption<Duration> MIN_TRANSFER_RATE_GRACE =
            key(PREFIX + "min-transfer-rate.grace")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription(
                            "Time after the response headers before the minimum transfer rate"
                                    + " applies (small pages are complete long before).");

    public static final ConfigOption<List<Integer>> ALLOWED_PORTS =
            key(PREFIX + "allowed-ports")
                    .intType()
                    .asList()
                    .defaultValues()
                    .withDescription(
                            "TCP ports fetched besides 80 and 443, e.g. 8080;8443; checked on the"
                                    + " first URL, every redirect and robots.txt. Allow-listed"
                                    + " destinations (see allow-list) may use any port.");

    public static final ConfigOption<String> USER_AGENT =
            key(PREFIX + "user-agent")
                    .stringType()
                    .defaultValue("Flinkwatch/0.1 (+https://flinkwatch.dev/bot)")
                    .withDescription(
                            "User-Agent header. Its first product token (lower-cased) is the"
                                    + " name matched against robots.txt groups.");

    public static final ConfigOption<Boolean> ROBOTS_ENABLED =
            key(PREFIX + "robots.enabled")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription("Honour robots.txt (platform-wide switch).");

    public static final ConfigOption<Duration> ROBOTS_CACHE_TTL =
            key(PREFIX + "robots.cache-ttl")
                    .durationType()
                    .defaultValue(Duration.ofHours(1))
                    .withDescription(
                            "How long a fetched robots.txt (or a 4xx: allow all) is reused.");

    public static final ConfigOption<Duration> ROBOTS_ERROR_TTL =
            key(PREFIX + "robots.error-ttl")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription(
                            "How long a robots.txt that failed with 5xx or a network error counts"
                                    + " as disallow-all before it is tried again (RFC 9309).");

    public static final ConfigOption<Integer> ROBOTS_CACHE_SIZE =
            key(PREFIX + "robots.cache-size")
                    .intType()
                    .defaultValue(10_000)
                    .withDescription("Most robots.txt rule sets cached per subtask (LRU).");

    public static final ConfigOption<List<String>> ALLOW_LIST =
            key(PREFIX + "allow-list")
                    .stringType()
                    .asList()
                    .defaultValues()
                    .withDescription(
                            "CIDRs and exact host names exempt from the SSRF address check, e.g."
                                    + " 127.0.0.0/8;localhost. For local development and tests only;"
                                    + " empty by default.");

    public static final ConfigOption<Integer> DNS_THREADS =
            key(PREFIX + "dns-threads")
                    .intType()
                    .defaultValue(8)
                    .withDescription(
                            "Threads per subtask for the JDK's blocking name resolution, so no"
                                    + " Flink or Netty thread ever waits for DNS.");

    public static final ConfigOption<Integer> DNS_QUEUE_SIZE =
            key(PREFIX + "dns-queue-size")
                    .intType()
                    .defaultValue(1000)
                    .withDescription(
                            "Lookups waiting for a DNS thread per subtask; one more ends at once"
                                    + " as DNS_BUSY instead of growing an unbounded backlog.");

    public static final ConfigOption<Duration> DNS_TIMEOUT =
            key(PREFIX + "dns-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription(
                            "Longest wait for one name lookup; then the check is a DNS_FAILURE"
                                    + " (negatively cached like an unknown name).");

    public static final ConfigOption<Duration> DNS_CACHE_TTL =
            key(PREFIX + "dns-cache-ttl")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "How long the SSRF guard reuses a host name's checked address (or"
                                    + " refusal), per subtask; 0 resolves for every request.");

    public static final ConfigOption<Duration> DNS_NEGATIVE_CACHE_TTL =
            key(PREFIX + "dns-negative-cache-ttl")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "How long a name that does not resolve (or timed out) stays a"
                                    + " DNS_FAILURE without a new lookup, per subtask.");

    public static final ConfigOption<Integer> DNS_CACHE_SIZE =
            key(PREFIX + "dns-cache-size")
                    .intType()
                    .defaultValue(10_000)
                    .withDescription("Most host names whose DNS verdict is cached per subtask.");

    public static final ConfigOption<Integer> IO_THREADS =
            key(PREFIX + "io-threads")
                    .intType()
                    .defaultValue(1)
                    .withDescription(
                            "Netty event loop threads of each subtask's HTTP client (non-blocking:"
                                    + " one serves thousands of connections; a subtask is a slot,"
                                    + " about a core, and more loops than cores only add"
                                    + " wakeups).");

    public static final ConfigOption<Duration> SHARED_WINDOW =
            key(PREFIX + "shared.window")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "Monitors that watch the same URL with the same request settings share"
                                    + " one fetch: a check joins a fetch of its URL in flight, or"
                                    + " takes the result of one that started at most this long"
                                    + " before it arrived (never an older one). The host pacer"
                                    + " lets such checks ride along without a polite turn. The"
                                    + " pipeline uses at most half of"
                                    + " schedule.min-interval-seconds, so a monitor is never served"
                                    + " one response for two of its checks. 0 turns sharing off.");

    public static final ConfigOption<MemorySize> SHARED_MAX_BYTES =
            key(PREFIX + "shared.max-bytes")
                    .memoryType()
                    .defaultValue(MemorySize.parse("64mb"))
                    .withDescription(
                            "Memory per fetch subtask for recent shared results (bodies counted at"
                                    + " two bytes per character); an evicted result only costs"
                                    + " one more fetch.");

    /** Every option above, for configuration loading and documentation. */
    public static java.util.List<ConfigOption<?>> all() {
        return java.util.List.of(
                CONNECT_TIMEOUT,
                READ_TIMEOUT,
                REQUEST_TIMEOUT,
                DEADLINE,
                MAX_BODY_SIZE,
                MAX_REDIRECTS,
                MAX_ATTEMPTS,
                RETRY_INITIAL_BACKOFF,
                RETRY_MAX_BACKOFF,
                MAX_CONCURRENT_PER_HOST,
                MAX_CONCURRENT_PER_ADDRESS,
                MAX_WAITING_PER_HOST,
                MAX_WAIT,
                MIN_DELAY_PER_HOST,
                MAX_CRAWL_DELAY,
                HOST_OVERRIDES,
                MAX_RETRY_AFTER,
                MAX_BACKOFF,
                SLOW_LATENCY,
                MAX_QUEUED_PER_HOST,
                MAX_IN_FLIGHT_PER_TENANT,
                MIN_TRANSFER_RATE,
                MIN_TRANSFER_RATE_GRACE,
                ALLOWED_PORTS,
                USER_AGENT,
                ROBOTS_ENABLED,
                ROBOTS_CACHE_TTL,
                ROBOTS_ERROR_TTL,
                ROBOTS_CACHE_SIZE,
                ALLOW_LIST,
                DNS_THREADS,
                DNS_QUEUE_SIZE,
                DNS_TIMEOUT,
                DNS_CACHE_TTL,
                DNS_NEGATIVE_CACHE_TTL,
                DNS_CACHE_SIZE,
                IO_THREADS,
                SHARED_WINDOW,
                SHARED_MAX_BYTES);
    }
}
