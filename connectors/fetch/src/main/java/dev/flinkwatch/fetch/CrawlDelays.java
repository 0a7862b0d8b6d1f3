package dev.flinkwatch.fetch;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Duration;
import java.util.Locale;

/**
 * The robots.txt {@code Crawl-delay} each host asked for, as last read by a fetcher in this JVM.
 * robots.txt is read by the fetcher, but the requests it spaces are parked upstream of it (the host
 * pacer) and a dataflow cannot loop back; both run in the same task (the pacer feeds the fetch
 * operator directly, same host keys), so the fetcher leaves what it learned here. A host not known
 * here is spaced by the configured minimum delay until it is; the fetcher's own politeness gate
 * enforces the delay either way. Bounded, and each entry expires with the robots.txt it came from.
 */
public final class CrawlDelays {
    private record Entry(Duration delay, Duration ttl) {}

    private static final Cache<String, Entry> DELAYS =
            Caffeine.newBuilder()
                    .maximumSize(100_000)
                    .executor(Runnable::run)
                    .expireAfter(Expiry.<String, Entry>writing((host, e) -> e.ttl()))
                    .build();

    private CrawlDelays() {}

    /** The delay a host asked for, at most {@code cap}; zero when none is known. */
    public static Duration of(String host, Duration cap) {
        Entry e = DELAYS.getIfPresent(host.toLowerCase(Locale.ROOT));
        if (e == null) {
            return Duration.ZERO;
        }
        return e.delay().compareTo(cap) > 0 ? cap : e.delay();
    }

    static void record(String host, Duration delay, Duration ttl) {
        DELAYS.put(host.toLowerCase(Locale.ROOT), new Entry(delay, ttl));
    }
}
