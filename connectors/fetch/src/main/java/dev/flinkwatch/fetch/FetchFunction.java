package dev.flinkwatch.fetch;

import dev.flinkwatch.model.CheckRequest;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * Fetches the page of each {@link CheckRequest} and emits exactly one {@link FetchResult} for it;
 * failures are results, never exceptions. Run it after {@code keyBy(FetchFunction.byHost())} so one
 * subtask owns each host and its politeness limits hold globally, and checks of one URL share their
 * fetches ({@link SharedFetches}):
 *
 * <pre>{@code
 * AsyncDataStream.unorderedWait(
 *         requests.keyBy(FetchFunction.byHost()),
 *         new FetchFunction(FetchConfig.from(conf)),
 *         FetchFunction.asyncTimeoutMs(config), TimeUnit.MILLISECONDS, 1000)
 * }</pre>
 */
public class FetchFunction extends RichAsyncFunction<CheckRequest, FetchResult> {
    private static final long serialVersionUID = 1L;

    private final FetchConfig config;
    private final HostResolver resolver;
    private transient PageFetcher fetcher;
    private transient SharedFetches shared;
    private transient FetchMetrics metrics;
    private transient Map<ResultFuture<FetchResult>, SharedFetches.Flight> inFlight;

    public FetchFunction(FetchConfig config) {
        this(config, HostResolver.system());
    }

    /** With a custom resolver (tests, or a platform DNS client). */
    public FetchFunction(FetchConfig config, HostResolver resolver) {
        this.config = config;
        this.resolver = resolver;
    }

    /** Keys requests by lower-cased URL host ("" when the URL has none: guard refuses it). */
    public static KeySelector<CheckRequest, String> byHost() {
        return new HostKey();
    }

    /** A named class rather than a lambda, so Flink sees the key type without erasure trouble. */
    private static final class HostKey implements KeySelector<CheckRequest, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(CheckRequest request) {
            return hostOf(request.url());
        }
    }

    /**
     * The AsyncDataStream timeout to use with this config: the fetcher's own deadline plus a
     * margin, so normally the fetcher's TIMEOUT result (with details) arrives first.
     */
    public static long asyncTimeoutMs(FetchConfig config) {
        return config.deadline().toMillis() + 5_000;
    }

    /**
     * The lower-cased host of {@code url}, "" when it has none. The key selector runs twice per
     * check (partitioner and keyed operator), so a plain http(s) URL whose host is a lower-case DNS
     * name is read without a URI parse; anything else is parsed (for a valid URL, same answer).
     */
    static String hostOf(String url) {
        String simple = simpleHost(url);
        if (simple != null) {
            return simple;
        }
        try {
            String host = url == null ? null : new URI(url.trim()).getHost();
            return host == null ? "" : host.toLowerCase(Locale.ROOT);
        } catch (Exception e) {
            return "";
        }
    }

    /** The host of {@code http(s)://name[:port][/?#...]} with a lower-case DNS name, else null. */
    private static String simpleHost(String url) {
        int start =
                url == null
                        ? -1
                        : url.startsWith("https://") ? 8 : url.startsWith("http://") ? 7 : -1;
        if (start < 0) {
            return null;
        }
        int end = start;
        while (end < url.length() && !isAuthorityEnd(url.charAt(end))) {
            end++;
        }
        int hostEnd = url.indexOf(':', start);
        if (hostEnd < 0 || hostEnd > end) {
            hostEnd = end;
        } else if (!isPort(url, hostEnd + 1, end)) {
            return null;
        }
        return isDnsName(url, start, hostEnd) ? url.substring(start, hostEnd) : null;
    }

    private static boolean isAuthorityEnd(char c) {
        return c == '/' || c == '?' || c == '#';
    }

    private static boolean isPort(String url, int from, int to) {
        if (from == to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (url.charAt(i) < '0' || url.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * Labels of [a-z0-9-] that neither start nor end with '-', the last one starting with a letter
     * (what {@link URI} takes as a host name rather than an address or a registry name).
     */
    private static boolean isDnsName(String url, int from, int to) {
        int labelStart = from;
        for (int i = from; i <= to; i++) {
            char c = i < to ? url.charAt(i) : '.';
            if (c == '.') {
                if (i == labelStart || url.charAt(labelStart) == '-' || url.charAt(i - 1) == '-') {
                    return false;
                }
                if (i == to && !(url.charAt(labelStart) >= 'a' && url.charAt(labelStart) <= 'z')) {
                    return false;
                }
                labelStart = i + 1;
            } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void open(OpenContext openContext) {
        inFlight = new ConcurrentHashMap<>();
        fetcher = new PageFetcher(config, resolver);
        shared = SharedFetches.from(config);
        metrics =
                new FetchMetrics(
                        getRuntimeContext().getMetricGroup(), inFlight::size, fetcher::politeHosts);
        metrics.sharing(shared);
        metrics.politeness(fetcher);
    }

    @Override
    public void asyncInvoke(CheckRequest request, ResultFuture<FetchResult> resultFuture) {
        SharedFetches.Flight fetch = shared.start(request, fetcher::start);
        inFlight.put(resultFuture, fetch);
        fetch.result()
                .thenAccept(
                        result -> {
                            if (inFlight.remove(resultFuture) != null) {
                                metrics.record(result);
                                resultFuture.complete(List.of(result));
                            }
                        });
    }

    /** Flink's own timeout: ends the fetch with a TIMEOUT result and stops its transfer. */
    @Override
    public void timeout(CheckRequest request, ResultFuture<FetchResult> resultFuture) {
        SharedFetches.Flight fetch = inFlight.get(resultFuture);
        if (fetch != null) {
            fetch.abort(FetchStatus.TIMEOUT, "async operator timeout reached");
        }
    }

    @Override
    public void close() throws Exception {
        if (fetcher != null) {
            fetcher.close();
        }
    }
}
