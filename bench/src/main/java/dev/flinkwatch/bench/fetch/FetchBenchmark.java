package dev.flinkwatch.bench.fetch;

import static org.asynchttpclient.Dsl.asyncHttpClient;

import dev.flinkwatch.fetch.FetchConfig;
import dev.flinkwatch.fetch.FetchFunction;
import dev.flinkwatch.fetch.FetchOptions;
import dev.flinkwatch.fetch.FetchResult;
import dev.flinkwatch.fetch.FetchStatus;
import dev.flinkwatch.fetch.HostResolver;
import dev.flinkwatch.flink.FlinkTypes;
import dev.flinkwatch.model.CheckRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.asynchttpclient.AsyncHttpClient;
import org.asynchttpclient.DefaultAsyncHttpClientConfig;
import org.asynchttpclient.Response;

/**
 * Fetch throughput of {@link FetchFunction} inside a Flink job (local MiniCluster, requests keyed
 * by host, {@code AsyncDataStream.unorderedWait}) next to the raw rate a plain async-http-client
 * loop reaches against the same server with the same concurrency and keep-alive, measured in the
 * same run. Also records wrk's rate when wrk is installed (a C load generator: the loopback
 * ceiling, not a like-for-like comparison).
 *
 * <p>The target is the nginx site of {@code /work/shared/bench/target-site.sh start} (8.5 KB pages
 * {@code /p/0..999.html} on 127.0.0.1:18080). Requests use {@value #HOSTS} host names that resolve
 * to 127.0.0.1 (allow-listed), as production spreads hosts over subtasks; politeness is off (no
 * minimum delay, a per-host cap above the concurrency) because one local server stands in for many
 * sites. Full fetch path otherwise: SSRF guard, robots.txt (a cached 404), streaming body cap,
 * charset decoding, retries, metrics. Rates are counted between the first and the last result, so
 * job start-up is not included.
 *
 * <p>Run (exec:java's class loader hides Flink classes from the MiniCluster, so fork a JVM): {@code
 * mvn -B -o -q compile exec:exec -pl bench -Dexec.executable=java "-Dexec.args=-Xmx2g -cp
 * %classpath dev.flinkwatch.bench.fetch.FetchBenchmark"}; writes {@code bench/results/fetch.txt}
 * (directory from {@code -Dbench.results=...}). Options: {@code
 * -Dbench.fetch.base=http://127.0.0.1:18080}, {@code -Dbench.fetch.requests=60000}, {@code
 * -Dbench.fetch.rounds=3}, {@code -Dbench.fetch.parallelism=2}, {@code -Dbench.fetch.capacity=128}
 * (in flight per subtask).
 */
public final class FetchBenchmark {
    private static final int HOSTS = 64;
    private static final int PAGES = 1000;

    private static final String BASE =
            System.getProperty("bench.fetch.base", "http://127.0.0.1:18080");
    private static final int REQUESTS = Integer.getInteger("bench.fetch.requests", 60_000);
    private static final int PARALLELISM = Integer.getInteger("bench.fetch.parallelism", 2);
    private static final int CAPACITY = Integer.getInteger("bench.fetch.capacity", 128);
    private static final int ROUNDS = Integer.getInteger("bench.fetch.rounds", 3);

    // The job runs in this JVM (MiniCluster): results are timed through static counters.
    private static final AtomicLong FIRST_RESULT = new AtomicLong();
    private static final AtomicLong LAST_RESULT = new AtomicLong();

    private FetchBenchmark() {}

    public static void main(String[] args) throws Exception {
        URI base = URI.create(BASE);
        requireServer(base);
        int concurrency = PARALLELISM * CAPACITY;
        System.out.printf(
                "target %s, %d requests, parallelism %d x capacity %d = %d in flight%n",
                base, REQUESTS, PARALLELISM, CAPACITY, concurrency);

        rawClientRate(base, REQUESTS / 5, concurrency); // warm-up: JIT, connections
        flinkRate(base, REQUESTS / 5); // warm-up: JIT, Flink classes
        // The machine is shared: alternate the two in rounds and compare medians.
        List<Double> raws = new ArrayList<>();
        List<JobRun> flinks = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            if (round % 2 == 1) {
                flinks.add(flinkRate(base, REQUESTS));
            }
            raws.add(rawClientRate(base, REQUESTS, concurrency));
            if (round % 2 == 0) {
                flinks.add(flinkRate(base, REQUESTS));
            }
            System.out.printf(
                    "round %d: raw %.0f/s, FetchFunction %.0f/s%n",
                    round + 1, raws.get(round), flinks.get(round).rate);
        }
        String wrk = wrkRate(base);
        String report = report(base, concurrency, raws, flinks, wrk);
        System.out.println(report);
        // From the repository root (java -cp) or from bench/ (mvn exec:exec runs there).
        String defaultDir = Files.isDirectory(Path.of("bench")) ? "bench/results" : "results";
        Path dir = Path.of(System.getProperty("bench.results", defaultDir));
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("fetch.txt"), report, StandardCharsets.UTF_8);
        System.out.println("written to " + dir.resolve("fetch.txt").toAbsolutePath());
        System.exit(0); // netty and Flink leave non-daemon threads behind
    }

    private record JobRun(double rate, long notOk) {}

    private static JobRun flinkRate(URI base, int requests) throws Exception {
        Configuration conf = new Configuration();
        conf.set(FetchOptions.ALLOW_LIST, List.of("127.0.0.1/32"));
        conf.set(FetchOptions.MIN_DELAY_PER_HOST, Duration.ZERO);
        conf.set(FetchOptions.MAX_CONCURRENT_PER_HOST, CAPACITY * PARALLELISM);
        conf.set(FetchOptions.MAX_BODY_SIZE, MemorySize.parse("5mb"));
        FetchConfig config = FetchConfig.from(conf);
        String scheme = base.getScheme();
        int port = base.getPort();

        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        FlinkTypes.apply(new Configuration()));
        env.setParallelism(PARALLELISM);
        DataStream<CheckRequest> checks =
                env.fromSequence(0, requests - 1)
                        .map(i -> request(scheme, port, i))
                        .returns(TypeInformation.of(CheckRequest.class));
        DataStream<Integer> notOk =
                AsyncDataStream.unorderedWait(
                                checks.keyBy(FetchFunction.byHost()),
                                new FetchFunction(config, benchHosts()),
                                FetchFunction.asyncTimeoutMs(config),
                                TimeUnit.MILLISECONDS,
                                CAPACITY)
                        .map(new TimedOutcome())
                        .returns(Integer.class);
        FIRST_RESULT.set(0);
        long failures = 0;
        long received = 0;
        try (CloseableIterator<Integer> results = notOk.executeAndCollect("fetch-benchmark")) {
            while (results.hasNext()) {
                failures += results.next();
                received++;
            }
        }
        if (received != requests) {
            throw new IllegalStateException("expected " + requests + " results, got " + received);
        }
        double seconds = (LAST_RESULT.get() - FIRST_RESULT.get()) / 1e9;
        return new JobRun((requests - 1) / seconds, failures);
    }

    private static CheckRequest request(String scheme, int port, long i) {
        String url =
                scheme + "://h" + (i % HOSTS) + ".bench:" + port + "/p/" + (i % PAGES) + ".html";
        return new CheckRequest(
                new UUID(0, i),
                new UUID(0, 1),
                1,
                url,
                null,
                null,
                Instant.EPOCH,
                null,
                null,
                null,
                null);
    }

    /** hN.bench resolves to 127.0.0.1; nothing else resolves. */
    private static HostResolver benchHosts() {
        return host -> {
            if (host.endsWith(".bench")) {
                return List.of(InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1}));
            }
            throw new UnknownHostException(host);
        };
    }

    /** Marks first and last result time; emits 1 for a result that is not OK. */
    private static final class TimedOutcome implements MapFunction<FetchResult, Integer> {
        @Override
        public Integer map(FetchResult result) {
            long now = System.nanoTime();
            FIRST_RESULT.compareAndSet(0, now);
            LAST_RESULT.accumulateAndGet(now, Math::max);
            return result.status() == FetchStatus.OK ? 0 : 1;
        }
    }

    /** The same pages with plain async-http-client: same concurrency, keep-alive, bodies read. */
    private static double rawClientRate(URI base, int requests, int concurrency) throws Exception {
        try (AsyncHttpClient client =
                asyncHttpClient(
                        new DefaultAsyncHttpClientConfig.Builder()
                                .setKeepAlive(true)
                                .setIoThreadsCount(PARALLELISM * 2)
                                .setCookieStore(null)
                                .build())) {
            Semaphore inFlight = new Semaphore(concurrency);
            CountDownLatch done = new CountDownLatch(requests);
            AtomicLong failures = new AtomicLong();
            long start = System.nanoTime();
            for (int i = 0; i < requests; i++) {
                inFlight.acquire();
                client.prepareGet(base.resolve("/p/" + (i % PAGES) + ".html").toString())
                        .execute()
                        .toCompletableFuture()
                        .whenComplete(
                                (Response r, Throwable e) -> {
                                    if (e != null || r.getStatusCode() != 200) {
                                        failures.incrementAndGet();
                                    }
                                    inFlight.release();
                                    done.countDown();
                                });
            }
            done.await();
            double seconds = (System.nanoTime() - start) / 1e9;
            if (failures.get() > 0) {
                throw new IllegalStateException(failures.get() + " raw requests failed");
            }
            return requests / seconds;
        }
    }

    /** wrk's requests/s (2 threads, 64 connections, 10 s), or a note when wrk is missing. */
    private static String wrkRate(URI base) {
        try {
            Process wrk =
                    new ProcessBuilder(
                                    "wrk",
                                    "-t2",
                                    "-c64",
                                    "-d10s",
                                    base.resolve("/page.html").toString())
                            .redirectErrorStream(true)
                            .start();
            String out = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            wrk.waitFor(60, TimeUnit.SECONDS);
            return out.lines()
                    .filter(l -> l.startsWith("Requests/sec"))
                    .map(l -> l.replace("Requests/sec:", "").trim())
                    .findFirst()
                    .orElse("n/a");
        } catch (IOException e) {
            return "n/a (wrk not installed)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "n/a";
        }
    }

    private static void requireServer(URI base) throws Exception {
        try {
            HttpResponse<Void> response =
                    HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(base.resolve("/p/0.html")).build(),
                                    HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() != 200) {
                throw new IOException("status " + response.statusCode());
            }
        } catch (IOException e) {
            System.err.println(
                    "No target site at "
                            + base
                            + " ("
                            + e.getMessage()
                            + "): run /work/shared/bench/target-site.sh start");
            System.exit(2);
        }
    }

    private static String report(
            URI base, int concurrency, List<Double> raws, List<JobRun> flinks, String wrk) {
        double raw = median(raws);
        double flink = median(flinks.stream().map(JobRun::rate).toList());
        long notOk = flinks.stream().mapToLong(JobRun::notOk).sum();
        int cores = Runtime.getRuntime().availableProcessors();
        List<String> lines = new ArrayList<>();
        lines.add(
                "# Fetch throughput: FetchFunction in a Flink job vs. a plain client loop (same run)");
        lines.add(
                "# measured "
                        + Instant.now()
                        + " on "
                        + cores
                        + " cores (shared); target "
                        + base
                        + " (nginx, 8.5 KB pages, keep-alive)");
        lines.add(
                "# "
                        + REQUESTS
                        + " fetches per run, "
                        + ROUNDS
                        + " alternating rounds; "
                        + concurrency
                        + " in flight (Flink: parallelism "
                        + PARALLELISM
                        + " x capacity "
                        + CAPACITY
                        + ", keyed by "
                        + HOSTS
                        + " host names)");
        for (int i = 0; i < ROUNDS; i++) {
            lines.add(
                    String.format(
                            "# round %d: raw %.0f/s, FetchFunction %.0f/s",
                            i + 1, raws.get(i), flinks.get(i).rate));
        }
        lines.add(String.format("raw async-http-client loop     %10.0f fetches/s (median)", raw));
        lines.add(
                String.format(
                        "FetchFunction in MiniCluster   %10.0f fetches/s (median; %d results not OK)",
                        flink, notOk));
        lines.add(String.format("ratio                          %10.0f %%", 100 * flink / raw));
        lines.add(
                "wrk -t2 -c64 /page.html        "
                        + wrk
                        + " requests/s (C load generator, loopback ceiling)");
        lines.add("");
        return String.join("\n", lines);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
