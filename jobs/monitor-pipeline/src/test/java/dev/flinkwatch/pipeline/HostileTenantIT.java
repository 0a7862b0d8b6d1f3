package dev.flinkwatch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flinkwatch.fetch.FetchConfig;
import dev.flinkwatch.fetch.FetchFunction;
import dev.flinkwatch.fetch.FetchOptions;
import dev.flinkwatch.fetch.HostResolver;
import dev.flinkwatch.llm.LlmEvaluator;
import dev.flinkwatch.model.Alert;
import dev.flinkwatch.model.AlertKind;
import dev.flinkwatch.model.CheckOutcome;
import dev.flinkwatch.model.CheckResult;
import dev.flinkwatch.model.Condition;
import dev.flinkwatch.model.ModelCodec;
import dev.flinkwatch.model.MonitorEvent;
import dev.flinkwatch.model.MonitorSpec;
import dev.flinkwatch.model.MonitorSpecValidator;
import dev.flinkwatch.model.MonitorStatus;
import dev.flinkwatch.model.Source;
import dev.flinkwatch.model.ValidationLimits;
import dev.flinkwatch.pipeline.alert.AlertDecider;
import dev.flinkwatch.pipeline.sink.MonitorEventDeserializer;
import dev.flinkwatch.render.RenderConfig;
import dev.flinkwatch.render.RenderFunction;
import dev.flinkwatch.testing.FlinkTestCluster;
import dev.flinkwatch.testing.LocalSite;
import dev.flinkwatch.testing.Tarpit;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * One job, two tenants. Tenant B points its monitors at everything hostile a user can: pages full
 * of NUL and other control bytes that change on every check, catastrophic-backtracking patterns
 * (regex conditions, ignore patterns, {@code :matches} selectors) on short and long texts, a page
 * that alternates between two 20,000-line versions, header-then-silence and one-byte-per-second
 * tarpits, 2,000 monitors on one host name and 500 host names on one address. Meanwhile tenant A's
 * 200 monitors on other hosts must be checked on schedule and alert on every change of their pages
 * within two intervals, the job must never restart and the heap must stay bounded.
 *
 * <p>Every page is served over real loopback HTTP; host names resolve through the fetcher's
 * pluggable {@link HostResolver}: {@code a-N.healthy.test} to 127.0.1.1-10 (A), {@code
 * b-N.hostile.test} to 127.0.0.2 (tarpits and many names), {@code popular.hostile.test} to
 * 127.0.0.3, {@code c-*.hostile.test} to 127.0.0.4 (hostile content). Schedule assertions use the
 * pipeline's own timestamps (due time, fetch start) from the check-results topic, never the test's
 * clock against a budget. Measurements (lateness p50/p99, heap, restarts, what B's monitors
 * recorded) are printed and written to {@code target/hostile-tenant/}.
 *
 * <p>{@code -Dhostile.only=patterns,tarpits} runs only the named ingredients of tenant B (names as
 * in {@link #INGREDIENTS}), to find which one a failure comes from.
 */
class HostileTenantIT {
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    static final UUID TENANT_A = TestSpecs.TENANT;
    static final UUID TENANT_B = UUID.fromString("00000000-0000-4000-8000-0000000000b0");

    static final int A_MONITORS = 200;
    static final int A_HOST_NAMES = 20;
    static final int A_ADDRESSES = 10;
    static final int A_INTERVAL_SECONDS = 5;

    /** Checks every A monitor must have had while B was running. */
    static final int A_CHECKS_UNDER_ATTACK = 10;

    static final int HOSTILE_INTERVAL_SECONDS = 2;
    static final int TARPIT_MONITORS_EACH = 50;
    static final int NAMES_ON_ONE_ADDRESS = 500;
    static final int POPULAR_MONITORS = 2_000;
    static final long HEAP_GROWTH_LIMIT = 384L << 20;

    /**
     * Twice the fetcher's in-flight cap per address: a transfer it gave up on must not leave its
     * connection open, or every tarpit check holds one more socket.
     */
    static final int MAX_TARPIT_CONNECTIONS =
            2 * FetchOptions.MAX_CONCURRENT_PER_ADDRESS.defaultValue();

    static final List<String> CATASTROPHIC = List.of("(a+)+$", "(a|aa)+b", "(.*a){20}");
    static final String INGREDIENTS =
            "controlCharacters,patterns,alternatingPages,tarpits,manyNamesOneAddress,popularHost";

    private static final MonitorSpecValidator API_VALIDATOR =
            new MonitorSpecValidator(new ValidationLimits(1));
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir Path checkpoints;

    /** B's monitors of one kind of hostile input, named for the report. */
    record Ingredient(String name, List<MonitorSpec> monitors) {}

    /** Maps the test's host names onto loopback addresses. */
    static final class HostileDns implements HostResolver {
        private static final long serialVersionUID = 1L;

        @Override
        public List<InetAddress> resolve(String host) throws UnknownHostException {
            String h = host.toLowerCase(java.util.Locale.ROOT);
            if (h.startsWith("a-") && h.endsWith(".healthy.test")) {
                int name = Integer.parseInt(h.substring(2, h.indexOf('.')));
                return List.of(address(host, aAddress(name)));
            } else if (h.equals("popular.hostile.test")) {
                return List.of(address(host, "127.0.0.3"));
            } else if (h.startsWith("b-") && h.endsWith(".hostile.test")) {
                return List.of(address(host, "127.0.0.2"));
            } else if (h.startsWith("c-") && h.endsWith(".hostile.test")) {
                return List.of(address(host, "127.0.0.4"));
            }
            return HostResolver.system().resolve(host);
        }

        private static InetAddress address(String host, String ip) throws UnknownHostException {
            return InetAddress.getByAddress(host, InetAddress.getByName(ip).getAddress());
        }
    }

    /**
     * The address of A's host name a-N: two names per address, as independent sites are. (All of A
     * on one address would put A's own first-check burst against the fetcher's per-address cap.)
     */
    static String aAddress(int name) {
        return "127.0.1." + (name % A_ADDRESSES + 1);
    }

    /** Tenant A's sites, one per address. */
    static final class HealthySites implements AutoCloseable {
        final List<LocalSite> sites = new ArrayList<>();

        HealthySites() {
            for (int i = 0; i < A_ADDRESSES; i++) {
                sites.add(LocalSite.start(aAddress(i)));
            }
        }

        /** The site serving A's monitor i (on its host name's address). */
        LocalSite of(int monitor) {
            return sites.get(aName(monitor) % A_ADDRESSES);
        }

        @Override
        public void close() {
            sites.forEach(LocalSite::close);
        }
    }

    /** Everything tenant B serves. */
    static final class HostileSites implements AutoCloseable {
        final Tarpit silence = Tarpit.start("127.0.0.2", Tarpit.Mode.SILENT, 4_000_000);
        final Tarpit trickle = Tarpit.start("127.0.0.2", Tarpit.Mode.TRICKLE, 4_000_000);
        final LocalSite manyNames = LocalSite.start("127.0.0.2");
        final LocalSite popular = LocalSite.start("127.0.0.3");
        final LocalSite content = LocalSite.start("127.0.0.4");

        @Override
        public void close() {
            silence.close();
            trickle.close();
            manyNames.close();
            popular.close();
            content.close();
        }
    }

    @Test
    void oneTenantsHostileInputNeitherStallsNorCrashesTheSharedJob() throws Exception {
        Report report = new Report();
        try (PipelineFixture f = new PipelineFixture();
                HealthySites aSites = new HealthySites();
                HostileSites b = new HostileSites()) {
            f.addTenant(TENANT_B, "hostile");
            List<MonitorSpec> a = tenantA(aSites);
            f.upsertAll(a);
            Configuration conf = f.config(checkpoints);
            conf.set(FetchOptions.ALLOW_LIST, List.of("127.0.0.0/8"));
            // production politeness, so one popular host has more due checks than it may serve
            conf.set(
                    FetchOptions.MIN_DELAY_PER_HOST,
                    FetchOptions.MIN_DELAY_PER_HOST.defaultValue());
            JobClient job = start(f, conf);
            JobWatch watch = new JobWatch(job, report);
            List<Ingredient> ingredients = tenantB(b);
            List<AChange> changes = new ArrayList<>();
            boolean observed = false;
            try (CheckResultLog results = CheckResultLog.follow(f.resultsTopic)) {
                try {
                    watch.await(
                            "A's baselines",
                            Duration.ofSeconds(120),
                            () -> a.stream().allMatch(m -> hasBaseline(results, m)),
                            () ->
                                    "baselines: "
                                            + a.stream()
                                                    .filter(m -> hasBaseline(results, m))
                                                    .count()
                                            + "/"
                                            + a.size()
                                            + ", A's errors so far: "
                                            + errorCodes(
                                                    results.of(
                                                            a.stream()
                                                                    .map(MonitorSpec::id)
                                                                    .toList()),
                                                    Instant.EPOCH,
                                                    Instant.now()));
                    report.heapBefore = usedHeapAfterGc();
                    Instant hostileFrom = Instant.now();
                    report.hostileFrom = hostileFrom;
                    startTenantB(f, ingredients, report);
                    awaitHostileInputEngaged(watch, results, ingredients, b);
                    for (int round = 1; round <= 2; round++) {
                        changes.add(changeEveryPageOfA(f, aSites, a, round, watch));
                    }
                    watch.await(
                            "every A monitor checked "
                                    + A_CHECKS_UNDER_ATTACK
                                    + " times under attack",
                            Duration.ofSeconds(180),
                            () ->
                                    fewestChecksSince(results, a, hostileFrom)
                                            >= A_CHECKS_UNDER_ATTACK,
                            () ->
                                    "fewest checks of an A monitor: "
                                            + fewestChecksSince(results, a, hostileFrom));
                    watch.assertHealthy();
                    observe(report, watch, results, a, hostileFrom, changes, ingredients, b, f);
                    observed = true;

                    assertThat(report.restarts).as("numRestarts").isZero();
                    assertASchedule(results, a, hostileFrom, changes);
                    assertThat(report.heapAfter - report.heapBefore)
                            .as("heap growth while B ran (used after GC)")
                            .isLessThan(HEAP_GROWTH_LIMIT);
                    assertTenantBRecorded(results, ingredients, b, f);
                    if (has(ingredients, "tarpits")) {
                        assertThat(report.tarpitOpenAtEnd)
                                .as("connections to the tarpits' address still open")
                                .isLessThanOrEqualTo(MAX_TARPIT_CONNECTIONS);
                    }
                } finally {
                    if (!observed && report.hostileFrom != null) {
                        observeAfterFailure(report, watch, results, a, changes, ingredients, b, f);
                    }
                    report.write();
                    job.cancel().get();
                }
            }
        }
    }

    /** Tenant B's monitors, accepted by the API's validator, stored and published at once. */
    private static void startTenantB(PipelineFixture f, List<Ingredient> ingredients, Report report)
            throws Exception {
        List<MonitorSpec> specs = ingredients.stream().flatMap(i -> i.monitors().stream()).toList();
        for (MonitorSpec spec : specs) {
            assertThat(API_VALIDATOR.validate(spec))
                    .as("the API accepts %s (%s)", spec.name(), spec.sources())
                    .isEmpty();
        }
        f.upsertAll(specs);
        report.line("tenant A: %d monitors, tenant B: %d monitors", A_MONITORS, specs.size());
    }

    /** Heap, restarts, lateness, detection and what B's monitors recorded, into the report. */
    private static void observe(
            Report report,
            JobWatch watch,
            CheckResultLog results,
            List<MonitorSpec> a,
            Instant hostileFrom,
            List<AChange> changes,
            List<Ingredient> ingredients,
            HostileSites b,
            PipelineFixture f)
            throws Exception {
        report.tarpitOpenAtEnd = b.silence.open() + b.trickle.open();
        report.heapAfter = usedHeapAfterGc();
        List<UUID> aIds = a.stream().map(MonitorSpec::id).toList();
        report.lateness("A before B", latenessOf(results.of(aIds), Instant.EPOCH, hostileFrom));
        report.line(
                "A errors before B started (A's own first-check burst): %s",
                errorCodes(results.of(aIds), Instant.EPOCH, hostileFrom));
        report.lateness("A under attack", latenessOf(results.of(aIds), hostileFrom, Instant.now()));
        for (AChange change : changes) {
            report.detection(change, detectionDelays(results, a, change));
        }
        describeTenantB(report, results, ingredients, b, f);
        report.restarts = watch.numRestarts();
    }

    /** As much of {@link #observe} as a failed run still allows, for the report. */
    private static void observeAfterFailure(
            Report report,
            JobWatch watch,
            CheckResultLog results,
            List<MonitorSpec> a,
            List<AChange> changes,
            List<Ingredient> ingredients,
            HostileSites b,
            PipelineFixture f) {
        try {
            observe(report, watch, results, a, report.hostileFrom, changes, ingredients, b, f);
        } catch (Exception | AssertionError e) {
            report.line("(observation incomplete: %s)", e);
        }
    }

    private static long fewestChecksSince(
            CheckResultLog results, List<MonitorSpec> a, Instant from) {
        return a.stream().mapToLong(m -> checksSince(results, m, from)).min().orElse(0);
    }

    // ---------------------------------------------------------------- tenant A

    /** 200 monitors spread over 20 host names on 10 addresses, any change alerts. */
    private static List<MonitorSpec> tenantA(HealthySites sites) {
        List<MonitorSpec> out = new ArrayList<>();
        for (int i = 0; i < A_MONITORS; i++) {
            sites.of(i).page(aPath(i), aPage(i, 0));
            String url = sites.of(i).url("a-" + aName(i) + ".healthy.test", aPath(i));
            out.add(
                    monitor(
                            TENANT_A,
                            "a-" + i,
                            Source.of(url),
                            A_INTERVAL_SECONDS,
                            Condition.anyChange(),
                            List.of()));
        }
        return out;
    }

    private static int aName(int monitor) {
        return monitor % A_HOST_NAMES;
    }

    private static String aPath(int i) {
        return "/a/" + i;
    }

    private static String aPage(int i, int version) {
        return "<html><body><h1>Item " + i + "</h1><p>version " + version + "</p></body></html>";
    }

    /** One change of every A page; waits for the alert of each in PostgreSQL. */
    private static AChange changeEveryPageOfA(
            PipelineFixture f, HealthySites sites, List<MonitorSpec> a, int round, JobWatch watch) {
        for (int i = 0; i < a.size(); i++) {
            sites.of(i).page(aPath(i), aPage(i, round));
        }
        Instant changedAt = Instant.now();
        Set<String> expected =
                a.stream()
                        .map(
                                m ->
                                        Alert.idFor(
                                                AlertKind.CONDITION_MET,
                                                m.id(),
                                                m.sources().get(0).url(),
                                                AlertDecider.conditionEpisode(0, round)))
                        .collect(Collectors.toSet());
        watch.await(
                "an alert for every A page change of round " + round,
                Duration.ofSeconds(120),
                () -> f.alertsInDb().keySet().containsAll(expected),
                () -> {
                    Set<String> missing = new HashSet<>(expected);
                    missing.removeAll(f.alertsInDb().keySet());
                    return missing.size() + " of " + expected.size() + " alerts missing";
                });
        return new AChange(round, changedAt);
    }

    /**
     * @param changedAt every page had changed: a fetch starting later must see it
     */
    record AChange(int round, Instant changedAt) {}

    private static boolean hasBaseline(CheckResultLog results, MonitorSpec m) {
        return results.of(m.id()).stream().anyMatch(r -> r.outcome() == CheckOutcome.FIRST);
    }

    private static long checksSince(CheckResultLog results, MonitorSpec m, Instant from) {
        return results.of(m.id()).stream().filter(r -> !r.scheduledAt().isBefore(from)).count();
    }

    /** The schedule as the pipeline saw it: no A check failed, every change caught in time. */
    private static void assertASchedule(
            CheckResultLog results,
            List<MonitorSpec> a,
            Instant hostileFrom,
            List<AChange> changes) {
        Duration interval = Duration.ofSeconds(A_INTERVAL_SECONDS);
        for (MonitorSpec m : a) {
            List<CheckResult> rs = results.of(m.id());
            assertThat(rs)
                    .as("A monitor %s: no check failed while B ran", m.name())
                    .noneMatch(
                            r ->
                                    r.outcome() == CheckOutcome.ERROR
                                            && !r.scheduledAt().isBefore(hostileFrom));
            assertThat(checksSince(results, m, hostileFrom))
                    .as("checks of %s under attack", m.name())
                    .isGreaterThanOrEqualTo(A_CHECKS_UNDER_ATTACK);
            assertThat(changed(rs))
                    .as("%s: one CHANGED check per change of its page", m.name())
                    .hasSize(changes.size());
            for (AChange change : changes) {
                CheckResult detecting = detecting(rs, change);
                assertThat(detecting.scheduledAt())
                        .as(
                                "%s round %d was caught by a check due within two intervals of the change",
                                m.name(), change.round())
                        .isBefore(change.changedAt().plus(interval.multipliedBy(2)));
                assertThat(rs)
                        .as(
                                "%s round %d: no check that started after the change missed it",
                                m.name(), change.round())
                        .noneMatch(
                                r ->
                                        r.outcome() == CheckOutcome.UNCHANGED
                                                && r.startedAt().isAfter(change.changedAt())
                                                && r.startedAt().isBefore(detecting.startedAt()));
            }
        }
    }

    /** A's pages change only in rounds, so round r was detected by the r-th CHANGED check. */
    private static CheckResult detecting(List<CheckResult> rs, AChange change) {
        List<CheckResult> changed = changed(rs);
        return changed.size() < change.round() ? null : changed.get(change.round() - 1);
    }

    private static List<CheckResult> changed(List<CheckResult> rs) {
        return rs.stream()
                .filter(r -> r.outcome() == CheckOutcome.CHANGED)
                .sorted(Comparator.comparing(CheckResult::startedAt))
                .toList();
    }

    private static List<Long> detectionDelays(
            CheckResultLog results, List<MonitorSpec> a, AChange change) {
        List<Long> out = new ArrayList<>();
        for (MonitorSpec m : a) {
            CheckResult r = detecting(results.of(m.id()), change);
            if (r != null) {
                out.add(Duration.between(change.changedAt(), r.finishedAt()).toMillis());
            }
        }
        return out;
    }

    /** Error codes of the checks due in [from, to), counted. */
    private static Map<String, Long> errorCodes(List<CheckResult> rs, Instant from, Instant to) {
        return rs.stream()
                .filter(r -> !r.scheduledAt().isBefore(from) && r.scheduledAt().isBefore(to))
                .filter(r -> r.outcome() == CheckOutcome.ERROR)
                .collect(
                        Collectors.groupingBy(
                                CheckResult::errorCode, TreeMap::new, Collectors.counting()));
    }

    /** Fetch start minus due time of each check due in [from, to). */
    private static List<Long> latenessOf(List<CheckResult> rs, Instant from, Instant to) {
        return rs.stream()
                .filter(r -> !r.scheduledAt().isBefore(from) && r.scheduledAt().isBefore(to))
                .filter(r -> r.startedAt() != null)
                .map(r -> Duration.between(r.scheduledAt(), r.startedAt()).toMillis())
                .toList();
    }

    // ---------------------------------------------------------------- tenant B

    private static List<Ingredient> tenantB(HostileSites b) {
        String only = System.getProperty("hostile.only", INGREDIENTS);
        Set<String> wanted = Set.of(only.split(","));
        List<Ingredient> all =
                List.of(
                        controlCharacters(b.content),
                        patterns(b.content),
                        alternatingPages(b.content),
                        tarpits(b),
                        manyNamesOneAddress(b.manyNames),
                        popularHost(b.popular));
        return all.stream().filter(i -> wanted.contains(i.name())).toList();
    }

    /** NUL, C0/C1 controls, ESC sequences, surrogates and invalid UTF-8 in text, JSON and HTML. */
    private static Ingredient controlCharacters(LocalSite site) {
        record Page(
                String path,
                String contentType,
                java.util.function.IntFunction<byte[]> body,
                Condition condition) {}
        List<Page> pages =
                List.of(
                        new Page(
                                "/ctl/plain",
                                "text/plain; charset=utf-8",
                                HostilePages::plain,
                                Condition.anyChange()),
                        new Page(
                                "/ctl/plain-rule",
                                "text/plain; charset=utf-8",
                                HostilePages::plain,
                                Condition.contains("price", true)),
                        new Page(
                                "/ctl/json",
                                "application/json",
                                HostilePages::json,
                                Condition.anyChange()),
                        new Page(
                                "/ctl/html",
                                "text/html; charset=utf-8",
                                HostilePages::html,
                                Condition.anyChange()),
                        new Page(
                                "/ctl/utf16",
                                "text/plain; charset=utf-16le",
                                HostilePages::utf16WithLoneSurrogate,
                                Condition.anyChange()));
        List<MonitorSpec> out = new ArrayList<>();
        for (Page p : pages) {
            site.handle(p.path(), HostilePages.changingEveryRequest(p.contentType(), p.body()));
            out.add(
                    hostile(
                            "ctl" + p.path().replace('/', '-'),
                            Source.of(site.url("c-ctl-" + out.size() + ".hostile.test", p.path())),
                            p.condition(),
                            List.of()));
        }
        return new Ingredient("controlCharacters", out);
    }

    /**
     * Each catastrophic pattern as a regex condition, an ignore pattern and a {@code :matches}
     * selector, on a short (37 characters) and a long (5,000) text, the page changing every check.
     */
    private static Ingredient patterns(LocalSite site) {
        List<MonitorSpec> out = new ArrayList<>();
        for (int p = 0; p < CATASTROPHIC.size(); p++) {
            String pattern = CATASTROPHIC.get(p);
            for (int length : new int[] {37, 5_000}) {
                String text = HostilePages.failingText(pattern, length);
                String base = "/re/" + p + "/" + length;
                site.handle(
                        base + "/plain",
                        HostilePages.changingEveryRequest(
                                "text/plain; charset=utf-8",
                                n -> HostilePages.concat(text, "\ncheck " + n)));
                site.handle(
                        base + "/html",
                        HostilePages.changingEveryRequest(
                                "text/html; charset=utf-8",
                                n ->
                                        HostilePages.concat(
                                                "<html><body><p>",
                                                text,
                                                "</p><p>check " + n + "</p></body></html>")));
                String host = "c-re-" + p + "-" + length + ".hostile.test";
                out.add(
                        hostile(
                                "regex condition " + pattern + " on " + length,
                                Source.of(site.url(host, base + "/plain")),
                                Condition.regex(pattern),
                                List.of()));
                out.add(
                        hostile(
                                "ignore " + pattern + " on " + length,
                                Source.of(site.url(host, base + "/plain")),
                                Condition.anyChange(),
                                List.of(pattern)));
                out.add(
                        hostile(
                                ":matches " + pattern + " on " + length,
                                new Source(
                                        site.url(host, base + "/html"),
                                        "p:matches(" + pattern + ")"),
                                Condition.anyChange(),
                                List.of()));
            }
        }
        return new Ingredient("patterns", out);
    }

    /** Pages that alternate between two 20,000-line versions with no line in common. */
    private static Ingredient alternatingPages(LocalSite site) {
        byte[][] versions = {
            HostilePages.twentyThousandLines(false), HostilePages.twentyThousandLines(true)
        };
        List<MonitorSpec> out = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            String path = "/alt/" + i;
            site.handle(
                    path,
                    HostilePages.changingEveryRequest(
                            "text/plain; charset=utf-8", n -> versions[n % 2]));
            out.add(
                    hostile(
                            "alternating 20,000 lines " + i,
                            Source.of(site.url("c-alt-" + i + ".hostile.test", path)),
                            Condition.anyChange(),
                            List.of()));
        }
        return new Ingredient("alternatingPages", out);
    }

    /** Header-then-silence and one-byte-per-second servers, each monitor on its own host name. */
    private static Ingredient tarpits(HostileSites b) {
        List<MonitorSpec> out = new ArrayList<>();
        for (int i = 0; i < 2 * TARPIT_MONITORS_EACH; i++) {
            Tarpit tarpit = i < TARPIT_MONITORS_EACH ? b.silence : b.trickle;
            out.add(
                    monitor(
                            TENANT_B,
                            "tarpit " + i,
                            Source.of(tarpit.url(bName(i), "/slow/" + i)),
                            10,
                            Condition.anyChange(),
                            List.of()));
        }
        return new Ingredient("tarpits", out);
    }

    /** The rest of the 500 host names on the tarpits' address, with ordinary pages. */
    private static Ingredient manyNamesOneAddress(LocalSite site) {
        List<MonitorSpec> out = new ArrayList<>();
        for (int i = 2 * TARPIT_MONITORS_EACH; i < NAMES_ON_ONE_ADDRESS; i++) {
            site.page("/n/" + i, "<html><body><p>name " + i + "</p></body></html>");
            out.add(
                    monitor(
                            TENANT_B,
                            "name " + i,
                            Source.of(site.url(bName(i), "/n/" + i)),
                            20,
                            Condition.anyChange(),
                            List.of()));
        }
        return new Ingredient("manyNamesOneAddress", out);
    }

    /** 2,000 monitors of one host name: far more due checks than its politeness allows. */
    private static Ingredient popularHost(LocalSite site) {
        List<MonitorSpec> out = new ArrayList<>();
        for (int i = 0; i < POPULAR_MONITORS; i++) {
            site.page("/p/" + i, "<html><body><p>product " + i + "</p></body></html>");
            out.add(
                    monitor(
                            TENANT_B,
                            "popular " + i,
                            Source.of(site.url("popular.hostile.test", "/p/" + i)),
                            10,
                            Condition.anyChange(),
                            List.of()));
        }
        return new Ingredient("popularHost", out);
    }

    private static String bName(int i) {
        return "b-" + i + ".hostile.test";
    }

    /** Waits until every hostile ingredient is actually being exercised. */
    private static void awaitHostileInputEngaged(
            JobWatch watch, CheckResultLog results, List<Ingredient> ingredients, HostileSites b) {
        List<MonitorSpec> content =
                ingredients.stream()
                        .filter(
                                i ->
                                        Set.of("controlCharacters", "patterns", "alternatingPages")
                                                .contains(i.name()))
                        .flatMap(i -> i.monitors().stream())
                        .toList();
        watch.await(
                "every hostile-content monitor checked twice",
                Duration.ofSeconds(120),
                () -> content.stream().allMatch(m -> results.of(m.id()).size() >= 2),
                () ->
                        "not yet checked twice: "
                                + content.stream()
                                        .filter(m -> results.of(m.id()).size() < 2)
                                        .map(m -> m.name() + " (" + results.of(m.id()).size() + ")")
                                        .toList());
        if (has(ingredients, "tarpits")) {
            watch.await(
                    "both tarpits holding connections",
                    Duration.ofSeconds(60),
                    () -> b.silence.accepted() >= 10 && b.trickle.accepted() >= 10,
                    () ->
                            "accepted: silence "
                                    + b.silence.accepted()
                                    + ", trickle "
                                    + b.trickle.accepted());
        }
        if (has(ingredients, "popularHost")) {
            watch.await(
                    "the popular host busy",
                    Duration.ofSeconds(60),
                    () -> b.popular.totalHits() >= 50,
                    () -> "popular host hits: " + b.popular.totalHits());
        }
    }

    private static boolean has(List<Ingredient> ingredients, String name) {
        return ingredients.stream().anyMatch(i -> i.name().equals(name));
    }

    /** Every hostile monitor that can finish a check has recorded results, in PostgreSQL too. */
    private static void assertTenantBRecorded(
            CheckResultLog results, List<Ingredient> ingredients, HostileSites b, PipelineFixture f)
            throws Exception {
        for (Ingredient ingredient : ingredients) {
            for (MonitorSpec m : ingredient.monitors()) {
                for (CheckResult r : results.of(m.id())) {
                    assertThat(Arrays.asList(r.diff(), r.errorMessage()))
                            .as("%s: nothing a database, JSON or a terminal cannot take", m.name())
                            .noneMatch(HostileTenantIT::hasUnsafeCharacters);
                    // every B URL names a host: an address in a message is what it resolved to
                    assertThat(r.errorMessage())
                            .as("%s: the error shows no internal address", m.name())
                            .satisfiesAnyOf(
                                    msg -> assertThat(msg).isNull(),
                                    msg -> assertThat(msg).doesNotContain("127.0.0."));
                }
            }
            switch (ingredient.name()) {
                case "controlCharacters" -> {
                    for (MonitorSpec m : ingredient.monitors()) {
                        assertThat(f.checkRuns(m.id(), "CHANGED"))
                                .as("%s: CHANGED rows stored in PostgreSQL", m.name())
                                .isPositive();
                    }
                }
                case "patterns" -> {
                    for (MonitorSpec m : ingredient.monitors()) {
                        assertThat(results.of(m.id()).size())
                                .as("%s checked again and again", m.name())
                                .isGreaterThanOrEqualTo(2);
                    }
                }
                case "alternatingPages" -> {
                    for (MonitorSpec m : ingredient.monitors()) {
                        assertThat(results.of(m.id()))
                                .as("%s: its changes are recorded", m.name())
                                .filteredOn(r -> r.outcome() == CheckOutcome.CHANGED)
                                .hasSizeGreaterThanOrEqualTo(2);
                    }
                }
                case "popularHost" ->
                        assertThat(b.popular.maxConcurrent())
                                .as("requests in flight to one host name at once")
                                .isLessThanOrEqualTo(
                                        FetchOptions.MAX_CONCURRENT_PER_HOST.defaultValue());
                default -> {}
            }
        }
    }

    private static void describeTenantB(
            Report report,
            CheckResultLog results,
            List<Ingredient> ingredients,
            HostileSites b,
            PipelineFixture f)
            throws Exception {
        for (Ingredient ingredient : ingredients) {
            List<CheckResult> rs =
                    results.of(ingredient.monitors().stream().map(MonitorSpec::id).toList());
            Map<String, Long> outcomes = new TreeMap<>();
            for (CheckResult r : rs) {
                String key = r.outcome() + (r.errorCode() == null ? "" : ":" + r.errorCode());
                outcomes.merge(key, 1L, Long::sum);
            }
            long checked =
                    ingredient.monitors().stream()
                            .filter(m -> !results.of(m.id()).isEmpty())
                            .count();
            report.line(
                    "B %-20s %4d monitors, %4d with results, %6d results %s",
                    ingredient.name(), ingredient.monitors().size(), checked, rs.size(), outcomes);
            Map<String, String> samples = new LinkedHashMap<>();
            for (CheckResult r : rs) {
                if (r.errorMessage() != null) {
                    samples.putIfAbsent(r.errorCode(), r.errorMessage());
                }
                if (r.diff() != null) {
                    samples.putIfAbsent("diff", r.diff());
                }
            }
            samples.forEach((k, v) -> report.line("    %s: %s", k, visible(v, 160)));
            long controls =
                    rs.stream()
                            .filter(
                                    r ->
                                            hasUnsafeCharacters(r.diff())
                                                    || hasUnsafeCharacters(r.errorMessage()))
                            .count();
            if (controls > 0) {
                report.line("    results that still hold unsafe characters: %d", controls);
            }
        }
        report.line(
                "tarpits: silence accepted %d (at most %d open at once), trickle accepted %d (at most %d open at once), %d open at the end",
                b.silence.accepted(),
                b.silence.maxOpen(),
                b.trickle.accepted(),
                b.trickle.maxOpen(),
                report.tarpitOpenAtEnd);
        report.line(
                "127.0.0.2 ordinary site: %d requests, at most %d at once; popular host: %d requests, at most %d at once",
                b.manyNames.totalHits(),
                b.manyNames.maxConcurrent(),
                b.popular.totalHits(),
                b.popular.maxConcurrent());
        report.line("alerts in PostgreSQL: %s", alertsByTenant(f));
        report.line("dead letters (sink, SQLState): %s", deadLetters(f));
    }

    private static Map<String, Integer> alertsByTenant(PipelineFixture f) throws Exception {
        Map<String, Integer> out = new TreeMap<>();
        try (Connection c = f.db.dataSource().getConnection();
                ResultSet rs =
                        c.createStatement()
                                .executeQuery(
                                        "SELECT tenant_id, count(*) FROM alerts GROUP BY tenant_id")) {
            while (rs.next()) {
                UUID t = rs.getObject(1, UUID.class);
                out.put(
                        t.equals(TENANT_A) ? "A" : t.equals(TENANT_B) ? "B" : t.toString(),
                        rs.getInt(2));
            }
        }
        return out;
    }

    /**
     * NUL (PostgreSQL), other C0 controls but tab and line breaks, DEL and C1 controls (terminals),
     * unpaired surrogates (JSON as UTF-8) and the noncharacters U+FFFE/U+FFFF.
     */
    static boolean hasUnsafeCharacters(String s) {
        if (s == null) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)
                    && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                    || (c >= 0x7f && c <= 0x9f)
                    || Character.isSurrogate(c)
                    || c == '\ufffe'
                    || c == '\uffff') {
                return true;
            }
        }
        return false;
    }

    /** Rows PostgreSQL refused and the sinks dead-lettered (sanitized text should leave none). */
    private static Map<String, Integer> deadLetters(PipelineFixture f) throws Exception {
        Map<String, Integer> out = new TreeMap<>();
        try (Connection c = f.db.dataSource().getConnection();
                ResultSet rs =
                        c.createStatement()
                                .executeQuery(
                                        "SELECT sink, sql_state, count(*) FROM dead_letters"
                                                + " GROUP BY sink, sql_state")) {
            while (rs.next()) {
                out.put(rs.getString(1) + " " + rs.getString(2), rs.getInt(3));
            }
        }
        return out;
    }

    /** Control characters shown as escapes, so the report itself stays plain text. */
    private static String visible(String s, int max) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < max; i++) {
            char c = s.charAt(i);
            if (c == '\n') {
                sb.append("\\n");
            } else if (c < 0x20
                    || (c >= 0x7f && c < 0xa0)
                    || Character.isSurrogate(c)
                    || c == '\u202e') {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- specs and job

    private static MonitorSpec hostile(
            String name, Source source, Condition condition, List<String> ignore) {
        return monitor(TENANT_B, name, source, HOSTILE_INTERVAL_SECONDS, condition, ignore);
    }

    private static MonitorSpec monitor(
            UUID tenant,
            String name,
            Source source,
            int interval,
            Condition condition,
            List<String> ignore) {
        return new MonitorSpec(
                UUID.randomUUID(),
                tenant,
                1,
                name,
                List.of(source),
                interval,
                condition,
                ignore,
                null,
                MonitorStatus.ACTIVE);
    }

    /** The production job with the fetcher resolving the test's host names. */
    private static JobClient start(PipelineFixture f, Configuration conf) throws Exception {
        StreamExecutionEnvironment env = f.environment(conf);
        env.setMaxParallelism(conf.get(PipelineOptions.MAX_PARALLELISM));
        FetchConfig fetch = FetchConfig.from(conf);
        KafkaSource<MonitorEvent> monitors =
                KafkaSource.<MonitorEvent>builder()
                        .setBootstrapServers(conf.get(PipelineOptions.KAFKA_BOOTSTRAP_SERVERS))
                        .setTopics(conf.get(PipelineOptions.TOPIC_MONITORS))
                        .setGroupId(conf.get(PipelineOptions.KAFKA_GROUP_ID))
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setDeserializer(new MonitorEventDeserializer())
                        .build();
        MonitorPipeline.build(
                env.fromSource(monitors, WatermarkStrategy.noWatermarks(), "Monitors (Kafka)")
                        .uid("monitors-source"),
                MonitorPipelineJob.committedAlerts(env, conf),
                new FetchFunction(fetch, new HostileDns()),
                new RenderFunction(RenderConfig.from(conf), fetch),
                new LlmEvaluator(PipelineFixture.noLlm()),
                PipelineSettings.from(conf, Duration.ofMillis(FetchFunction.asyncTimeoutMs(fetch))),
                MonitorPipelineJob.sinks(conf));
        return env.executeAsync("hostile-tenant");
    }

    // ---------------------------------------------------------------- observation

    /**
     * The job as the MiniCluster's REST API reports it. Every wait fails at once, with the cause,
     * when the job has failed over; a wait that times out says how far it got and what the
     * pipeline's task threads were doing.
     */
    static final class JobWatch {
        private final JobClient job;
        private final Report report;
        private final URI rest;

        JobWatch(JobClient job, Report report) {
            this.job = job;
            this.report = report;
            Configuration client = FLINK.getClientConfiguration();
            this.rest =
                    URI.create(
                            "http://"
                                    + client.get(RestOptions.ADDRESS)
                                    + ":"
                                    + client.get(RestOptions.PORT));
        }

        void await(
                String what, Duration atMost, Callable<Boolean> done, Callable<String> progress) {
            Instant from = Instant.now();
            try {
                Awaitility.await(what)
                        .atMost(atMost)
                        .pollInterval(Duration.ofSeconds(1))
                        .until(
                                () -> {
                                    assertHealthy();
                                    return done.call();
                                });
                report.line(
                        "%-55s after %5.1f s",
                        what, Duration.between(from, Instant.now()).toMillis() / 1000.0);
            } catch (ConditionTimeoutException e) {
                String why = what + " did not happen within " + atMost + ": " + describe(progress);
                report.line("FAILED: %s", why);
                report.line("%s", taskThreads());
                throw new AssertionError(why + "\n" + taskThreads(), e);
            }
        }

        private static String describe(Callable<String> progress) {
            try {
                return progress.call();
            } catch (Exception e) {
                return "(progress unknown: " + e + ")";
            }
        }

        void assertHealthy() throws Exception {
            JobStatus status = job.getJobStatus().get();
            JsonNode entries =
                    get("/jobs/" + job.getJobID() + "/exceptions?maxExceptions=3")
                            .path("exceptionHistory")
                            .path("entries");
            boolean starting = status == JobStatus.INITIALIZING || status == JobStatus.CREATED;
            if ((status != JobStatus.RUNNING && !starting) || entries.size() > 0) {
                String cause =
                        entries.size() > 0
                                ? firstLines(entries.get(0).path("stacktrace").asText(), 25)
                                : "";
                report.line("FAILED: job %s, failovers: %d\n%s", status, entries.size(), cause);
                throw new AssertionError("the job failed over (" + status + "):\n" + cause);
            }
        }

        /** The job's numRestarts metric (the REST API's metric store fills within seconds). */
        long numRestarts() throws Exception {
            String path = "/jobs/" + job.getJobID() + "/metrics?get=numRestarts";
            JsonNode metric =
                    Awaitility.await("the numRestarts metric")
                            .atMost(Duration.ofSeconds(60))
                            .pollInterval(Duration.ofSeconds(1))
                            .until(() -> get(path), m -> m.size() > 0);
            return metric.get(0).path("value").asLong();
        }

        private JsonNode get(String path) throws Exception {
            HttpResponse<String> response =
                    HTTP.send(
                            HttpRequest.newBuilder(rest.resolve(path))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            return ModelCodec.mapper().readTree(response.body());
        }
    }

    /** Stack tops of the pipeline's task threads: where a stalled operator is stuck. */
    static String taskThreads() {
        StringBuilder sb = new StringBuilder("task threads:\n");
        for (ThreadInfo t : ManagementFactory.getThreadMXBean().dumpAllThreads(false, false)) {
            String name = t.getThreadName();
            if (name.contains("ChangeDetector")
                    || name.contains("Fetch")
                    || name.contains("MonitorScheduler")
                    || name.contains("AlertDecider")) {
                sb.append("  ").append(name).append(" ").append(t.getThreadState()).append('\n');
                Arrays.stream(t.getStackTrace())
                        .limit(8)
                        .forEach(f -> sb.append("      at ").append(f).append('\n'));
            }
        }
        return sb.toString();
    }

    private static String firstLines(String s, int n) {
        return s.lines().limit(n).collect(Collectors.joining("\n"));
    }

    static long usedHeapAfterGc() {
        var memory = ManagementFactory.getMemoryMXBean();
        memory.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    /** What the test measured, printed and written under target/hostile-tenant/. */
    static final class Report {
        final List<String> lines = new ArrayList<>();
        Instant hostileFrom;
        long heapBefore = -1;
        long heapAfter = -1;
        long restarts = -1;
        int tarpitOpenAtEnd = -1;

        synchronized void line(String format, Object... args) {
            lines.add(String.format(format, args));
        }

        void lateness(String what, List<Long> ms) {
            line(
                    "lateness %-16s (fetch start - due) over %5d checks: %s",
                    what, ms.size(), percentiles(ms));
        }

        void detection(AChange change, List<Long> ms) {
            line(
                    "A change round %d: change -> result of the detecting check over %d monitors: %s",
                    change.round(), ms.size(), percentiles(ms));
        }

        static String percentiles(List<Long> ms) {
            if (ms.isEmpty()) {
                return "none";
            }
            long[] sorted = ms.stream().mapToLong(Long::longValue).sorted().toArray();
            return String.format(
                    "p50 %d ms, p99 %d ms, max %d ms",
                    at(sorted, 0.50), at(sorted, 0.99), sorted[sorted.length - 1]);
        }

        private static long at(long[] sorted, double q) {
            return sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)];
        }

        void write() throws Exception {
            long max = Runtime.getRuntime().maxMemory();
            line(
                    "heap used after GC: before B %d MiB, after %d MiB (max heap %d MiB)",
                    heapBefore >> 20, heapAfter >> 20, max >> 20);
            line("numRestarts: %d", restarts);
            String text = String.join("\n", lines) + "\n";
            System.out.println("=== HostileTenantIT\n" + text);
            Path dir = Path.of("target", "hostile-tenant");
            Files.createDirectories(dir);
            Files.writeString(
                    dir.resolve("results-" + Instant.now().toEpochMilli() + ".txt"),
                    text,
                    StandardCharsets.UTF_8);
        }
    }
}
