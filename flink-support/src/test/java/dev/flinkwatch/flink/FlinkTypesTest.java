package dev.flinkwatch.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkwatch.model.Alert;
import dev.flinkwatch.model.AlertKind;
import dev.flinkwatch.model.CheckOutcome;
import dev.flinkwatch.model.CheckRequest;
import dev.flinkwatch.model.CheckResult;
import dev.flinkwatch.model.Condition;
import dev.flinkwatch.model.MonitorEvent;
import dev.flinkwatch.model.MonitorSpec;
import dev.flinkwatch.model.MonitorStatus;
import dev.flinkwatch.model.Notify;
import dev.flinkwatch.model.Source;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every contract that flows through a Flink job is a POJO without Kryo and round-trips. */
class FlinkTypesTest {
    private static final UUID M = UUID.randomUUID();
    private static final UUID T = UUID.randomUUID();
    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    @BeforeAll
    static void register() {
        FlinkTypes.ensureRegistered();
    }

    @Test
    void everyContractRoundTripsWithoutKryo() throws Exception {
        MonitorSpec spec =
                new MonitorSpec(
                        M,
                        T,
                        3,
                        "n",
                        List.of(new Source("https://a.example/", "#p")),
                        300,
                        Condition.contains("x", true),
                        List.of("\\d+"),
                        new Notify("https://h.example/", List.of(UUID.randomUUID())),
                        MonitorStatus.ACTIVE);
        roundTrip(MonitorEvent.class, MonitorEvent.upsert(spec));
        roundTrip(MonitorEvent.class, MonitorEvent.delete(M, T, 4));
        roundTrip(
                CheckRequest.class,
                new CheckRequest(
                        M, T, 3, "https://a.example/", null, null, NOW, "\"e\"", null, null, null));
        roundTrip(
                CheckResult.class,
                new CheckResult(
                        M,
                        T,
                        "https://a.example/",
                        NOW,
                        NOW,
                        NOW,
                        CheckOutcome.CHANGED,
                        200,
                        "h",
                        null,
                        null,
                        12,
                        "+ a",
                        null));
        roundTrip(
                Alert.class,
                new Alert(
                        "id",
                        AlertKind.CONDITION_MET,
                        M,
                        T,
                        "https://a.example/",
                        NOW,
                        "r",
                        "e",
                        null));
    }

    private static <T> void roundTrip(Class<T> type, T value) throws Exception {
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);
        TypeInformation<T> info = TypeInformation.of(type);
        assertThat(info.toString()).doesNotContain("GenericType");
        TypeSerializer<T> serializer = info.createSerializer(config);
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(value, out);
        T back = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back).isEqualTo(value);
    }
}
