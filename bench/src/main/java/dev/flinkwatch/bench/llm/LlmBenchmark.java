package dev.flinkwatch.bench.llm;

import dev.flinkwatch.flink.FlinkTypes;
import dev.flinkwatch.llm.LlmConfig;
import dev.flinkwatch.llm.LlmEvaluator;
import dev.flinkwatch.llm.LlmRequest;
import dev.flinkwatch.llm.Verdict;
import dev.flinkwatch.llm.VerdictStatus;
import dev.flinkwatch.testing.OpenAiStub;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * Evaluations per second of the LLM evaluator as a function of its in-flight capacity, against the
 * local OpenAI-compatible stub answering every call after a fixed latency. Async I/O predicts
 * throughput = capacity / latency until something else (CPU, the HTTP stack) limits it.
 *
 * <p>Each capacity runs one Flink job (local MiniCluster, parallelism 1, keyed by the routing key
 * as in production) over requests with distinct content, so every request is a real HTTP call (no
 * cache hits). The rate is measured between the first and the last verdict, so job start-up is not
 * counted.
 *
 * <p>Run (a separate JVM: Flink's MiniCluster does not work inside exec:java's class loader):
 * {@code mvn -B -o -q compile exec:exec -pl bench -Dexec.executable=java "-Dexec.args=-cp
 * %classpath dev.flinkwatch.bench.llm.LlmBenchmark"}; writes {@code bench/results/llm.txt} (another
 * directory with {@code -Dbench.results=...}).
 */
public final class LlmBenchmark {
    private static final Duration LATENCY = Duration.ofMillis(200);
    private static final String CAPACITIES = "1,10,50,100,200,400";

    /** Enough requests for several full rounds of the capacity, at least a few seconds' worth. */
    private static final int ROUNDS = 15;

    private static final int MIN_REQUESTS = 50;

    /** Runs per capacity: the machine is shared, so the best run is the least disturbed. */
    private static final int REPEATS = 3;

    private LlmBenchmark() {}

    public static void main(String[] args) throws Exception {
        // The JDK HTTP server behind the stub otherwise leaves Nagle on: +40 ms per call.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        List<String> rows = new ArrayList<>();
        try (OpenAiStub stub = OpenAiStub.start()) {
            stub.answerWith(request -> OpenAiStub.verdict(false, "benchmark", null).after(LATENCY));
            run(stub, 20, 40); // warm-up: JIT, connection pool, Flink classes
            for (String c : System.getProperty("bench.capacities", CAPACITIES).split(",")) {
                int capacity = Integer.parseInt(c.strip());
                int requests = Math.max(MIN_REQUESTS, capacity * ROUNDS);
                List<Result> runs = new ArrayList<>();
                for (int i = 0; i < REPEATS; i++) {
                    runs.add(run(stub, capacity, requests));
                }
                runs.sort(Comparator.comparingDouble(Result::perSecond));
                Result best = runs.get(runs.size() - 1);
                Result median = runs.get(runs.size() / 2);
                double ideal = capacity * 1000.0 / LATENCY.toMillis();
                rows.add(
                        String.format(
                                "%8d %9d %12.1f %13.1f %14.1f %10.0f%% %12.2f %7d",
                                capacity,
                                requests,
                                best.perSecond(),
                                median.perSecond(),
                                ideal,
                                100 * best.perSecond() / ideal,
                                best.cpuMsPerEvaluation(),
                                runs.stream().mapToInt(Result::errors).sum()));
                System.out.println(rows.get(rows.size() - 1));
            }
        }
        String report = report(rows);
        System.out.println(report);
        Path dir = Path.of(System.getProperty("bench.results", resultsDir()));
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("llm.txt"), report, StandardCharsets.UTF_8);
        System.out.println("written to " + dir.resolve("llm.txt").toAbsolutePath());
    }

    /** bench/results from the repository root, results/ from the bench module (exec's cwd). */
    private static String resultsDir() {
        return Files.isDirectory(Path.of("bench", "results")) ? "bench/results" : "results";
    }

    /**
     * @param perSecond verdicts per second between the first and the last
     * @param cpuMsPerEvaluation CPU time of the whole process (Flink, evaluator, HTTP client and
     *     the stub server) per evaluation, over the same interval
     * @param errors ERROR verdicts (should be 0)
     */
    private record Result(double perSecond, double cpuMsPerEvaluation, int errors) {}

    private static Result run(OpenAiStub stub, int capacity, int count) throws Exception {
        LlmConfig config =
                LlmConfig.fromEnv(
                        Map.of(
                                "OPENAI_BASE_URL",
                                stub.baseUrl(),
                                "MONITOR_LLM_MODEL",
                                "bench-model",
                                "MONITOR_LLM_MAX_IN_FLIGHT",
                                String.valueOf(capacity),
                                "MONITOR_LLM_TENANT_DAILY_TOKENS",
                                "0"));
        List<LlmRequest> requests = new ArrayList<>(count);
        UUID tenant = UUID.randomUUID();
        for (int i = 0; i < count; i++) {
            String text = "Blue kettle, item " + UUID.randomUUID() + ", price $" + (40 + i % 30);
            requests.add(
                    new LlmRequest(
                            UUID.randomUUID(),
                            tenant,
                            "https://shop.example/kettle",
                            "alert me when the price drops below $50",
                            "+ " + text,
                            text,
                            UUID.randomUUID().toString(),
                            1,
                            Instant.now()));
        }
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        FlinkTypes.apply(new Configuration()));
        env.setParallelism(1);
        DataStream<LlmRequest> input = env.fromData(requests, FlinkTypes.info(LlmRequest.class));
        DataStream<Verdict> verdicts =
                AsyncDataStream.unorderedWait(
                        input.keyBy(LlmRequest::routingKey, Types.STRING),
                        new LlmEvaluator(config),
                        config.recommendedAsyncTimeout().toMillis(),
                        TimeUnit.MILLISECONDS,
                        capacity);
        long first = 0;
        long firstCpu = 0;
        long lastCpu = 0;
        long last = 0;
        int seen = 0;
        int errors = 0;
        try (CloseableIterator<Verdict> results = verdicts.executeAndCollect("llm-bench")) {
            while (results.hasNext()) {
                Verdict verdict = results.next();
                long now = System.nanoTime();
                long cpu = processCpuNanos();
                if (seen++ == 0) {
                    first = now;
                    firstCpu = cpu;
                }
                last = now;
                lastCpu = cpu;
                if (verdict.status() == VerdictStatus.ERROR) {
                    errors++;
                }
            }
        }
        if (seen != count) {
            throw new IllegalStateException("expected " + count + " verdicts, got " + seen);
        }
        double seconds = (last - first) / 1e9;
        double cpuMs = (lastCpu - firstCpu) / 1e6 / (seen - 1);
        return new Result((seen - 1) / seconds, cpuMs, errors);
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "n/a";
        }
    }

    private static String report(List<String> rows) {
        StringBuilder out = new StringBuilder();
        out.append("LLM evaluator throughput vs in-flight capacity\n")
                .append("stub latency ")
                .append(LATENCY.toMillis())
                .append(" ms per call; 1 Flink subtask; every request a distinct content (no")
                .append(" cache hits); rate between first and last verdict\n")
                .append("machine: ")
                .append(Runtime.getRuntime().availableProcessors())
                .append(" CPUs, Java ")
                .append(System.getProperty("java.version"))
                .append(", ")
                .append(Instant.now())
                .append(", load average at the end ")
                .append(loadAverage())
                .append("\n")
                .append("best and median of ")
                .append(REPEATS)
                .append(" runs per capacity; efficiency = best / (capacity / latency); cpu = whole")
                .append(
                        " process (Flink, evaluator, HTTP client and the stub server) per evaluation\n\n")
                .append(
                        String.format(
                                "%8s %9s %12s %13s %14s %11s %12s %7s%n",
                                "capacity",
                                "requests",
                                "best eval/s",
                                "median eval/s",
                                "capacity/lat.",
                                "efficiency",
                                "cpu ms/eval",
                                "errors"));
        rows.forEach(r -> out.append(r).append('\n'));
        return out.toString();
    }
}
