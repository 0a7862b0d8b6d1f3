package dev.flinkwatch.pipeline.fetch;

import dev.flinkwatch.fetch.FetchResult;
import dev.flinkwatch.fetch.FetchStatus;
import dev.flinkwatch.model.CheckRequest;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
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
 * memory ({@link ValidatorMemory}) is bounded in bytes per subtask and is not checkpointed: after a
 * restore or rescale each URL is fetched in full once, which costs bandwidth, never correctness
 * (the change detector compares content hashes).
 *
 * <p>Metrics (group {@code conditionalGet}): {@code validatorsSent} (requests made conditional),
 * {@code notModified} (304s received), {@code entries}, {@code bytes} and {@code evictions} of the
 * memory.
 */
public class ConditionalGetMemory extends RichAsyncFunction<CheckRequest, FetchResult> {
    private final RichAsyncFunction<CheckRequest, FetchResult> fetcher;
    private final long maxBytes;

    private transient ValidatorMemory memory;
    private transient Map<ResultFuture<FetchResult>, Remembering> inFlight;
    private transient Counter validatorsSent;
    private transient Counter notModified;

    /**
     * @param fetcher the fetch function to delegate to
     * @param maxBytes heap the validators may take per subtask
     */
    public ConditionalGetMemory(
            RichAsyncFunction<CheckRequest, FetchResult> fetcher, long maxBytes) {
        this.fetcher = fetcher;
        this.maxBytes = maxBytes;
    }

    @Override
    public void setRuntimeContext(RuntimeContext context) {
        super.setRuntimeContext(context);
        fetcher.setRuntimeContext(context);
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        MetricGroup metrics = getRuntimeContext().getMetricGroup().addGroup("conditionalGet");
        validatorsSent = metrics.counter("validatorsSent");
        // results complete on the fetcher's threads
        notModified = metrics.counter("notModified", new ThreadSafeSimpleCounter());
        Counter evictions = metrics.counter("evictions", new ThreadSafeSimpleCounter());
        memory = new ValidatorMemory(maxBytes, evictions::inc);
        metrics.gauge("entries", memory::entries);
        metrics.gauge("bytes", memory::weightedBytes);
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
        ValidatorMemory.Validators known =
                memory.lookup(request.monitorId(), request.url(), request.specVersion());
        CheckRequest conditional = request;
        if (known != null) {
            conditional = request.withValidators(known.etag(), known.lastModified());
            validatorsSent.inc();
        }
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
                if (r.status() == FetchStatus.NOT_MODIFIED) {
                    notModified.inc();
                }
                if (r.status() == FetchStatus.OK || r.status() == FetchStatus.NOT_MODIFIED) {
                    CheckRequest asked = r.request();
                    memory.remember(
                            asked.monitorId(),
                            asked.url(),
                            asked.specVersion(),
                            FetchedText.contentStartedAt(r.startedAt(), asked),
                            r.etag(),
                            r.lastModified());
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
