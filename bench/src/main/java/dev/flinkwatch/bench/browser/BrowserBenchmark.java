package dev.flinkwatch.bench.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkwatch.browser.BrowserConfig;
import dev.flinkwatch.browser.BrowserOptions;
import dev.flinkwatch.browser.BrowserService;
import dev.flinkwatch.fetch.FetchOptions;
import dev.flinkwatch.testing.LocalSite;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.configuration.Configuration;

/**
 * Renders per second of one browser-service instance (cap 2) for a typical JavaScript page, and
 * memory over 500 renders: VmRSS of the JVM and of every Chromium and Playwright driver process it
 * started, before, every 100 renders, and after.
 *
 * <p>The page: ~50 KB of HTML (a product table) plus three scripts that build DOM (a list, a table,
 * text), served by a local site over loopback. Renders go through real HTTP to {@code POST /render}
 * from 4 client threads, so both slots always have work.
 *
 * <p>Run: {@code mvn -B -o -q -pl bench -am compile dependency:build-classpath
 * -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=runtime} then {@code java -cp
 * bench/target/classes:$(cat /tmp/cp.txt) dev.flinkwatch.bench.browser.BrowserBenchmark [renders]};
 * writes {@code bench/results/browser.md}.
 */
public final class BrowserBenchmark {
    private static final int CAP = 2;
    private static final int CLIENTS = 4;
    private static final int WARM_UP = 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private BrowserBenchmark() {}

    public static void main(String[] args) throws Exception {
        int renders = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        try (LocalSite site = LocalSite.start()) {
            String page = typicalPage(site);
            Configuration conf = new Configuration();
            conf.set(BrowserOptions.PORT, 0);
            conf.set(BrowserOptions.MAX_CONCURRENT, CAP);
            conf.set(BrowserOptions.MAX_QUEUED, 2 * CLIENTS);
            conf.set(FetchOptions.ALLOW_LIST, List.of("127.0.0.1/32"));
            try (BrowserService service = BrowserService.start(BrowserConfig.from(conf))) {
                HttpClient http = HttpClient.newHttpClient();
                String endpoint = "http://127.0.0.1:" + service.port() + "/render";
                run(http, endpoint, page, WARM_UP);
                List<String> memory = new ArrayList<>();
                Rss first = rss();
                memory.add(memoryRow(0, first));
                Rss last = first;
                List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
                AtomicInteger failures = new AtomicInteger();
                long start = System.nanoTime();
                long cpuStart = cpuMs();
                for (int done = 0; done < renders; ) {
                    int batch = Math.min(100, renders - done);
                    run(http, endpoint, page, batch, latencies, failures);
                    done += batch;
                    last = rss();
                    memory.add(memoryRow(done, last));
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                double cpuPerRender = (double) (cpuMs() - cpuStart) / renders;
                write(
                        cpuPerRender,
                        renders,
                        seconds,
                        latencies,
                        failures.get(),
                        memory,
                        first.total(),
                        last.total());
            }
        }
    }

    /** ~50 KB of HTML and three scripts that build DOM, as a product listing page does. */
    private static String typicalPage(LocalSite site) {
        StringBuilder rows = new StringBuilder();
        for (int i = 0; rows.length() < 48_000; i++) {
            rows.append("<tr><td class='sku'>SKU-")
                    .append(10_000 + i)
                    .append("</td><td class='name'>Widget model ")
                    .append(i)
                    .append(" with a longer description</td><td class='price'>")
                    .append(10 + i % 90)
                    .append(".99</td></tr>\n");
        }
        site.page(
                "/list.js",
                "const ul = document.createElement('ul');"
                        + "for (let i = 0; i < 300; i++) { const li = document.createElement('li');"
                        + " li.textContent = 'offer ' + i; ul.appendChild(li); }"
                        + "document.body.appendChild(ul);",
                "application/javascript",
                StandardCharsets.UTF_8);
        site.page(
                "/table.js",
                "const t = document.createElement('table');"
                        + "for (let r = 0; r < 50; r++) { const tr = t.insertRow();"
                        + " for (let c = 0; c < 6; c++) tr.insertCell().textContent = r * c; }"
                        + "document.body.appendChild(t);",
                "application/javascript",
                StandardCharsets.UTF_8);
        site.page(
                "/text.js",
                "document.getElementById('stock').textContent = 'In stock: ' + (3 * 7);",
                "application/javascript",
                StandardCharsets.UTF_8);
        String html =
                "<!doctype html><html><head><title>Products</title>"
                        + "<script src='/list.js' defer></script>"
                        + "<script src='/table.js' defer></script>"
                        + "<script src='/text.js' defer></script></head><body>"
                        + "<h1>Products</h1><p id='stock'>loading</p><table>"
                        + rows
                        + "</table></body></html>";
        site.page("/products.html", html);
        System.out.printf("page: %,d chars of HTML + 3 scripts%n", html.length());
        return site.url("/products.html");
    }

    private static void run(HttpClient http, String endpoint, String page, int n) throws Exception {
        run(http, endpoint, page, n, new ArrayList<>(), new AtomicInteger());
    }

    private static void run(
            HttpClient http,
            String endpoint,
            String page,
            int n,
            List<Long> latencies,
            AtomicInteger failures)
            throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            AtomicInteger left = new AtomicInteger(n);
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                futures.add(
                        clients.submit(
                                () -> {
                                    while (left.getAndDecrement() > 0) {
                                        long t = System.nanoTime();
                                        if (!renderOnce(http, endpoint, page)) {
                                            failures.incrementAndGet();
                                        }
                                        latencies.add((System.nanoTime() - t) / 1_000_000);
                                    }
                                    return null;
                                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            clients.shutdownNow();
        }
    }

    private static boolean renderOnce(HttpClient http, String endpoint, String page) {
        try {
            HttpResponse<String> response =
                    http.send(
                            HttpRequest.newBuilder(URI.create(endpoint))
                                    .timeout(Duration.ofSeconds(60))
                                    .header("Content-Type", "application/json")
                                    .POST(
                                            HttpRequest.BodyPublishers.ofString(
                                                    JSON.createObjectNode()
                                                            .put("url", page)
                                                            .toString()))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                System.out.println(
                        "render failed: " + response.statusCode() + " " + response.body());
                return false;
            }
            JsonNode body = JSON.readTree(response.body());
            return body.path("html").asText().contains("In stock: 21");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private record Rss(
            long jvm, long chromium, long drivers, int chromiumProcesses, long heapAfterGc) {
        long total() {
            return jvm + chromium + drivers;
        }
    }

    private static Rss rss() {
        long chromium = 0;
        long drivers = 0;
        int count = 0;
        for (ProcessHandle p : ProcessHandle.current().descendants().toList()) {
            String cmd = cmdline(p);
            long kb = vmRssKb(p.pid());
            if (cmd.contains("chromium")) {
                chromium += kb;
                count++;
            } else if (cmd.contains("playwright") || cmd.contains("run-driver")) {
                drivers += kb;
            }
        }
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1024;
        return new Rss(vmRssKb(ProcessHandle.current().pid()), chromium, drivers, count, heap);
    }

    private static String memoryRow(int renders, Rss r) {
        String row =
                String.format(
                        "| %d | %,d | %,d | %,d | %,d | %d | %,d |",
                        renders,
                        r.jvm() / 1024,
                        r.heapAfterGc() / 1024,
                        r.chromium() / 1024,
                        r.drivers() / 1024,
                        r.chromiumProcesses(),
                        r.total() / 1024);
        System.out.println(row);
        return row;
    }

    private static long vmRssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // exited meanwhile
        }
        return 0;
    }

    private static String cmdline(ProcessHandle p) {
        try {
            return Files.readString(Path.of("/proc/" + p.pid() + "/cmdline")).replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    /** CPU time (user + system) of this JVM and every process it started, in ms. */
    private static long cpuMs() {
        long ticks = 0;
        List<ProcessHandle> all = new ArrayList<>(ProcessHandle.current().descendants().toList());
        all.add(ProcessHandle.current());
        for (ProcessHandle p : all) {
            try {
                String stat = Files.readString(Path.of("/proc/" + p.pid() + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
            } catch (IOException | RuntimeException e) {
                // exited meanwhile
            }
        }
        return ticks * 10; // USER_HZ = 100
    }

    private static void write(
            double cpuPerRender,
            int renders,
            double seconds,
            List<Long> latencies,
            int failures,
            List<String> memory,
            long firstRss,
            long lastRss)
            throws IOException {
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        long p50 = sorted.get(sorted.size() / 2);
        long p99 = sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * 0.99)));
        String report =
                String.format(
                        "# Browser service benchmark (BrowserBenchmark)%n%n"
                                + "One instance, cap %d (two Chromium processes), %d client threads over"
                                + " HTTP, a local page of ~50 KB HTML + 3 DOM-building scripts, images"
                                + " blocked, every request through the SSRF guard.%n"
                                + "Machine: %d CPUs, Java %s, %s, load average at the end %.2f.%n%n"
                                + "| renders | seconds | renders/s | p50 ms | p99 ms | failed | CPU ms per"
                                + " render (JVM + Chromium + drivers) | renders per core-second |%n"
                                + "|---|---|---|---|---|---|---|---|%n"
                                + "| %d | %.1f | **%.1f** | %d | %d | %d | %.0f | %.1f |%n%n"
                                + "Resident memory (VmRSS, MiB) after N measured renders (after %d"
                                + " warm-up renders):%n%n"
                                + "| renders | JVM | JVM heap after GC | Chromium (all processes) |"
                                + " Playwright drivers | Chromium processes | total |%n"
                                + "|---|---|---|---|---|---|---|%n"
                                + "%s%n%n"
                                + "Total RSS before %,d MiB, after %,d MiB (%+.1f%%).%n",
                        CAP,
                        CLIENTS,
                        Runtime.getRuntime().availableProcessors(),
                        System.getProperty("java.version"),
                        Instant.now(),
                        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                        renders,
                        seconds,
                        renders / seconds,
                        p50,
                        p99,
                        failures,
                        cpuPerRender,
                        1000 / cpuPerRender,
                        WARM_UP,
                        String.join("\n", memory),
                        firstRss / 1024,
                        lastRss / 1024,
                        100.0 * (lastRss - firstRss) / Math.max(1, firstRss));
        System.out.print(report);
        Path dir =
                Path.of(
                        System.getProperty(
                                "bench.results",
                                Files.isDirectory(Path.of("bench", "results"))
                                        ? "bench/results"
                                        : "results"));
        Files.writeString(dir.resolve("browser.md"), report, StandardCharsets.UTF_8);
    }
}
