package dev.flinkwatch.render;

import dev.flinkwatch.fetch.FetchConfig;
import dev.flinkwatch.fetch.FetchMetrics;
import dev.flinkwatch.fetch.FetchResult;
import dev.flinkwatch.fetch.FetchStatus;
import dev.flinkwatch.fetch.HostResolver;
import dev.flinkwatch.fetch.PageFetcher;
import dev.flinkwatch.model.CheckRequest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * Renders the page of each browser source's {@link CheckRequest} through the browser service and
 * emits exactly one {@link FetchResult} for it, failures included, into the same extraction and
 * change detection as plain fetches. Its own async operator, capacity and timeout: a slow render
 * never holds a fetch slot. Before a render it asks what the plain fetcher asks first (SSRF guard,
 * robots.txt, {@link PageFetcher#refusal}), so a page robots.txt disallows is not rendered either.
 * Metrics in group {@code render}.
 */
public class RenderFunction extends RichAsyncFunction<CheckRequest, FetchResult> {
    private static final long serialVersionUID = 1L;

    private final RenderConfig config;
    private final FetchConfig fetch;
    private transient RenderClient client;
    private transient PageFetcher gate;
    private transient FetchMetrics metrics;
    private transient Map<ResultFuture<FetchResult>, Instant> inFlight;

    /**
     * @param config the renderer's settings
     * @param fetch the plain fetcher's settings, whose address policy and robots.txt rules apply
     *     before a render
     */
    public RenderFunction(RenderConfig config, FetchConfig fetch) {
        this.config = config;
        this.fetch = fetch;
    }

    @Override
    public void open(OpenContext openContext) {
        inFlight = new ConcurrentHashMap<>();
        client = new RenderClient(config);
        gate = new PageFetcher(fetch, HostResolver.system());
        metrics = FetchMetrics.forRender(getRuntimeContext().getMetricGroup(), inFlight::size);
    }

    @Override
    public void asyncInvoke(CheckRequest request, ResultFuture<FetchResult> resultFuture) {
        inFlight.put(resultFuture, Instant.now());
        gate.refusal(request)
                .thenCompose(
                        refused ->
                                refused.isPresent()
                                        ? CompletableFuture.completedFuture(refused.get())
                                        : client.render(request))
                .thenAccept(result -> complete(resultFuture, result));
    }

    /** Flink's own timeout (the service and the call both failed to end it): a TIMEOUT result. */
    @Override
    public void timeout(CheckRequest request, ResultFuture<FetchResult> resultFuture) {
        Instant startedAt = inFlight.getOrDefault(resultFuture, Instant.now());
        complete(
                resultFuture,
                FetchResult.failed(
                        request,
                        FetchStatus.TIMEOUT,
                        "async operator timeout reached",
                        startedAt,
                        Instant.now()));
    }

    private void complete(ResultFuture<FetchResult> resultFuture, FetchResult result) {
        if (inFlight.remove(resultFuture) != null) {
            metrics.record(result);
            resultFuture.complete(List.of(result));
        }
    }

    @Override
    public void close() throws Exception {
        if (client != null) {
            client.close();
        }
        if (gate != null) {
            gate.close();
        }
    }
}
