package dev.flinkwatch.llm;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.functions.DefaultOpenContext;
import org.apache.flink.streaming.api.functions.async.CollectionSupplier;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.util.MockStreamingRuntimeContext;

/**
 * The real evaluator opened outside a job (Flink's test runtime context), so tests can send
 * requests one by one and see each verdict. Jobs use it through AsyncDataStream instead.
 */
final class OpenedEvaluator implements AutoCloseable {
    private final LlmEvaluator evaluator;

    OpenedEvaluator(LlmConfig config) throws Exception {
        this(config, 1);
    }

    OpenedEvaluator(LlmConfig config, int parallelism) throws Exception {
        evaluator = new LlmEvaluator(config);
        evaluator.setRuntimeContext(new MockStreamingRuntimeContext(parallelism, 0));
        evaluator.open(DefaultOpenContext.INSTANCE);
    }

    CompletableFuture<Verdict> submit(LlmRequest request) throws Exception {
        VerdictFuture future = new VerdictFuture();
        evaluator.asyncInvoke(request, future);
        return future.verdict;
    }

    Verdict evaluate(LlmRequest request) throws Exception {
        return submit(request).get(2, TimeUnit.MINUTES);
    }

    Verdict timeout(LlmRequest request) throws Exception {
        VerdictFuture future = new VerdictFuture();
        evaluator.timeout(request, future);
        return future.verdict.get(1, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        evaluator.close();
    }

    /** Flink's contract: exactly one verdict per request; anything else fails the future. */
    private static final class VerdictFuture implements ResultFuture<Verdict> {
        final CompletableFuture<Verdict> verdict = new CompletableFuture<>();

        @Override
        public void complete(Collection<Verdict> result) {
            if (result.size() != 1) {
                verdict.completeExceptionally(
                        new AssertionError("expected one verdict, got " + result));
            } else if (!verdict.complete(result.iterator().next())) {
                verdict.obtrudeException(new AssertionError("completed twice"));
            }
        }

        @Override
        public void complete(CollectionSupplier<Verdict> supplier) {
            try {
                complete(supplier.get());
            } catch (Exception e) {
                verdict.completeExceptionally(e);
            }
        }

        @Override
        public void completeExceptionally(Throwable error) {
            verdict.completeExceptionally(
                    new AssertionError("the evaluator must never fail a request", error));
        }
    }
}
