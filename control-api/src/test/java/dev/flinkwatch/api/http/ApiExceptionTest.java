package dev.flinkwatch.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.flinkwatch.model.CodecException;
import dev.flinkwatch.model.ModelCodec;
import dev.flinkwatch.model.MonitorSpec;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ApiExceptionTest {
    @Test
    void unreadableDocumentsAreMalformedJson() {
        assertThat(fromCodec("{\"name\": ").code()).isEqualTo("malformed_json");
        assertThat(fromCodec("[]").code()).isEqualTo("malformed_json");
        ApiException truncatedInField = fromCodec("{\"sources\": [");
        assertThat(truncatedInField.code()).isEqualTo("malformed_json");
        assertThat(truncatedInField.fields()).containsKey("sources");
    }

    @Test
    void wrongTypesAndRangesAreValidationFailuresOnTheField() {
        ApiException type = fromCodec("{\"intervalSeconds\": \"300\"}");
        assertThat(type.code()).isEqualTo("validation_failed");
        assertThat(type.fields()).containsOnlyKeys("intervalSeconds");
        ApiException range = fromCodec("{\"intervalSeconds\": 99999999999}");
        assertThat(range.code()).isEqualTo("validation_failed");
        assertThat(range.fields()).containsOnlyKeys("intervalSeconds");
    }

    private static ApiException fromCodec(String json) {
        CodecException e =
                catchThrowableOfType(
                        CodecException.class,
                        () ->
                                ModelCodec.decodePlain(
                                        json.getBytes(StandardCharsets.UTF_8), MonitorSpec.class));
        assertThat(e).as(json).isNotNull();
        ApiException api = ApiException.fromCodec(e);
        assertThat(api.status()).isEqualTo(400);
        return api;
    }
}
