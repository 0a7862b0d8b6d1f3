package dev.flinkwatch.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ModelCodecTest {
    private static final UUID MONITOR = UUID.fromString("7d1f5a3e-0c2b-4e8a-9f6d-2b3c4d5e6f70");
    private static final UUID TENANT = UUID.fromString("11111111-2222-4333-8444-555555555555");
    private static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");

    static MonitorSpec fullSpec() {
        return new MonitorSpec(
                MONITOR,
                TENANT,
                7,
                "Widget price",
                List.of(
                        new Source("https://shop.example/widget", "#price"),
                        Source.of("https://shop.example/other")),
                300,
                Condition.number(ComparisonOp.LT, 50),
                List.of("\\d+ people viewing"),
                Notify.ofChannels(List.of(UUID.fromString("00000000-0000-0000-0000-0000000000c1"))),
                MonitorStatus.ACTIVE);
    }

    static Stream<Object> contracts() {
        return Stream.of(
                MonitorEvent.upsert(fullSpec()),
                MonitorEvent.upsert(fullSpec().withStatus(MonitorStatus.PAUSED)),
                MonitorEvent.delete(MONITOR, TENANT, 8),
                fullSpec(),
                new CheckRequest(
                        MONITOR,
                        TENANT,
                        7,
                        "https://shop.example/widget",
                        "#price",
                        null,
                        T0,
                        "\"abc\"",
                        "Sat, 28 Nov 2026 11:00:00 GMT",
                        null,
                        null),
                new CheckRequest(
                        MONITOR,
                        TENANT,
                        7,
                        "https://a.example/",
                        null,
                        null,
                        T0,
                        null,
                        null,
                        null,
                        null),
                new CheckResult(
                        MONITOR,
                        TENANT,
                        "https://a.example/",
                        T0,
                        T0.plusMillis(5),
                        T0.plusMillis(80),
                        CheckOutcome.CHANGED,
                        200,
                        "h1",
                        null,
                        null,
                        75,
                        "- old\n+ new",
                        null),
                new CheckResult(
                        MONITOR,
                        TENANT,
                        "https://a.example/",
                        T0,
                        T0,
                        T0.plusSeconds(10),
                        CheckOutcome.ERROR,
                        null,
                        null,
                        "TIMEOUT",
                        "no response in 10 s",
                        10_000,
                        null,
                        null),
                new Alert(
                        Alert.idFor(AlertKind.CONDITION_MET, MONITOR, "https://a.example/", "h1"),
                        AlertKind.CONDITION_MET,
                        MONITOR,
                        TENANT,
                        "https://a.example/",
                        T0,
                        "price 49.99 < 50",
                        "Price: $49.99",
                        "- $59.99\n+ $49.99"));
    }

    @ParameterizedTest
    @MethodSource("contracts")
    void everyContractRoundTripsThroughTheEnvelope(Object value) {
        byte[] json = ModelCodec.encode(value);
        assertThat(new String(json, StandardCharsets.UTF_8)).startsWith("{\"schemaVersion\":1,");
        assertThat(ModelCodec.decode(json, value.getClass())).isEqualTo(value);
    }

    @Test
    void restShapeOfASpecMatchesTheContract() {
        String json = new String(ModelCodec.toJsonBytes(fullSpec()), StandardCharsets.UTF_8);
        assertThat(json)
                .contains("\"condition\":{\"type\":\"number\",\"op\":\"<\",\"value\":50.0}")
                .contains("\"notify\":{\"channels\":[\"00000000-0000-0000-0000-0000000000c1\"]}")
                .contains("\"status\":\"active\"")
                .contains(
                        "\"sources\":[{\"url\":\"https://shop.example/widget\",\"selector\":\"#price\"}");
    }

    @Test
    void unknownFutureFieldsAreTolerated() {
        String json =
                "{\"schemaVersion\":1,\"type\":\"delete\",\"monitorId\":\""
                        + MONITOR
                        + "\",\"tenantId\":\""
                        + TENANT
                        + "\",\"version\":3,\"addedInV1_1\":{\"x\":[1,2]}}";
        assertThat(ModelCodec.decode(bytes(json), MonitorEvent.class))
                .isEqualTo(MonitorEvent.delete(MONITOR, TENANT, 3));
    }

    @Test
    void envelopeOfAnEmptyObjectIsWellFormed() {
        record Empty() {}
        assertThat(new String(ModelCodec.encode(new Empty()), StandardCharsets.UTF_8))
                .isEqualTo("{\"schemaVersion\":1}");
    }

    static Stream<Arguments> malformedEnvelopes() {
        String ids = "\"monitorId\":\"" + MONITOR + "\",\"tenantId\":\"" + TENANT + "\"";
        return Stream.of(
                Arguments.of("", "$"),
                Arguments.of("{", "$"),
                Arguments.of("not json", "$"),
                Arguments.of("[1,2]", "$"),
                Arguments.of("{\"type\":\"delete\"," + ids + ",\"version\":1}", "schemaVersion"),
                Arguments.of("{\"schemaVersion\":2,\"type\":\"delete\"}", "schemaVersion"),
                Arguments.of("{\"schemaVersion\":\"1\",\"type\":\"delete\"}", "schemaVersion"),
                Arguments.of("{\"schemaVersion\":1,\"type\":\"merge\"}", "type"),
                Arguments.of("{\"schemaVersion\":1,\"monitorId\":\"nope\"}", "monitorId"),
                Arguments.of("{\"schemaVersion\":1,\"version\":\"3\"}", "version"),
                Arguments.of("{\"schemaVersion\":1,\"version\":1.5}", "version"),
                Arguments.of(
                        "{\"schemaVersion\":1,\"spec\":{\"sources\":[{\"url\":42}]}}",
                        "spec.sources[0].url"),
                Arguments.of(
                        "{\"schemaVersion\":1,\"spec\":{\"condition\":{\"type\":\"fuzzy\"}}}",
                        "spec.condition.type"),
                Arguments.of(
                        "{\"schemaVersion\":1,\"spec\":{\"condition\":{\"type\":\"number\",\"op\":\"=<\"}}}",
                        "spec.condition.op"),
                Arguments.of(
                        "{\"schemaVersion\":1,\"spec\":{\"status\":\"ACTIVE\"}}", "spec.status"),
                Arguments.of("{\"schemaVersion\":1,\"spec\":{\"sources\":\"x\"}}", "spec.sources"),
                Arguments.of(
                        "{\"schemaVersion\":1,\"spec\":{\"intervalSeconds\":99999999999}}",
                        "spec.intervalSeconds"),
                Arguments.of("{\"schemaVersion\":1,\"version\":1,\"version\":2}", "$"),
                Arguments.of("{\"schemaVersion\":1} {}", "$"));
    }

    @ParameterizedTest
    @MethodSource("malformedEnvelopes")
    void malformedInputIsRejectedNamingTheField(String json, String field) {
        assertThatThrownBy(() -> ModelCodec.decode(bytes(json), MonitorEvent.class))
                .isInstanceOfSatisfying(
                        CodecException.class,
                        e -> {
                            assertThat(e.field()).isEqualTo(field);
                            assertThat(e.getMessage()).isNotBlank();
                        });
    }

    @Test
    void messagesSayWhatIsExpected() {
        assertThat(message("{\"schemaVersion\":1,\"version\":\"3\"}"))
                .isEqualTo("must be an integer");
        assertThat(message("{\"schemaVersion\":1,\"monitorId\":\"nope\"}"))
                .isEqualTo("must be a UUID");
        assertThat(message("{\"schemaVersion\":1,\"type\":\"merge\"}"))
                .isEqualTo("must be one of [upsert, delete]");
        assertThat(message("{\"schemaVersion\":1,\"spec\":{\"condition\":{\"type\":\"fuzzy\"}}}"))
                .isEqualTo(
                        "must be one of [any_change, contains, not_contains, regex, number, llm]");
        assertThat(message("{\"schemaVersion\":1,\"spec\":{\"sources\":[{\"url\":42}]}}"))
                .isEqualTo("must be a string");
        assertThat(
                        message(
                                "{\"schemaVersion\":1,\"spec\":{\"sources\":[{\"url\":\"https://a/\","
                                        + "\"render\":\"chrome\"}]}}"))
                .isEqualTo("must be one of [http, browser]");
    }

    @Test
    void sourcesReadTheirRenderModeAndSpecsWithoutOneArePlainHttp() {
        MonitorSpec spec =
                ModelCodec.decodePlain(
                        bytes(
                                "{\"name\":\"n\",\"sources\":[{\"url\":\"https://a.example/\","
                                        + "\"render\":\"browser\",\"screenshot\":true},"
                                        + "{\"url\":\"https://b.example/\"}],"
                                        + "\"intervalSeconds\":60,\"condition\":{\"type\":\"any_change\"}}"),
                        MonitorSpec.class);
        assertThat(spec.sources().get(0).rendered()).isTrue();
        assertThat(spec.sources().get(0).wantsScreenshot()).isTrue();
        assertThat(spec.sources().get(1).rendered()).isFalse();
        assertThat(new String(ModelCodec.toJsonBytes(spec.sources().get(0))))
                .contains("\"render\":\"browser\"");
        assertThat(new String(ModelCodec.toJsonBytes(spec.sources().get(1))))
                .doesNotContain("render");
    }

    @Test
    void plainDocumentsAreReadStrictlyToo() {
        assertThatThrownBy(
                        () -> ModelCodec.decodePlain(bytes("{\"name\":true}"), MonitorSpec.class))
                .isInstanceOfSatisfying(
                        CodecException.class, e -> assertThat(e.field()).isEqualTo("name"));
        assertThatThrownBy(() -> ModelCodec.decodePlain(bytes("null"), MonitorSpec.class))
                .isInstanceOfSatisfying(
                        CodecException.class, e -> assertThat(e.field()).isEqualTo("$"));
        MonitorSpec spec =
                ModelCodec.decodePlain(
                        bytes(
                                "{\"name\":\"n\",\"sources\":[{\"url\":\"https://a.example/\"}],"
                                        + "\"intervalSeconds\":60,\"condition\":{\"type\":\"any_change\"}}"),
                        MonitorSpec.class);
        assertThat(spec.sources()).containsExactly(Source.of("https://a.example/"));
        assertThat(spec.ignore()).isEmpty();
        assertThat(spec.condition()).isEqualTo(Condition.anyChange());
    }

    @Test
    void alertIdsAreDeterministicAndSeparated() {
        String a = Alert.idFor(AlertKind.CONDITION_MET, MONITOR, "https://a.example/", "h");
        assertThat(a)
                .hasSize(32)
                .isEqualTo(
                        Alert.idFor(AlertKind.CONDITION_MET, MONITOR, "https://a.example/", "h"));
        assertThat(a)
                .isNotEqualTo(
                        Alert.idFor(AlertKind.CONDITION_MET, MONITOR, "https://a.example/h", ""))
                .isNotEqualTo(
                        Alert.idFor(AlertKind.MONITOR_FAILING, MONITOR, "https://a.example/", "h"));
    }

    private static String message(String json) {
        try {
            ModelCodec.decode(bytes(json), MonitorEvent.class);
        } catch (CodecException e) {
            return e.getMessage();
        }
        throw new AssertionError("accepted: " + json);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
