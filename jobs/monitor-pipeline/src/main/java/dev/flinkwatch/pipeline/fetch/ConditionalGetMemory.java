package dev.flinkwatch.pipeline.fetch;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.flinkwatch.fetch.FetchResult;
import dev.flinkwatch.fetch.FetchStatus;
import dev.flinkwatch.model.CheckRequest;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.streaming.api.functions.async.CollectionSupplier;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * Gives the fetcher the ETag / Last-Modified of the previous response of each URL, so unchanged
 * pages cost a 304 and no parsing. The scheduler builds requests upstream of the fetch and a
 * dataflow cannot loop back, so the validators are remembered here: requests arrive keyed by host,
 * hence every URL always reaches the same subtask. Validators are kept per (monitor, URL), never
 * shared between monitors: another monitor's validator would earn a 304 for content this monitor
 * never saw, and never across spec versions: a new selector, ignore list or a source removed and
 * added back drops the change detector's baseline, and a 304 then would leave it with none. The
 * memory is a bounded cache per subtask (Caffeine: size-bounded, frequency-aware eviction) and is
 * not checkpointed: after a restore or rescale each URL is fetched in full once, which costs
 * bandwidth, never correctness (the change detector compares content hashes).
 */
public class ConditionalGetMemory extends RichAsyncFunction<CheckRequest, FetchResult> {
    private final RichAsyncFunction<CheckRequest, FetchResult> fetcher;
    private final int capacity;

    private transient Cache<String, Validators> memory;
    private transient Map<ResultFuture<FetchResult>, Remembering> inFlight;

    /**
     * @param fetcher the fetch function to delegate to
     * @param capacity (monitor, URL) pairs remembered per subtask
     */
    public ConditionalGetMemory(
            RichAsyncFunction<CheckRequest, FetchResult> fetcher, int capacity) {
        this.fetcher = fetcher;
        this.capacity = capacity;
    }

    /**
     * @param fetchStartedAt when the fetch that returned them started: the memory keeps the newest
     *     content's validators, in the same order as the change detector keeps content, so a
     *     response that detector ignores as older can never leave its ETag here
     */
    private record Validators(
            String etag, String lastModified, long specVersion, Instant fetchStartedAt) {}

    private static String key(CheckRequest request) {
        return request.monitorId() + " " + request.url();
    }

    @Override
    public void setRuntimeContext(RuntimeContext context) {
        super.setRuntimeContext(context);
        fetcher.setRuntimeContext(context);
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        memory = Caffeine.newBuilder().maximumSize(capacity).executor(Runnable::run).build();
        inFlight = new ConcurrentHashMap<>();
        fetcher.open(openContext);
    }

    @Override
    public void close() throws Exception {
        fetcher.close();
    }

    @Override
    public void asyncInvoke(CheckRequest request, ResultFuture<FetchResult> resultFuture)
            throws Exception {
        Validators known = memory.getIfPresent(key(request));
        CheckRequest conditional =
                known == null || known.specVersion() != request.specVersion()
                        ? request
                        : request.withValidators(known.etag(), known.lastModified());
        Remembering wrapper = new Remembering(conditional, resultFuture);
        inFlight.put(resultFuture, wrapper);
        fetcher.asyncInvoke(conditional, wrapper);
    }

    @Override
    public void timeout(CheckRequest request, ResultFuture<FetchResult> resultFuture)
            throws Exception {
        Remembering wrapper = inFlight.get(resultFuture);
        if (wrapper != null) {
            fetcher.timeout(wrapper.request, wrapper);
        } else {
            fetcher.timeout(request, resultFuture);
        }
    }

    /** Passes results through, remembering the validators of successful ones. */
    private final class Remembering implements ResultFuture<FetchResult> {
        private final CheckRequest request;
        private final ResultFuture<FetchResult> downstream;

        Remembering(CheckRequest request, ResultFuture<FetchResult> downstream) {
            this.request = request;
            this.downstream = downstream;
        }

        @Override
        public void complete(Collection<FetchResult> results) {
            inFlight.remove(downstream);
            for (FetchResult r : results) {
                if (r.status() == FetchStatus.OK || r.status() == FetchStatus.NOT_MODIFIED) {
                    long version = r.request().specVersion();
                    Instant started = FetchedText.contentStartedAt(r.startedAt(), r.request());
                    memory.asMap()
                            .compute(
                                    key(r.request()),
                                    (key, known) -> {
                                        if (known != null
                                                && (known.specVersion() > version
                                                        || (known.specVersion() == version
                                                                && !started.isAfter(
                                                                        known.fetchStartedAt())))) {
                                            // a late answer to an older request: older content
                                            return known;
                                        }
                                        return r.etag() != null || r.lastModified() != null
                                                ? new Validators(
                                                        r.etag(),
                                                        r.lastModified(),
                                                        version,
                                                        started)
                                                : null;
                                    });
                }
            }
            downstream.complete(results);
        }

        @Override
        public void completeExceptionally(Throwable error) {
            inFlight.remove(downstream);
            downstream.completeExceptionally(error);
        }

        @Override
        public void complete(CollectionSupplier<FetchResult> supplier) {
            try {
                complete(supplier.get());
            } catch (Exception e) {
                completeExceptionally(e);
            }
        }
    }
}
