package dev.flinkwatch.bench.fetch;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.flinkwatch.pipeline.fetch.ValidatorMemory;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;

/**
 * The validator memory on a cyclic access trace, the pattern of a fetch subtask that sees every
 * (monitor, URL) pair once per interval in the same order: N pairs (default 1M: 100M monitors at
 * parallelism 100) replayed for several cycles against a memory sized for a fraction of them. Each
 * access looks the pair up (a hit = validators sent) and then stores the response's validators (a
 * 20-byte ETag and a Last-Modified date, fresh strings as from a response), as the fetch stage
 * does. Compared: the 0.x memory (Caffeine bounded by entry count, String keys, a record of Strings
 * and an Instant) and {@link ValidatorMemory} (bytes). Hit rates count cycles after the first
 * (which only fills); bytes per entry are heap used after GC with the memory full, minus before it
 * existed, divided by its entries.
 *
 * <p>Run with {@code bench/run.sh dev.flinkwatch.bench.fetch.ConditionalGetMemoryBenchmark [pairs]
 * [cycles] [fractions]} ({@code BENCH_JAVA_OPTS=-Xmx3g}); appends to {@code
 * bench/results/conditional-get.md}.
 */
public final class ConditionalGetMemoryBenchmark {
    private static final String LAST_MODIFIED = "Wed, 02 Dec 2026 21:00:00 GMT";
    private static final Instant T0 = Instant.parse("2026-12-02T21:00:00Z");

    private ConditionalGetMemoryBenchmark() {}

    /** One design under test: look a pair up (true = validators known), then store a response's. */
    private interface Memory {
        boolean lookup(int pair);

        void remember(int pair, int cycle);

        long entries();
    }

    private static UUID[] monitors;
    private static String[] urls;

    public static void main(String[] args) throws Exception {
        int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int cycles = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        String fractions = args.length > 2 ? args[2] : "0.2,0.5,1.0";
        SplittableRandom random = new SplittableRandom(13);
        monitors = new UUID[pairs];
        urls = new String[pairs];
        for (int i = 0; i < pairs; i++) {
            monitors[i] = new UUID(random.nextLong(), random.nextLong());
            urls[i] = "https://shop" + (i % 5000) + ".example/products/item-" + i + "?ref=watch";
        }
        List<String> rows = new ArrayList<>();
        for (String f : fractions.split(",")) {
            double fraction = Double.parseDouble(f);
            long capacity = (long) (fraction * pairs);
            rows.add(
                    run(
                            "0.x: entry count, String keys",
                            pairs,
                            cycles,
                            fraction,
                            legacy(capacity)));
            LongAdder evictions = new LongAdder();
            ValidatorMemory bytes =
                    new ValidatorMemory(
                            capacity * ValidatorMemory.TYPICAL_ENTRY_BYTES, evictions::increment);
            rows.add(run("bytes (ValidatorMemory)", pairs, cycles, fraction, of(bytes)));
        }
        String report =
                String.format(
                        Locale.ROOT,
                        "%n## Cyclic trace, %,d pairs, %d cycles (%s, %s, Java %s, max heap %d MB)%n%n"
                                + "| memory | sized for | hit rate (cycles 2..%d) | entries held |"
                                + " heap bytes per entry | ns per access |%n"
                                + "|---|---|---|---|---|---|%n%s",
                        pairs,
                        cycles,
                        Instant.now(),
                        Runtime.getRuntime().availableProcessors() + " cores",
                        System.getProperty("java.version"),
                        Runtime.getRuntime().maxMemory() >> 20,
                        cycles,
                        String.join("", rows));
        System.out.print(report);
        String defaultDir = Files.isDirectory(Path.of("bench")) ? "bench/results" : "results";
        Path dir = Path.of(System.getProperty("bench.results", defaultDir));
        Files.createDirectories(dir);
        Files.writeString(
                dir.resolve("conditional-get.md"),
                report,
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    private static String run(String name, int pairs, int cycles, double fraction, Memory memory) {
        long before = usedHeapAfterGc();
        long hits = 0;
        long accesses = 0;
        long entriesFull = 0;
        long heapFull = 0;
        long startNanos = 0;
        for (int cycle = 0; cycle < cycles; cycle++) {
            if (cycle == 1) {
                entriesFull = memory.entries();
                heapFull = usedHeapAfterGc() - before;
                startNanos = System.nanoTime();
            }
            for (int i = 0; i < pairs; i++) {
                boolean hit = memory.lookup(i);
                if (cycle > 0) {
                    accesses++;
                    hits += hit ? 1 : 0;
                }
                memory.remember(i, cycle);
            }
        }
        double nsPerAccess = (System.nanoTime() - startNanos) / (double) Math.max(1, accesses);
        String row =
                String.format(
                        Locale.ROOT,
                        "| %s | %.0f%% (%,d) | %.1f%% | %,d | %d | %.0f |%n",
                        name,
                        fraction * 100,
                        (long) (fraction * pairs),
                        100.0 * hits / Math.max(1, accesses),
                        entriesFull,
                        entriesFull == 0 ? 0 : heapFull / entriesFull,
                        nsPerAccess);
        System.out.print(row);
        return row;
    }

    private static Memory of(ValidatorMemory memory) {
        return new Memory() {
            @Override
            public boolean lookup(int pair) {
                return memory.lookup(monitors[pair], urls[pair], 1) != null;
            }

            @Override
            public void remember(int pair, int cycle) {
                memory.remember(
                        monitors[pair],
                        urls[pair],
                        1,
                        started(pair, cycle),
                        etag(pair, cycle),
                        new String(LAST_MODIFIED));
            }

            @Override
            public long entries() {
                return memory.entries();
            }
        };
    }

    /** The 0.x memory as it was: what the claim is about. */
    private record LegacyValidators(
            String etag, String lastModified, long specVersion, Instant fetchStartedAt) {}

    private static Memory legacy(long capacity) {
        Cache<String, LegacyValidators> cache =
                Caffeine.newBuilder().maximumSize(capacity).executor(Runnable::run).build();
        return new Memory() {
            @Override
            public boolean lookup(int pair) {
                LegacyValidators known = cache.getIfPresent(monitors[pair] + " " + urls[pair]);
                return known != null && known.specVersion() == 1;
            }

            @Override
            public void remember(int pair, int cycle) {
                cache.put(
                        monitors[pair] + " " + urls[pair],
                        new LegacyValidators(
                                etag(pair, cycle),
                                new String(LAST_MODIFIED),
                                1,
                                started(pair, cycle)));
            }

            @Override
            public long entries() {
                cache.cleanUp();
                return cache.estimatedSize();
            }
        };
    }

    private static String etag(int pair, int cycle) {
        return String.format(Locale.ROOT, "\"%010x-%06x\"", pair, cycle); // 20 bytes
    }

    private static Instant started(int pair, int cycle) {
        return T0.plusSeconds(300L * cycle).plusNanos(pair);
    }

    private static long usedHeapAfterGc() {
        var memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
