package dev.flinkwatch.fetch;

import crawlercommons.robots.BaseRobotRules;
import crawlercommons.robots.SimpleRobotRules;
import crawlercommons.robots.SimpleRobotRules.RobotRulesMode;
import crawlercommons.robots.SimpleRobotRulesParser;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * robots.txt rules per origin (scheme, host, port), parsed by crawler-commons and cached: a fetched
 * file or a 4xx (no robots.txt: allow all) for {@code ttl}; a 5xx, 429 or network failure counts as
 * disallow-all (RFC 9309) for the shorter {@code errorTtl}, then it is tried again. Concurrent
 * checks of one origin share one robots.txt download.
 */
final class RobotsCache {
    /** RFC 9309 asks crawlers to parse at least 500 KiB; a bigger file counts as unavailable. */
    static final long MAX_ROBOTS_BYTES = 500 * 1024;

    /** Rules and where they came from, or the failure that made robots.txt unreachable. */
    private record Verdict(BaseRobotRules rules, String source, FetchFailure unreachable) {}

    private static final class Entry {
        final CompletableFuture<Verdict> verdict = new CompletableFuture<>();
        volatile long expiresAt = Long.MAX_VALUE;
    }

    private final String agentName;
    private final long ttlNanos;
    private final long errorTtlNanos;
    private final Function<URI, CompletableFuture<HopResponse>> download;
    private final Map<String, Entry> entries;

    /**
     * @param download fetches a robots.txt URL (guarded, polite, following redirects)
     */
    RobotsCache(
            String agentName,
            Duration ttl,
            Duration errorTtl,
            int maxEntries,
            Function<URI, CompletableFuture<HopResponse>> download) {
        this.agentName = agentName;
        this.ttlNanos = ttl.toNanos();
        this.errorTtlNanos = errorTtl.toNanos();
        this.download = download;
        this.entries =
                new LinkedHashMap<>(256, 0.75f, true) {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                        return size() > maxEntries;
                    }
                };
    }

    /**
     * Why robots.txt forbids fetching this URL, or empty when it allows it; fails with the {@link
     * FetchFailure} when robots.txt was unreachable.
     */
    CompletableFuture<Optional<String>> disallowReason(URI url) {
        return verdictFor(url)
                .thenApply(
                        v -> {
                            if (v.unreachable() != null) {
                                throw new FetchFailure(
                                        v.unreachable().status(),
                                        "robots.txt unreachable: " + v.unreachable().getMessage());
                            }
                            return v;
                        })
                .thenApply(
                        v ->
                                v.rules().isAllowed(url.toString())
                                        ? Optional.empty()
                                        : Optional.of(
                                                v.source()
                                                        + " disallows "
                                                        + url.getRawPath()
                                                        + " for "
                                                        + agentName));
    }

    private CompletableFuture<Verdict> verdictFor(URI url) {
        URI robotsUrl = url.resolve("/robots.txt");
        String origin = robotsUrl.getScheme() + "://" + robotsUrl.getRawAuthority();
        Entry entry;
        boolean load = false;
        synchronized (entries) {
            entry = entries.get(origin);
            if (entry == null || System.nanoTime() - entry.expiresAt >= 0) {
                entry = new Entry();
                entries.put(origin, entry);
                load = true;
            }
        }
        if (load) {
            Entry loading = entry;
            download.apply(robotsUrl)
                    .whenComplete(
                            (response, error) -> {
                                try {
                                    loading.verdict.complete(
                                            verdict(robotsUrl, response, error, loading));
                                } catch (RuntimeException e) {
                                    // A file crawler-commons cannot read imposes no rules.
                                    loading.expiresAt = System.nanoTime() + errorTtlNanos;
                                    loading.verdict.complete(allowAll());
                                }
                            });
        }
        return entry.verdict;
    }

    private Verdict verdict(URI robotsUrl, HopResponse response, Throwable error, Entry entry) {
        if (error != null) {
            FetchFailure failure = FetchFailure.from(error);
            boolean unreachable =
                    failure.status() == FetchStatus.TIMEOUT
                            || failure.status() == FetchStatus.CONNECTION_ERROR
                            || failure.status() == FetchStatus.DNS_FAILURE
                            || failure.status() == FetchStatus.TLS_ERROR;
            if (unreachable) {
                entry.expiresAt = System.nanoTime();
                return new Verdict(null, "robots.txt", failure);
            }
            entry.expiresAt = System.nanoTime() + errorTtlNanos;
            return allowAll();
        }
        int status = response.status();
        if (status >= 200 && status < 300 && response.stoppedWith() == null) {
            entry.expiresAt = System.nanoTime() + ttlNanos;
            BaseRobotRules rules =
                    new SimpleRobotRulesParser()
                            .parseContent(
                                    robotsUrl.toString(),
                                    response.body(),
                                    response.headers().get(HttpHeaderNames.CONTENT_TYPE),
                                    List.of(agentName));
            return new Verdict(rules, "robots.txt", null);
        }
        if (status == 429 || status >= 500) {
            entry.expiresAt = System.nanoTime() + errorTtlNanos;
            return disallowAll("robots.txt unavailable (HTTP " + status + ")");
        }
        // 4xx, or unusable (too large, redirect loop): no rules apply.
        entry.expiresAt =
                System.nanoTime() + (status >= 400 && status < 500 ? ttlNanos : errorTtlNanos);
        return allowAll();
    }

    private static Verdict disallowAll(String source) {
        return new Verdict(new SimpleRobotRules(RobotRulesMode.ALLOW_NONE), source, null);
    }

    private static Verdict allowAll() {
        return new Verdict(new SimpleRobotRules(RobotRulesMode.ALLOW_ALL), "robots.txt", null);
    }
}
