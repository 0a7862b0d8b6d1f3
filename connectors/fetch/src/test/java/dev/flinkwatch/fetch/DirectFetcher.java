package dev.flinkwatch.fetch;

import dev.flinkwatch.model.CheckRequest;
import dev.flinkwatch.testing.RecordingMetricGroup;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobInfoImpl;
import org.apache.flink.api.common.TaskInfoImpl;
import org.apache.flink.api.common.functions.DefaultOpenContext;
import org.apache.flink.api.common.functions.util.RuntimeUDFContext;
import org.apache.flink.streaming.api.functions.async.CollectionSupplier;
import org.apache.flink.streaming.api.functions.async.ResultFuture;

/**
 * Drives a real {@link FetchFunction} the way Flink's async operator does (open, asyncInvoke with a
 * ResultFuture, timeout, close), without a cluster, so a test can look at one result at a time.
 */
final class DirectFetcher implements AutoCloseable {
    final FetchFunction function;
    final RecordingMetricGroup metrics = new RecordingMetricGroup();

    DirectFetcher(FetchConfig config, HostResolver resolver) {
        function = new FetchFunction(config, resolver);
        function.setRuntimeContext(
                new RuntimeUDFContext(
                        new JobInfoImpl(new JobID(), "fetch-test"),
                        new TaskInfoImpl("fetch", 1, 0, 1, 0),
                        getClass().getClassLoader(),
                        new ExecutionConfig(),
                        new HashMap<>(),
                        new HashMap<>(),
                        metrics));
        function.open(DefaultOpenContext.INSTANCE);
    }

    static CheckRequest request(String url) {
        return request(url, null, null);
    }

    static CheckRequest request(String url, String etag, String lastModified) {
        return new CheckRequest(
                UUID.randomUUID(),
                UUID.randomUUID(),
                1,
                url,
                null,
                null,
                Instant.now(),
                etag,
                lastModified,
                null,
                null);
    }

    FetchResult fetch(String url) {
        return fetch(request(url));
    }

    FetchResult fetch(CheckRequest request) {
        try {
            return start(request).get(120, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("no result for " + request.url(), e);
        }
    }

    /** Starts a fetch; the future holds its single result. */
    CompletableFuture<FetchResult> start(CheckRequest request) {
        Collector collector = new Collector();
        function.asyncInvoke(request, collector);
        return collector.result;
    }

    /** What Flink does when its async timeout fires for this request. */
    CompletableFuture<FetchResult> startAndTimeOutAfter(CheckRequest request, long millis)
            throws InterruptedException {
        Collector collector = new Collector();
        function.asyncInvoke(request, collector);
        Thread.sleep(millis);
        function.timeout(request, collector);
        return collector.result;
    }

    @Override
    public void close() throws Exception {
        function.close();
    }

    /** A ResultFuture that insists on exactly one result, as Flink's operator expects. */
    private static final class Collector implements ResultFuture<FetchResult> {
        final CompletableFuture<FetchResult> result = new CompletableFuture<>();

        @Override
        public void complete(Collection<FetchResult> results) {
            if (results.size() != 1 || !result.complete(results.iterator().next())) {
                result.obtrudeException(
                        new AssertionError("expected exactly one result, got " + results));
            }
        }

        @Override
        public void completeExceptionally(Throwable error) {
            result.obtrudeException(new AssertionError("the fetch failed the job", error));
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
