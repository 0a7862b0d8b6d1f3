package dev.flinkwatch.api.ops;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The set of readiness checks. The service registers its own (the database); an embedding process
 * adds more at any time (the local stack adds the Flink job and Kafka). Probes run in parallel on a
 * bounded pool, each bounded by {@link #PROBE_TIMEOUT}. A check has at most one probe running:
 * concurrent evaluations, and evaluations after a probe that hung, wait for the running one instead
 * of starting another, so a flood of {@code /readyz} calls or a stuck dependency cannot pile up
 * threads.
 */
public final class Readiness implements AutoCloseable {
    public static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);
    static final String OK = "ok";

    /** Probe threads; more checks than this wait in the queue (still within their timeout). */
    static final int MAX_PROBE_THREADS = 4;

    private static final int MAX_QUEUED_PROBES = 64;
    private static final int MAX_REASON_LENGTH = 300;

    private final List<ReadinessCheck> checks = new CopyOnWriteArrayList<>();
    private final Map<ReadinessCheck, Run> running = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor probes =
            new ThreadPoolExecutor(
                    MAX_PROBE_THREADS,
                    MAX_PROBE_THREADS,
                    30,
                    TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(MAX_QUEUED_PROBES),
                    r -> {
                        Thread t = new Thread(r, "readiness-probe");
                        t.setDaemon(true);
                        return t;
                    });

    /**
     * The outcome of all checks.
     *
     * @param ready true when every check passed
     * @param checks check name to {@code "ok"} or the reason it failed (for operators only: a
     *     reason can name internal hosts)
     */
    public record Report(boolean ready, Map<String, String> checks) {}

    public Readiness() {
        probes.allowCoreThreadTimeOut(true);
    }

    public void add(ReadinessCheck check) {
        checks.add(check);
    }

    public Report evaluate() {
        Map<String, Run> started = new LinkedHashMap<>();
        for (ReadinessCheck check : checks) {
            started.put(check.name(), running.compute(check, this::runningOrStart));
        }
        Map<String, String> results = new LinkedHashMap<>();
        long deadline = System.nanoTime() + PROBE_TIMEOUT.toNanos();
        for (Map.Entry<String, Run> r : started.entrySet()) {
            results.put(r.getKey(), r.getValue().outcome(deadline));
        }
        return new Report(results.values().stream().allMatch(OK::equals), results);
    }

    private Run runningOrStart(ReadinessCheck check, Run previous) {
        if (previous != null && !previous.finished.isDone()) {
            return previous;
        }
        Run run = new Run();
        try {
            run.task = probes.submit(() -> run.execute(check));
        } catch (RejectedExecutionException e) {
            run.finished.completeExceptionally(
                    new IllegalStateException("too many probes waiting"));
        }
        return run;
    }

    /** One probe: {@code finished} completes when the probe's code has returned or thrown. */
    private static final class Run {
        final CompletableFuture<Void> finished = new CompletableFuture<>();
        final AtomicBoolean began = new AtomicBoolean();
        volatile Future<?> task;

        void execute(ReadinessCheck check) {
            began.set(true);
            try {
                check.probe().verify();
                finished.complete(null);
            } catch (Throwable t) {
                finished.completeExceptionally(t);
            }
        }

        String outcome(long deadline) {
            try {
                finished.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                return OK;
            } catch (TimeoutException e) {
                giveUp();
                return "failed: no answer within " + PROBE_TIMEOUT.toMillis() + " ms";
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                String reason =
                        "failed: " + cause.getClass().getSimpleName() + ": " + cause.getMessage();
                return reason.length() > MAX_REASON_LENGTH
                        ? reason.substring(0, MAX_REASON_LENGTH)
                        : reason;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "failed: interrupted";
            }
        }

        /**
         * Interrupts a probe that waits interruptibly. One that ignores interrupts keeps its
         * thread, and later evaluations wait for it instead of starting another; one that never got
         * a thread is dropped.
         */
        private void giveUp() {
            Future<?> t = task;
            if (t != null) {
                t.cancel(true);
            }
            if (!began.get()) {
                finished.completeExceptionally(new TimeoutException("never started"));
            }
        }
    }

    @Override
    public void close() {
        probes.shutdownNow();
    }
}
