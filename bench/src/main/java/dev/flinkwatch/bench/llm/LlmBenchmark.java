package dev.flinkwatch.bench.llm;

import dev.flinkwatch.flink.FlinkTypes;
import dev.flinkwatch.llm.LlmConfig;
import dev.flinkwatch.llm.LlmEvaluator;
import dev.flinkwatch.llm.LlmRequest;
import dev.flinkwatch.llm.Verdict;
import dev.flinkwatch.llm.VerdictStatus;
import dev.flinkwatch.testing.OpenAiStub;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 * <p>Run: {@code mvn -B -o -q compile exec:java -pl bench
 * -Dexec.mainClass=dev.flinkwatch.bench.llm.LlmBenchmark}; writes {@code bench/results/llm.txt}
 * (directory from {@code -Dbench.results=...}).
 */
public final class LlmBenchmark {
    private static final Duration LATENCY = Duration.ofMillis(200);
    private static final int[] CAPACITIES = {1, 10, 50, 100, 200, 400};

    /** Enough requests for several full rounds of the capacity, at least a few seconds' worth. */
    private static final int ROUNDS = 15;

    private static final int MIN_REQUESTS = 50;

    private LlmBenchmark() {}

    public static void main(String[] args) throws Exception {
        List<String> rows = new ArrayList<>();
        try (OpenAiStub stub = OpenAiStub.start()) {
            stub.answerWith(request -> OpenAiStub.verdict(false, "benchmark", null).after(LATENCY));
            run(stub, 20, 40); // warm-up: JIT, connection pool, Flink classes
            for (int capacity : CAPACITIES) {
                int requests = Math.max(MIN_REQUESTS, capacity * ROUNDS);
                Result result = run(stub, capacity, requests);
                double ideal = capacity * 1000.0 / LATENCY.toMillis();
                rows.add(
                        String.format(
                                "%8d %9d %14.1f %14.1f %10.0f%% %7d",
                                capacity,
                                requests,
                                result.perSecond(),
                                ideal,
                                100 * result.perSecond() / ideal,
                                result.errors()));
                System.out.println(rows.get(rows.size() - 1));
            }
        }
        String report = report(rows);
        System.out.println(report);
        Path dir = Path.of(System.getProperty("bench.results", "bench/results"));
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("llm.txt"), report, StandardCharsets.UTF_8);
        System.out.println("written to " + dir.resolve("llm.txt").toAbsolutePath());
    }

    private record Result(double perSecond, int errors) {}

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
        long last = 0;
        int seen = 0;
        int errors = 0;
        try (CloseableIterator<Verdict> results = verdicts.executeAndCollect("llm-bench")) {
            while (results.hasNext()) {
                Verdict verdict = results.next();
                long now = System.nanoTime();
                if (seen++ == 0) {
                    first = now;
                }
                last = now;
                if (verdict.status() == VerdictStatus.ERROR) {
                    errors++;
                }
            }
        }
        if (seen != count) {
            throw new IllegalStateException("expected " + count + " verdicts, got " + seen);
        }
        double seconds = (last - first) / 1e9;
        return new Result((seen - 1) / seconds, errors);
    }

    private static String report(List<String> rows) throws IOException {
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
                .append("\n\n")
                .append("capacity  requests  evaluations/s  capacity/lat.  efficiency  errors\n");
        rows.forEach(r -> out.append(r).append('\n'));
        return out.toString();
    }
}
