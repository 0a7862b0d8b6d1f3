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

    public static final ConfigOption<Duration> MIN_DELAY_PER_HOST =
            key(PREFIX + "politeness.min-delay")
                    .durationType()
                    .defaultValue(Duration.ofMillis(200))
                    .withDescription(
                            "Minimum time between the starts of two requests to one host name"
                                    + " (200 ms = at most 5 requests per second per host).");

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

    public static final ConfigOption<Duration> DNS_CACHE_TTL =
            key(PREFIX + "dns-cache-ttl")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "How long the SSRF guard reuses a host name's checked address (or"
                                    + " refusal), per subtask; 0 resolves for every request.");

    public static final ConfigOption<Integer> IO_THREADS =
            key(PREFIX + "io-threads")
                    .intType()
                    .defaultValue(2)
                    .withDescription(
                            "Netty event loop threads of each subtask's HTTP client (non-blocking:"
                                    + " a few serve thousands of connections).");

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
                MIN_DELAY_PER_HOST,
                USER_AGENT,
                ROBOTS_ENABLED,
                ROBOTS_CACHE_TTL,
                ROBOTS_ERROR_TTL,
                ROBOTS_CACHE_SIZE,
                ALLOW_LIST,
                DNS_THREADS,
                DNS_CACHE_TTL,
                IO_THREADS);
    }
}
