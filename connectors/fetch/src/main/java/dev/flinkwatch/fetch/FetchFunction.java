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

    static String hostOf(String url) {
        try {
            String host = url == null ? null : new URI(url.trim()).getHost();
            return host == null ? "" : host.toLowerCase(Locale.ROOT);
        } catch (Exception e) {
            return "";
        }
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
