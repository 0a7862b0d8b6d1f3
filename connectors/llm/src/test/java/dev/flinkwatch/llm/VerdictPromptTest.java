package dev.flinkwatch.llm;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.core.ObjectMappers;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class VerdictPromptTest {
    private static final String TOKEN = "0123456789abcdef01234567";

    @Test
    void systemMessageIsConstantAndCarriesNoRequestData() {
        VerdictPrompt a =
                VerdictPrompt.of(Requests.request("price < 50", "+ x", "one"), 1_000, TOKEN);
        VerdictPrompt b = VerdictPrompt.of(Requests.request("other", "- y", "two"), 1_000, "other");

        assertThat(a.system()).isEqualTo(b.system()).isEqualTo(VerdictPrompt.SYSTEM);
    }

    @Test
    void conditionIsItsOwnMessageWithoutPageContent() {
        VerdictPrompt prompt =
                VerdictPrompt.of(
                        Requests.request("alert when the price drops below $50", "+ $45", "$45"),
                        1_000,
                        TOKEN);

        assertThat(prompt.condition())
                .contains("alert when the price drops below $50")
                .doesNotContain("$45");
    }

    @Test
    void pageDataIsFramedAndEveryPageLineIsQuoted() {
        VerdictPrompt prompt =
                VerdictPrompt.of(
                        Requests.request(
                                "c",
                                "- old price $60\n+ new price $45",
                                "Kettle\nnew price $45\nIn stock"),
                        1_000,
                        TOKEN);

        List<String> lines = Arrays.asList(prompt.pageData().split("\n", -1));
        int begin = lines.indexOf("BEGIN PAGE DATA " + TOKEN);
        int end = lines.indexOf("END PAGE DATA " + TOKEN);
        assertThat(begin).isEqualTo(1);
        assertThat(end).isEqualTo(lines.size() - 1);
        assertThat(lines.subList(begin + 1, end))
                .containsExactly(
                        "CHANGES SINCE THE PREVIOUS CHECK:",
                        "| - old price $60",
                        "| + new price $45",
                        "CURRENT CONTENT:",
                        "| Kettle",
                        "| new price $45",
                        "| In stock");
    }

    @Test
    void invisibleCharactersAreRemovedFromConditionAndPage() {
        VerdictPrompt prompt =
                VerdictPrompt.of(
                        Requests.request("pri\u200Bce", "+ a\u202Eb", "t\uFEFFext\u2060"),
                        1_000,
                        TOKEN);

        assertThat(prompt.condition()).contains("price");
        assertThat(prompt.pageData()).contains("| + ab").contains("| text");
    }

    @Test
    void missingDiffAndTextAreSaidSo() {
        VerdictPrompt prompt = VerdictPrompt.of(Requests.request("c", null, ""), 1_000, TOKEN);

        assertThat(prompt.pageData()).contains("| (none given)").contains("| (empty)");
    }

    @Test
    void theTokenEstimateBoundsEveryByteSentAndTheResponseSchema() throws Exception {
        VerdictPrompt prompt =
                VerdictPrompt.of(
                        Requests.request("prix < 50 €", "+ カート 🛒", "Preis: 49 €\nカート 🛒"),
                        1_000,
                        TOKEN);
        long bytes =
                (prompt.system() + prompt.condition() + prompt.pageData())
                        .getBytes(StandardCharsets.UTF_8)
                        .length;
        String schema =
                ObjectMappers.jsonMapper().writeValueAsString(VerdictAnswer.responseFormat());

        // the rest is room for the chat template around the three messages
        assertThat(schema.length()).isLessThan(VerdictPrompt.FRAMING_TOKENS - 300);
        assertThat(prompt.tokenEstimate()).isEqualTo(bytes + VerdictPrompt.FRAMING_TOKENS);
    }
}
