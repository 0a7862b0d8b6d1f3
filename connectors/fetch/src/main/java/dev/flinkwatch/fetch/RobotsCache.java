package dev.flinkwatch.fetch;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import crawlercommons.robots.BaseRobotRules;
import crawlercommons.robots.SimpleRobotRules;
import crawlercommons.robots.SimpleRobotRules.RobotRulesMode;
import crawlercommons.robots.SimpleRobotRulesParser;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * robots.txt rules per origin (scheme, host, port), parsed by crawler-commons and cached: a fetched
 * file or a 4xx (no robots.txt: allow all) for {@code ttl}; a 5xx, 429 or network failure counts as
 * disallow-all (RFC 9309) for the shorter {@code errorTtl}, then it is tried again. Concurrent
 * checks of one origin share one robots.txt download. A file's {@code Crawl-delay} for our agent is
 * published to {@link CrawlDelays}, where politeness reads it.
 */
final class RobotsCache {
    /** RFC 9309 asks crawlers to parse at least 500 KiB; a bigger file counts as unavailable. */
    static final long MAX_ROBOTS_BYTES = 500 * 1024;

    /**
     * Rules and where they came from, or the failure that made robots.txt unreachable; with how
     * long the verdict holds.
     */
    private record Verdict(
            BaseRobotRules rules, String source, FetchFailure unreachable, Duration ttl) {}

    private final String agentName;
    private final Duration ttl;
    private final Duration errorTtl;
    private final Function<URI, CompletableFuture<HopResponse>> download;
    private final AsyncCache<String, Verdict> cache;
    private final int maxWaiting;
    private final Map<String, Integer> waiting = new ConcurrentHashMap<>();

    /**
     * @param maxWaiting most checks waiting for one origin's robots.txt download (each holds an
     *     async slot); more are HOST_BUSY at once, so a tarpit serving robots.txt cannot gather
     *     every check of its host behind its download
     * @param download fetches a robots.txt URL (guarded, polite, following redirects)
     */
    RobotsCache(
            String agentName,
            Duration ttl,
            Duration errorTtl,
            int maxEntries,
            int maxWaiting,
            Function<URI, CompletableFuture<HopResponse>> download) {
        this.maxWaiting = maxWaiting;
        this.agentName = agentName;
        this.ttl = ttl;
        this.errorTtl = errorTtl;
        this.download = download;
        this.cache =
                Caffeine.newBuilder()
                        .maximumSize(maxEntries)
                        .executor(Runnable::run)
                        .expireAfter(Expiry.<String, Verdict>creating((origin, v) -> v.ttl()))
                        .buildAsync();
    }

    /**
     * Why robots.txt forbids fetching this URL, or empty when it allows it; fails with the {@link
     * FetchFailure} when robots.txt was unreachable.
     */
    CompletableFuture<Optional<String>> disallowReason(URI url) {
        String origin = url.getScheme() + "://" + url.getRawAuthority();
        CompletableFuture<Verdict> verdict =
                cache.get(origin, (o, executor) -> load(URI.create(o + "/robots.txt")));
        if (!verdict.isDone()) {
            if (!enterWaiting(origin)) {
                return CompletableFuture.failedFuture(
                        new FetchFailure(
                                FetchStatus.HOST_BUSY,
                                "robots.txt of this host is still being read and "
                                        + maxWaiting
                                        + " checks wait for it already; check skipped"));
            }
            verdict = verdict.whenComplete((v, e) -> leaveWaiting(origin));
        }
        return verdict.thenApply(
                v -> {
                    if (v.unreachable() != null) {
                        throw new FetchFailure(
                                v.unreachable().status(),
                                "robots.txt unreachable: " + v.unreachable().getMessage());
                    }
                    if (v.rules().isAllowed(url.toString())) {
                        return Optional.empty();
                    }
                    return Optional.of(
                            v.source() + " disallows " + url.getRawPath() + " for " + agentName);
                });
    }

    private boolean enterWaiting(String origin) {
        boolean[] entered = new boolean[1];
        waiting.compute(
                origin,
                (o, n) -> {
                    int current = n == null ? 0 : n;
                    entered[0] = current < maxWaiting;
                    return entered[0] ? current + 1 : n;
                });
        return entered[0];
    }

    private void leaveWaiting(String origin) {
        waiting.computeIfPresent(origin, (o, n) -> n <= 1 ? null : n - 1);
    }

    private CompletableFuture<Verdict> load(URI robotsUrl) {
        return download.apply(robotsUrl)
                .handle(
                        (response, error) -> {
                            try {
                                return verdict(robotsUrl, response, error);
                            } catch (RuntimeException e) {
                                // A file crawler-commons cannot read imposes no rules.
                                return allowAll(errorTtl);
                            }
                        });
    }

    private Verdict verdict(URI robotsUrl, HopResponse response, Throwable error) {
        if (error != null) {
            FetchFailure failure = FetchFailure.from(error);
            // Busy (our own limits) is not an answer from the site: never cached as allow-all.
            boolean unreachable =
                    switch (failure.status()) {
                        case TIMEOUT,
                                CONNECTION_ERROR,
                                DNS_FAILURE,
                                TLS_ERROR,
                                SLOW_BODY,
                                DNS_BUSY,
                                HOST_BUSY,
                                TENANT_BUSY ->
                                true;
                        default -> false;
                    };
            return unreachable
                    ? new Verdict(null, "robots.txt", failure, Duration.ZERO)
                    : allowAll(errorTtl);
        }
        int status = response.status();
        if (status >= 200 && status < 300 && response.stoppedWith() == null) {
            BaseRobotRules rules =
                    new SimpleRobotRulesParser()
                            .parseContent(
                                    robotsUrl.toString(),
                                    response.body(),
                                    response.headers().get(HttpHeaderNames.CONTENT_TYPE),
                                    List.of(agentName));
            if (rules.getCrawlDelay() > 0) {
                CrawlDelays.record(
                        robotsUrl.getHost(), Duration.ofMillis(rules.getCrawlDelay()), ttl);
            }
            return new Verdict(rules, "robots.txt", null, ttl);
        }
        if (status == 429 || status >= 500) {
            return new Verdict(
                    new SimpleRobotRules(RobotRulesMode.ALLOW_NONE),
                    "robots.txt unavailable (HTTP " + status + ")",
                    null,
                    errorTtl);
        }
        // 4xx: no robots.txt, no rules. Unusable (too large, redirect loop): none either, for now.
        return allowAll(status >= 400 && status < 500 ? ttl : errorTtl);
    }

    private static Verdict allowAll(Duration ttl) {
        return new Verdict(new SimpleRobotRules(RobotRulesMode.ALLOW_ALL), "robots.txt", null, ttl);
    }
}
