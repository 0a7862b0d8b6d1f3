package dev.flinkwatch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkwatch.flink.FlinkTypes;
import dev.flinkwatch.model.CheckRequest;
import java.time.Instant;
import java.util.UUID;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** FetchResult flows between operators: it must be a POJO Flink serializes without Kryo. */
class FetchResultTypeTest {
    @BeforeAll
    static void register() {
        StreamExecutionEnvironment.getExecutionEnvironment(FlinkTypes.apply(new Configuration()));
    }

    @Test
    void roundTripsWithoutKryo() throws Exception {
        Instant now = Instant.parse("2026-11-28T12:00:00Z");
        CheckRequest request =
                new CheckRequest(
                        UUID.randomUUID(),
                        UUID.randomUUID(),
                        2,
                        "https://a.example/",
                        "#p",
                        null,
                        now,
                        "\"e\"",
                        null,
                        null,
                        null);
        FetchResult result =
                new FetchResult(
                        request,
                        FetchStatus.OK,
                        200,
                        "https://a.example/",
                        "text/html; charset=utf-8",
                        "UTF-8",
                        "<p>ü</p>",
                        "\"e2\"",
                        "Wed, 21 Oct 2015 07:28:00 GMT",
                        now,
                        now.plusMillis(12),
                        12L,
                        1,
                        0,
                        9L,
                        "200 OK",
                        null);
        FetchResult failure =
                new FetchResult(
                        request,
                        FetchStatus.TIMEOUT,
                        null,
                        "https://a.example/",
                        null,
                        null,
                        null,
                        null,
                        null,
                        now,
                        now,
                        0L,
                        2,
                        0,
                        0L,
                        "timeout",
                        null);

        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);
        TypeInformation<FetchResult> info = TypeInformation.of(FetchResult.class);
        assertThat(info).isInstanceOf(PojoTypeInfo.class);
        assertThat(info.toString()).doesNotContain("GenericType");
        TypeSerializer<FetchResult> serializer = info.createSerializer(config);
        for (FetchResult value : new FetchResult[] {result, failure}) {
            DataOutputSerializer out = new DataOutputSerializer(256);
            serializer.serialize(value, out);
            assertThat(serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer())))
                    .isEqualTo(value);
        }
    }
}
