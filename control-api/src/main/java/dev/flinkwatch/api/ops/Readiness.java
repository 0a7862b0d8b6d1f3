package dev.flinkwatch.api.ops;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The set of readiness checks. The service registers its own (the database); an embedding process
 * adds more at any time (the local stack adds the Flink job and Kafka). All probes run in parallel,
 * each bounded by {@link #PROBE_TIMEOUT}.
 */
public final class Readiness implements AutoCloseable {
    public static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);
    static final String OK = "ok";

    private final List<ReadinessCheck> checks = new CopyOnWriteArrayList<>();
    private final ExecutorService probes =
            Executors.newCachedThreadPool(
                    r -> {
                        Thread t = new Thread(r, "readiness-probe");
                        t.setDaemon(true);
                        return t;
                    });

    /**
     * The outcome of all checks.
     *
     * @param ready true when every check passed
     * @param checks check name to {@code "ok"} or the reason it failed
     */
    public record Report(boolean ready, Map<String, String> checks) {}

    public void add(ReadinessCheck check) {
        checks.add(check);
    }

    public Report evaluate() {
        Map<String, CompletableFuture<Void>> running = new LinkedHashMap<>();
        for (ReadinessCheck check : checks) {
            running.put(
                    check.name(),
                    CompletableFuture.runAsync(
                            () -> {
                                try {
                                    check.probe().verify();
                                } catch (Exception e) {
                                    throw new ProbeFailed(e);
                                }
                            },
                            probes));
        }
        Map<String, String> results = new LinkedHashMap<>();
        long deadline = System.nanoTime() + PROBE_TIMEOUT.toNanos();
        for (Map.Entry<String, CompletableFuture<Void>> r : running.entrySet()) {
            results.put(r.getKey(), outcome(r.getValue(), deadline));
        }
        return new Report(results.values().stream().allMatch(OK::equals), results);
    }

    private static String outcome(CompletableFuture<Void> probe, long deadline) {
        try {
            probe.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return OK;
        } catch (TimeoutException e) {
            probe.cancel(true);
            return "failed: no answer within " + PROBE_TIMEOUT.toMillis() + " ms";
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof ProbeFailed f ? f.getCause() : e.getCause();
            return "failed: " + cause.getClass().getSimpleName() + ": " + cause.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "failed: interrupted";
        }
    }

    @Override
    public void close() {
        probes.shutdownNow();
    }

    private static final class ProbeFailed extends RuntimeException {
        ProbeFailed(Exception cause) {
            super(cause);
        }
    }
}
