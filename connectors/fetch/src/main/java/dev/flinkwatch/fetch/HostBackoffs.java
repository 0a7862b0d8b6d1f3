package dev.flinkwatch.fetch;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What hosts told us about their load, and the spacing that follows: a 429 or 503 with a
 * Retry-After holds the host for that long (clamped); one without backs off multiplicatively (x2
 * per hit, capped), one step back per answer that is not throttled; a host whose answers are slow
 * (latency EWMA above a threshold) is spaced proportionally wider (capped). Learned by the fetcher,
 * read by the pipeline's host pacer too (like {@link CrawlDelays}: both run in one task and the
 * dataflow cannot loop back), so one instance per JVM ({@link #shared()}). Bounded: at most {@code
 * maxHosts} hosts, each forgotten {@link #IDLE_TTL} after its last answer (or when its hold ends,
 * if later).
 */
public final class HostBackoffs {
    /** How long a host's backoff and latency are remembered without a new answer. */
    static final Duration IDLE_TTL = Duration.ofMinutes(15);

    /** Backoff starts doubling from at least this, so a host with no delay still backs off. */
    static final Duration BACKOFF_FLOOR = Duration.ofMillis(250);

    private static final double EWMA_WEIGHT = 0.3;
    private static final int MAX_LEVEL = 30;

    private static final HostBackoffs SHARED = new HostBackoffs(Ticker.systemTicker(), 100_000);

    /** The limits each caller applies, from its {@link FetchConfig}. */
    public record Policy(Duration maxRetryAfter, Duration maxBackoff, Duration slowLatency) {}

    /** What a throttled answer did, for the metrics. */
    public enum Throttle {
        /** A Retry-After hold started (or was extended). */
        HOLD,
        /** The host went from its configured spacing into backoff. */
        BACKOFF_STARTED,
        /** The host was already backing off; the spacing doubled (up to the cap). */
        BACKOFF_RAISED
    }

    /**
     * @param holdUntilNanos ticker time the hold ends (in the past: none)
     * @param level backoff doublings
     * @param latencyMs latency EWMA (negative: no sample yet)
     */
    private record State(long holdUntilNanos, int level, double latencyMs, long ttlNanos) {}

    private final Ticker ticker;
    private final Cache<String, State> hosts;

    /**
     * The latest end of any hold ever set: {@link #hold} is asked on every check, and while no hold
     * runs (nearly always) this answers without a cache read.
     */
    private final AtomicLong lastHoldEndNanos;

    HostBackoffs(Ticker ticker, int maxHosts) {
        this.ticker = ticker;
        this.lastHoldEndNanos = new AtomicLong(ticker.read());
        this.hosts =
                Caffeine.newBuilder()
                        .maximumSize(maxHosts)
                        .ticker(ticker)
                        .executor(Runnable::run)
                        .expireAfter(
                                Expiry.<String, State>writing(
                                        (h, s) -> Duration.ofNanos(s.ttlNanos())))
                        .build();
    }

    /** The JVM's instance: the fetcher records into it, the pacer reads it. */
    public static HostBackoffs shared() {
        return SHARED;
    }

    /**
     * Records a 429 or 503 answer.
     *
     * @param retryAfter the parsed Retry-After ({@link #parseRetryAfter}), or null when absent or
     *     unreadable; zero counts as absent
     * @param base the host's configured spacing: doubling stops once it reaches the cap, so as many
     *     answers that are not throttled bring it back as throttled ones raised it
     */
    public Throttle throttled(String host, Duration retryAfter, Duration base, Policy policy) {
        long now = ticker.read();
        int maxLevel = levelsToCap(base, policy.maxBackoff());
        Throttle[] outcome = new Throttle[1];
        hosts.asMap()
                .compute(
                        key(host),
                        (h, s) -> {
                            State old = s == null ? new State(now, 0, -1, 0) : s;
                            if (retryAfter != null
                                    && !retryAfter.isNegative()
                                    && !retryAfter.isZero()) {
                                Duration hold =
                                        retryAfter.compareTo(policy.maxRetryAfter()) > 0
                                                ? policy.maxRetryAfter()
                                                : retryAfter;
                                long until = now + hold.toNanos();
                                if (old.holdUntilNanos() - until > 0) {
                                    until = old.holdUntilNanos(); // a longer hold stands
                                }
                                outcome[0] = Throttle.HOLD;
                                long end = until;
                                lastHoldEndNanos.accumulateAndGet(end, (a, b) -> b - a > 0 ? b : a);
                                return state(until, old.level(), old.latencyMs(), now);
                            }
                            outcome[0] =
                                    old.level() == 0
                                            ? Throttle.BACKOFF_STARTED
                                            : Throttle.BACKOFF_RAISED;
                            return state(
                                    old.holdUntilNanos(),
                                    Math.max(old.level(), Math.min(maxLevel, old.level() + 1)),
                                    old.latencyMs(),
                                    now);
                        });
        return outcome[0];
    }

    /** Records an answer that was not throttled: one backoff step back, and its latency. */
    public void answered(String host, long latencyMs) {
        sample(host, latencyMs, 1);
    }

    /** Records an exchange that timed out (or trickled) after {@code latencyMs}: slowness only. */
    public void timedOut(String host, long latencyMs) {
        sample(host, latencyMs, 0);
    }

    private void sample(String host, long latencyMs, int levelsBack) {
        long now = ticker.read();
        hosts.asMap()
                .compute(
                        key(host),
                        (h, s) -> {
                            State old = s == null ? new State(now, 0, -1, 0) : s;
                            double ewma =
                                    old.latencyMs() < 0
                                            ? latencyMs
                                            : EWMA_WEIGHT * latencyMs
                                                    + (1 - EWMA_WEIGHT) * old.latencyMs();
                            return state(
                                    old.holdUntilNanos(),
                                    Math.max(0, old.level() - levelsBack),
                                    ewma,
                                    now);
                        });
    }

    /** How much longer the host asked us to stay away; zero when it did not. */
    public Duration hold(String host) {
        if (lastHoldEndNanos.get() - ticker.read() <= 0) {
            return Duration.ZERO;
        }
        State s = hosts.getIfPresent(key(host));
        if (s == null) {
            return Duration.ZERO;
        }
        long left = s.holdUntilNanos() - ticker.read();
        return left > 0 ? Duration.ofNanos(left) : Duration.ZERO;
    }

    /**
     * The spacing for a host whose configured spacing is {@code base}: raised by its backoff and
     * slowness, the raise capped at {@code maxBackoff}; never below {@code base}.
     */
    public Duration spacing(String host, Duration base, Policy policy) {
        State s = hosts.getIfPresent(key(host));
        if (s == null) {
            return base;
        }
        double raised = base.toNanos();
        if (s.level() > 0) {
            raised = Math.max(base.toNanos(), BACKOFF_FLOOR.toNanos()) * Math.pow(2, s.level());
        }
        long slow = policy.slowLatency().toMillis();
        if (slow > 0 && s.latencyMs() > slow) {
            raised = Math.max(raised, BACKOFF_FLOOR.toNanos()) * (s.latencyMs() / slow);
        }
        if (raised <= base.toNanos()) {
            return base;
        }
        long capped = (long) Math.min(raised, policy.maxBackoff().toNanos());
        return capped > base.toNanos() ? Duration.ofNanos(capped) : base;
    }

    /** Hosts held, backing off or slow right now (for a gauge; walks the bounded map). */
    public int backedOffHosts(Policy policy) {
        long now = ticker.read();
        long slow = policy.slowLatency().toMillis();
        int n = 0;
        for (State s : hosts.asMap().values()) {
            if (s.holdUntilNanos() - now > 0
                    || s.level() > 0
                    || (slow > 0 && s.latencyMs() > slow)) {
                n++;
            }
        }
        return n;
    }

    /** The HOST_BUSY message of a check skipped because its host is held. */
    public static String holdMessage(String host, Duration left) {
        long seconds = Math.max(1, (left.toMillis() + 999) / 1000);
        return host + " asked for a pause (Retry-After), " + seconds + " s left; check skipped";
    }

    /**
     * Retry-After as delta-seconds or an HTTP date, relative to {@code now}; null when absent or
     * unreadable (a server's garbage is ignored, never an error). Negative or past values are zero,
     * huge ones a year: callers clamp to their own maximum.
     */
    public static Duration parseRetryAfter(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        if (v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return v.length() > 9 ? Duration.ofDays(365) : Duration.ofSeconds(Long.parseLong(v));
        }
        try {
            Duration until =
                    Duration.between(
                            now,
                            ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME)
                                    .toInstant());
            if (until.isNegative()) {
                return Duration.ZERO;
            }
            return until.compareTo(Duration.ofDays(365)) > 0 ? Duration.ofDays(365) : until;
        } catch (DateTimeParseException | ArithmeticException e) {
            return null;
        }
    }

    /** Doublings of {@code max(base, floor)} until {@code cap} is reached (at least 1). */
    private static int levelsToCap(Duration base, Duration cap) {
        double start = Math.max(base.toNanos(), BACKOFF_FLOOR.toNanos());
        int levels = 1;
        while (levels < MAX_LEVEL && start * Math.pow(2, levels) < cap.toNanos()) {
            levels++;
        }
        return levels;
    }

    private State state(long holdUntil, int level, double latencyMs, long now) {
        long ttl = IDLE_TTL.toNanos();
        if (holdUntil - now > ttl) {
            ttl = holdUntil - now;
        }
        return new State(holdUntil, level, latencyMs, ttl);
    }

    private static String key(String host) {
        return host.toLowerCase(Locale.ROOT);
    }
}
