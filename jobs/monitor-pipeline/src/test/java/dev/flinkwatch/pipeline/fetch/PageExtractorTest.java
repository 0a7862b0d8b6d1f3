package dev.flinkwatch.pipeline.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkwatch.extraction.ExtractionError;
import dev.flinkwatch.fetch.FetchResult;
import dev.flinkwatch.fetch.FetchStatus;
import dev.flinkwatch.flink.FlinkTypes;
import dev.flinkwatch.model.CheckRequest;
import dev.flinkwatch.model.Hashing;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class PageExtractorTest {
    private static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");
    private static final String PAGE =
            "<html><body><p>token 8f3a1c</p><span id=\"price\">$5</span>"
                    + "<p>42 people viewing</p></body></html>";

    private final PageExtractor extractor =
            new PageExtractor(100_000, Duration.ofMinutes(1), System::nanoTime);

    private static CheckRequest request(String selector, List<String> ignore) {
        return new CheckRequest(
                UUID.randomUUID(),
                UUID.randomUUID(),
                1,
                "https://shop.example/",
                selector,
                ignore,
                T0,
                null,
                null,
                null,
                null);
    }

    private static FetchResult ok(CheckRequest r, String body) {
        return new FetchResult(
                r,
                FetchStatus.OK,
                200,
                r.url(),
                "text/html",
                "UTF-8",
                body,
                null,
                null,
                T0,
                T0.plusMillis(5),
                5L,
                1,
                0,
                (long) body.length(),
                "200 OK",
                null);
    }

    @Test
    void readsTheRequestsSelectorAndIgnoreListIntoTextAndHashes() {
        FetchedText read = extractor.extract(ok(request("#price", null), PAGE));
        assertThat(read.text()).isEqualTo("$5");
        assertThat(read.contentHash()).isEqualTo(Hashing.sha256Hex128("$5"));
        assertThat(read.rawHash()).isEqualTo(Hashing.sha256Hex128(PAGE));
        assertThat(read.error()).isNull();

        FetchedText whole =
                extractor.extract(ok(request(null, List.of("token \\w+", "\\d+ people")), PAGE));
        assertThat(whole.text()).doesNotContain("token").doesNotContain("people").contains("$5");
    }

    @Test
    void aPageThatYieldsNoTextIsAnExtractionErrorAndAnUnrunnableSpecNeverThrows() {
        FetchedText none = extractor.extract(ok(request("#gone", null), PAGE));
        assertThat(none.error()).isEqualTo(ExtractionError.SELECTOR_NO_MATCH);
        assertThat(none.text()).isNull();
        assertThat(none.rawHash()).isNotNull();

        // Java's lookbehind, stored before patterns became RE2
        FetchedText legacy = extractor.extract(ok(request(null, List.of("(?<=\\$)\\d+")), PAGE));
        assertThat(legacy.error()).isEqualTo(ExtractionError.INVALID_SPEC);
    }

    @Test
    void controlCharactersAreCleanedBeforeHashingAndNothingButTextIsKept() {
        FetchedText read =
                extractor.extract(ok(request(null, null), "<p>Price\u0000 $5\u001B[31m</p>"));
        assertThat(read.text()).doesNotContain("\u0000").doesNotContain("\u001B");
        FetchResult timeout =
                FetchResult.skipped(request(null, null), FetchStatus.TIMEOUT, "late\u0000", T0);
        FetchedText failed = extractor.extract(timeout);
        assertThat(failed.rawHash()).isNull();
        assertThat(failed.text()).isNull();
        assertThat(failed.message()).doesNotContain("\u0000");
    }

    @Test
    void crossesTheShuffleAsAPojoWithoutKryo() throws Exception {
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);
        TypeInformation<FetchedText> info = FlinkTypes.info(FetchedText.class);
        assertThat(info).isInstanceOf(PojoTypeInfo.class);
        assertThat(info.toString()).doesNotContain("GenericType");
        TypeSerializer<FetchedText> serializer = info.createSerializer(config);
        for (FetchedText value :
                new FetchedText[] {
                    extractor.extract(ok(request("#price", List.of("x")), PAGE)),
                    extractor.extract(ok(request("#gone", null), PAGE))
                }) {
            DataOutputSerializer out = new DataOutputSerializer(256);
            serializer.serialize(value, out);
            assertThat(serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer())))
                    .isEqualTo(value);
        }
    }
}
