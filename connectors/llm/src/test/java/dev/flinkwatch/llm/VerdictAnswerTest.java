package dev.flinkwatch.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.core.ObjectMappers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VerdictAnswerTest {

    @Test
    void acceptsTheContract() throws Exception {
        VerdictAnswer answer =
                VerdictAnswer.parse(
                        " {\"triggered\": true, \"reason\": \"Price is $45.\", \"value\": \"$45\"}\n");

        assertThat(answer).isEqualTo(new VerdictAnswer(true, "Price is $45.", "$45"));
    }

    @Test
    void nullOrBlankValueIsNull() throws Exception {
        assertThat(
                        VerdictAnswer.parse(
                                        "{\"triggered\": false, \"reason\": \"r\", \"value\": null}")
                                .value())
                .isNull();
        assertThat(
                        VerdictAnswer.parse(
                                        "{\"triggered\": false, \"reason\": \"r\", \"value\": \" \"}")
                                .value())
                .isNull();
    }

    @Test
    void stripsInvisibleCharactersFromTheModelsText() throws Exception {
        VerdictAnswer answer =
                VerdictAnswer.parse(
                        "{\"triggered\": false, \"reason\": \"ok\u200B\u202E\", \"value\": null}");

        assertThat(answer.reason()).isEqualTo("ok");
    }

    @Test
    void theReasonAndValueNeverCarryNulControlOrUnpairedSurrogateCharacters() throws Exception {
        // what PostgreSQL (text columns) and JSON encoders refuse must not reach alerts
        VerdictAnswer answer =
                VerdictAnswer.parse(
                        "{\"triggered\": true, \"reason\": \"price\\u0000 $45\\u001b[31m\\ud800\","
                                + " \"value\": \"$4\\u00005\\udc00\"}");

        assertThat(answer.reason()).isEqualTo("price $45[31m");
        assertThat(answer.value()).isEqualTo("$45");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "   ",
                "not json",
                "Sure! {\"triggered\": true, \"reason\": \"r\", \"value\": null}",
                "```json\n{\"triggered\": true, \"reason\": \"r\", \"value\": null}\n```",
                "{\"triggered\": true, \"reason\": \"r\", \"value\": null} trailing",
                "{\"triggered\": true, \"reason\": \"r\", \"value\": null}"
                        + "{\"triggered\": false, \"reason\": \"r\", \"value\": null}",
                "[{\"triggered\": true, \"reason\": \"r\", \"value\": null}]",
                "true",
                "{\"triggered\": true, \"reason\": \"r\"}",
                "{\"triggered\": true, \"reason\": \"r\", \"value\": null, \"action\": \"delete\"}",
                "{\"triggered\": \"true\", \"reason\": \"r\", \"value\": null}",
                "{\"triggered\": 1, \"reason\": \"r\", \"value\": null}",
                "{\"triggered\": null, \"reason\": \"r\", \"value\": null}",
                "{\"triggered\": true, \"reason\": null, \"value\": null}",
                "{\"triggered\": true, \"reason\": \"  \", \"value\": null}",
                "{\"triggered\": true, \"reason\": 5, \"value\": null}",
                "{\"triggered\": true, \"reason\": \"r\", \"value\": 45}",
                "{\"triggered\": true, \"reason\": \"r\", \"value\": {\"x\": 1}}",
                "{\"triggered\": false, \"triggered\": true, \"reason\": \"r\", \"value\": null}",
                "{\"triggered\": true, \"reason\": \"r\", \"value\": null",
            })
    void rejectsEverythingElse(String content) {
        assertThatThrownBy(() -> VerdictAnswer.parse(content))
                .isInstanceOf(InvalidAnswerException.class);
    }

    @Test
    void rejectsOverlongReasonAndValue() {
        String longText = "x".repeat(VerdictAnswer.MAX_TEXT + 1);
        assertThatThrownBy(
                        () ->
                                VerdictAnswer.parse(
                                        "{\"triggered\": true, \"reason\": \""
                                                + longText
                                                + "\", \"value\": null}"))
                .isInstanceOf(InvalidAnswerException.class)
                .hasMessageContaining("reason is longer than 280");
        assertThatThrownBy(
                        () ->
                                VerdictAnswer.parse(
                                        "{\"triggered\": true, \"reason\": \"r\", \"value\": \""
                                                + longText
                                                + "\"}"))
                .isInstanceOf(InvalidAnswerException.class);
    }

    @Test
    void problemsNeverEchoTheContent() {
        assertThatThrownBy(() -> VerdictAnswer.parse("secret page text {"))
                .isInstanceOf(InvalidAnswerException.class)
                .message()
                .doesNotContain("secret");
    }

    @Test
    void responseFormatIsAStrictSchemaOfExactlyThreeFields() throws Exception {
        ObjectMapper json = ObjectMappers.jsonMapper();
        JsonNode format = json.valueToTree(VerdictAnswer.responseFormat());

        assertThat(format.path("type").asText()).isEqualTo("json_schema");
        JsonNode schema = format.path("json_schema");
        assertThat(schema.path("strict").asBoolean()).isTrue();
        assertThat(schema.path("schema").path("additionalProperties").asBoolean(true)).isFalse();
        assertThat(schema.path("schema").path("required").toString())
                .isEqualTo("[\"triggered\",\"reason\",\"value\"]");
        JsonNode props = schema.path("schema").path("properties");
        assertThat(props.path("triggered").path("type").asText()).isEqualTo("boolean");
        assertThat(props.path("reason").path("type").asText()).isEqualTo("string");
        assertThat(props.path("reason").path("maxLength").asInt()).isEqualTo(280);
        assertThat(props.path("value").path("type").toString()).isEqualTo("[\"string\",\"null\"]");
    }
}
