package dev.flinkwatch.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MonitorSpecValidatorTest {
    private static final MonitorSpecValidator VALIDATOR =
            new MonitorSpecValidator(ValidationLimits.DEFAULTS);
    private static final UUID CHANNEL = UUID.randomUUID();

    private static MonitorSpec valid() {
        return new MonitorSpec(
                UUID.randomUUID(),
                UUID.randomUUID(),
                1,
                "Widget price",
                List.of(new Source("https://shop.example/widget", "#price")),
                300,
                Condition.number(ComparisonOp.LT, 50),
                List.of("\\d+ people viewing"),
                Notify.ofWebhook("https://hooks.example/x"),
                MonitorStatus.ACTIVE);
    }

    /** A copy of the valid spec with one component replaced. */
    private static final class Edit {
        String name = valid().name();
        List<Source> sources = valid().sources();
        int interval = valid().intervalSeconds();
        Condition condition = valid().condition();
        List<String> ignore = valid().ignore();
        Notify notify = valid().notification();
        MonitorStatus status = valid().status();

        MonitorSpec build() {
            return new MonitorSpec(
                    UUID.randomUUID(),
                    UUID.randomUUID(),
                    1,
                    name,
                    sources,
                    interval,
                    condition,
                    ignore,
                    notify,
                    status);
        }
    }

    private static MonitorSpec edit(java.util.function.Consumer<Edit> change) {
        Edit e = new Edit();
        change.accept(e);
        return e.build();
    }

    private static List<Source> urls(String... urls) {
        return Stream.of(urls).map(Source::of).toList();
    }

    static Stream<Arguments> invalidSpecs() {
        String long201 = "x".repeat(201);
        List<Source> withNull = new ArrayList<>();
        withNull.add(null);
        List<String> nullIgnore = new ArrayList<>();
        nullIgnore.add(null);
        return Stream.of(
                Arguments.of(edit(e -> e.name = null), "name", "is required"),
                Arguments.of(edit(e -> e.name = "   "), "name", "is required"),
                Arguments.of(edit(e -> e.name = long201), "name", "must be at most 200 characters"),
                Arguments.of(edit(e -> e.sources = null), "sources", "is required"),
                Arguments.of(
                        edit(e -> e.sources = List.of()), "sources", "must have at least 1 source"),
                Arguments.of(
                        edit(
                                e ->
                                        e.sources =
                                                IntStream.range(0, 21)
                                                        .mapToObj(
                                                                i ->
                                                                        Source.of(
                                                                                "https://a.example/"
                                                                                        + i))
                                                        .toList()),
                        "sources",
                        "must have at most 20 sources"),
                Arguments.of(edit(e -> e.sources = withNull), "sources[0]", "is required"),
                Arguments.of(
                        edit(e -> e.sources = urls((String) null)),
                        "sources[0].url",
                        "is required"),
                Arguments.of(
                        edit(e -> e.sources = urls("ftp://shop.example/x")),
                        "sources[0].url",
                        "must be an http or https URL"),
                Arguments.of(
                        edit(e -> e.sources = urls("file:///etc/passwd")),
                        "sources[0].url",
                        "must be an http or https URL"),
                Arguments.of(
                        edit(e -> e.sources = urls("javascript:alert(1)")),
                        "sources[0].url",
                        "must be an http or https URL"),
                Arguments.of(
                        edit(e -> e.sources = urls("shop.example/widget")),
                        "sources[0].url",
                        "must be an http or https URL"),
                Arguments.of(
                        edit(e -> e.sources = urls("https:///nohost")),
                        "sources[0].url",
                        "must have a valid host name"),
                Arguments.of(
                        edit(e -> e.sources = urls("https://user:pw@shop.example/")),
                        "sources[0].url",
                        "must not contain user credentials"),
                Arguments.of(
                        edit(e -> e.sources = urls("https://shop.example/a b")),
                        "sources[0].url",
                        "must be a valid URL: Illegal character in path"),
                Arguments.of(
                        edit(e -> e.sources = urls("https://shop.example/" + "a".repeat(2040))),
                        "sources[0].url",
                        "must be at most 2048 characters"),
                Arguments.of(
                        edit(
                                e ->
                                        e.sources =
                                                urls(
                                                        "https://a.example/",
                                                        "https://b.example/",
                                                        "https://a.example/")),
                        "sources[2].url",
                        "duplicates the URL of sources[0]"),
                Arguments.of(
                        edit(e -> e.sources = List.of(new Source("https://a.example/", "div[[["))),
                        "sources[0].selector",
                        null),
                Arguments.of(
                        edit(
                                e ->
                                        e.sources =
                                                List.of(
                                                        new Source(
                                                                "https://a.example/",
                                                                "body:not(:has(div:has(p)))"))),
                        "sources[0].selector",
                        "must not nest :has inside :has (its cost grows with the page's size times"
                                + " its depth per level)"),
                Arguments.of(
                        edit(e -> e.sources = List.of(new Source("https://a.example/", " "))),
                        "sources[0].selector",
                        "must not be blank (omit it to watch the whole page)"),
                Arguments.of(
                        edit(
                                e ->
                                        e.sources =
                                                List.of(
                                                        new Source(
                                                                "https://a.example/",
                                                                null,
                                                                Render.HTTP,
                                                                true))),
                        "sources[0].screenshot",
                        "requires \"render\": \"browser\""),
                Arguments.of(edit(e -> e.interval = 59), "intervalSeconds", "must be at least 60"),
                Arguments.of(edit(e -> e.interval = 0), "intervalSeconds", "must be at least 60"),
                Arguments.of(
                        edit(e -> e.interval = -300), "intervalSeconds", "must be at least 60"),
                Arguments.of(
                        edit(e -> e.interval = 604_801),
                        "intervalSeconds",
                        "must be at most 604800 (7 days)"),
                Arguments.of(edit(e -> e.condition = null), "condition", "is required"),
                Arguments.of(
                        edit(
                                e ->
                                        e.condition =
                                                new Condition(
                                                        null, null, null, null, null, null, null)),
                        "condition.type",
                        "is required"),
                Arguments.of(
                        edit(e -> e.condition = Condition.contains(null, false)),
                        "condition.text",
                        "is required"),
                Arguments.of(
                        edit(e -> e.condition = Condition.notContains("", true)),
                        "condition.text",
                        "is required"),
                Arguments.of(
                        edit(e -> e.condition = Condition.contains("y".repeat(1001), false)),
                        "condition.text",
                        "must be at most 1000 characters"),
                Arguments.of(
                        edit(e -> e.condition = Condition.regex(null)),
                        "condition.pattern",
                        "is required"),
                Arguments.of(
                        edit(e -> e.condition = Condition.regex("(unclosed")),
                        "condition.pattern",
                        "is not a valid regular expression: missing closing ): `(unclosed`"
                                + " (patterns use RE2 syntax)"),
                Arguments.of(
                        edit(e -> e.condition = Condition.regex("a".repeat(501))),
                        "condition.pattern",
                        "must be at most 500 characters"),
                Arguments.of(
                        edit(
                                e ->
                                        e.condition =
                                                new Condition(
                                                        ConditionType.NUMBER,
                                                        null,
                                                        null,
                                                        null,
                                                        null,
                                                        5.0,
                                                        null)),
                        "condition.op",
                        "is required"),
                Arguments.of(
                        edit(
                                e ->
                                        e.condition =
                                                new Condition(
                                                        ConditionType.NUMBER,
                                                        null,
                                                        null,
                                                        null,
                                                        ComparisonOp.GT,
                                                        null,
                                                        null)),
                        "condition.value",
                        "is required"),
                Arguments.of(
                        edit(e -> e.condition = Condition.number(ComparisonOp.GT, Double.NaN)),
                        "condition.value",
                        "must be a finite number"),
                Arguments.of(
                        edit(e -> e.condition = Condition.llm(" ")),
                        "condition.prompt",
                        "is required"),
                Arguments.of(
                        edit(e -> e.condition = Condition.llm("p".repeat(2001))),
                        "condition.prompt",
                        "must be at most 2000 characters"),
                Arguments.of(
                        edit(
                                e ->
                                        e.condition =
                                                new Condition(
                                                        ConditionType.ANY_CHANGE,
                                                        "x",
                                                        null,
                                                        null,
                                                        null,
                                                        null,
                                                        null)),
                        "condition.text",
                        "is not used by condition type any_change"),
                Arguments.of(
                        edit(
                                e ->
                                        e.condition =
                                                new Condition(
                                                        ConditionType.CONTAINS,
                                                        "x",
                                                        null,
                                                        "y",
                                                        null,
                                                        null,
                                                        null)),
                        "condition.pattern",
                        "is not used by condition type contains"),
                Arguments.of(
                        edit(e -> e.ignore = Collections.nCopies(21, "x")),
                        "ignore",
                        "must have at most 20 patterns"),
                Arguments.of(
                        edit(e -> e.ignore = List.of("ok", "[z-a]")),
                        "ignore[1]",
                        "is not a valid regular expression: invalid character class range: `z-a`"
                                + " (patterns use RE2 syntax)"),
                Arguments.of(edit(e -> e.ignore = nullIgnore), "ignore[0]", "is required"),
                Arguments.of(
                        edit(
                                e -> {
                                    e.condition = Condition.regex("a{750}b{750}");
                                    e.ignore = List.of("c{750}d{750}", "e{750}f{750}", "g");
                                }),
                        "ignore[1]",
                        "brings the spec's patterns to about 4500 steps once repetitions are"
                                + " expanded (condition.pattern and ignore together at most"
                                + " 4000)"),
                Arguments.of(
                        edit(e -> e.notify = Notify.ofWebhook("gopher://hooks.example/")),
                        "notify.webhookUrl",
                        "must be an http or https URL"),
                Arguments.of(
                        edit(
                                e ->
                                        e.notify =
                                                Notify.ofChannels(
                                                        List.of(
                                                                CHANNEL,
                                                                UUID.randomUUID(),
                                                                CHANNEL))),
                        "notify.channels[2]",
                        "duplicates notify.channels[0]"),
                Arguments.of(
                        edit(e -> e.notify = Notify.ofChannels(Arrays.asList(CHANNEL, null))),
                        "notify.channels[1]",
                        "is required"),
                Arguments.of(
                        edit(
                                e ->
                                        e.notify =
                                                Notify.ofChannels(
                                                        Stream.generate(UUID::randomUUID)
                                                                .limit(21)
                                                                .toList())),
                        "notify.channels",
                        "must have at most 20 channels"),
                Arguments.of(edit(e -> e.status = null), "status", "is required"));
    }

    @ParameterizedTest(name = "[{index}] {1}: {2}")
    @MethodSource("invalidSpecs")
    void invalidSpecIsRejectedWithFieldPathAndMessage(
            MonitorSpec spec, String path, String message) {
        Map<String, String> errors = VALIDATOR.validate(spec);
        assertThat(errors).as("errors of %s", spec).containsOnlyKeys(path);
        if (message != null) {
            assertThat(errors.get(path)).isEqualTo(message);
        } else {
            assertThat(errors.get(path)).startsWith("is not a valid CSS selector: ");
        }
    }

    @Test
    void allProblemsAreReportedTogetherInDocumentOrder() {
        MonitorSpec spec =
                new MonitorSpec(
                        null,
                        null,
                        0,
                        "",
                        urls("ftp://x", "https://ok.example/"),
                        10,
                        Condition.regex("("),
                        List.of("["),
                        null,
                        null);
        assertThat(VALIDATOR.validate(spec).keySet())
                .containsExactly(
                        "name",
                        "sources[0].url",
                        "intervalSeconds",
                        "condition.pattern",
                        "ignore[0]",
                        "status");
    }

    static Stream<MonitorSpec> validEdgeCases() {
        return Stream.of(
                valid(),
                edit(e -> e.interval = 60),
                edit(e -> e.interval = 604_800),
                edit(e -> e.name = "n".repeat(200)),
                edit(
                        e ->
                                e.sources =
                                        IntStream.range(0, 20)
                                                .mapToObj(i -> Source.of("https://a.example/" + i))
                                                .toList()),
                edit(e -> e.sources = urls("HTTP://SHOP.EXAMPLE:8443/p?q=1#frag")),
                edit(e -> e.sources = urls("https://[2001:db8::1]/x")),
                edit(e -> e.sources = urls("https://xn--bcher-kva.example/ünïcødé")),
                edit(
                        e ->
                                e.sources =
                                        List.of(
                                                new Source(
                                                        "https://a.example/",
                                                        "div.price > span:nth-child(2)"),
                                                new Source(
                                                        "https://a.example/has",
                                                        "li:has(> a):has(img), p:has(b)"),
                                                new Source("https://a.example/other", null))),
                edit(e -> e.condition = Condition.anyChange()),
                edit(e -> e.condition = Condition.contains("In stock", true)),
                edit(e -> e.condition = Condition.notContains("Sold out", false)),
                edit(e -> e.condition = Condition.regex("\\$\\d+(\\.\\d{2})?")),
                edit(e -> e.condition = Condition.number(ComparisonOp.NE, -0.5)),
                edit(e -> e.condition = Condition.llm("alert me when the price drops below $50")),
                edit(e -> e.ignore = List.of()),
                edit(e -> e.ignore = Collections.nCopies(20, "\\d+")),
                edit(
                        e -> {
                            e.condition = Condition.regex("a{1000}b{1000}");
                            e.ignore = List.of("c{1000}d{999}", "e");
                        }),
                edit(e -> e.notify = null),
                edit(e -> e.notify = new Notify(null, null)),
                edit(e -> e.notify = new Notify("https://hooks.example/x", List.of(CHANNEL))),
                edit(e -> e.status = MonitorStatus.PAUSED));
    }

    @ParameterizedTest
    @MethodSource("validEdgeCases")
    void validEdgeCasesAreAccepted(MonitorSpec spec) {
        assertThat(VALIDATOR.validate(spec)).isEmpty();
    }

    @Test
    void intervalFloorIsConfigurable() {
        MonitorSpec fast = edit(e -> e.interval = 5);
        assertThat(VALIDATOR.validate(fast))
                .containsEntry("intervalSeconds", "must be at least 60");
        assertThat(new MonitorSpecValidator(new ValidationLimits(1)).validate(fast)).isEmpty();
    }
}
