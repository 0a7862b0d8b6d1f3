package dev.flinkwatch.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class VerdictKeyTest {
    private static final UUID A = UUID.randomUUID();
    private static final UUID B = UUID.randomUUID();
    private static final String CONDITION = "alert me when the price drops below $50";

    private static VerdictKey key(UUID tenant, String condition, String diff, String text) {
        return VerdictKey.of(
                Requests.request(UUID.randomUUID(), tenant, condition, diff, text), "m", 12_000);
    }

    @Test
    void twoTenantsAskingTheSameNeverShareAVerdict() {
        assertThat(key(A, CONDITION, "+ $45", "Price: $45"))
                .isNotEqualTo(key(B, CONDITION, "+ $45", "Price: $45"));
    }

    @Test
    void oneTenantAskingTheSameFromAnotherMonitorDoes() {
        assertThat(key(A, CONDITION, "+ $45", "Price: $45"))
                .isEqualTo(key(A, CONDITION, "+ $45", "Price: $45"));
    }

    @Test
    void everythingThePromptIsBuiltFromIsInTheKey() {
        VerdictKey base = key(A, CONDITION, "+ $45", "Price: $45");
        LlmRequest request =
                Requests.request(UUID.randomUUID(), A, CONDITION, "+ $45", "Price: $45");

        assertThat(key(A, "other condition", "+ $45", "Price: $45")).isNotEqualTo(base);
        assertThat(key(A, CONDITION, "- $60\n+ $45", "Price: $45"))
                .as("the diff is in the prompt, so it is in the key")
                .isNotEqualTo(base);
        assertThat(key(A, CONDITION, null, "Price: $45"))
                .isNotEqualTo(key(A, CONDITION, "", "Price: $45"));
        assertThat(key(A, CONDITION, "+ $45", "Price: $44")).isNotEqualTo(base);
        assertThat(VerdictKey.of(request, "other-model", 12_000)).isNotEqualTo(base);
        assertThat(VerdictKey.of(request, "m", 11_000)).isNotEqualTo(base);
    }

    @Test
    void partsCannotBeShiftedIntoEachOther() {
        assertThat(key(A, CONDITION, "ab", "c")).isNotEqualTo(key(A, CONDITION, "a", "bc"));
        assertThat(key(A, CONDITION, "a\u0000", "b"))
                .isNotEqualTo(key(A, CONDITION, "a", "\u0000b"));
    }

    @Test
    void holdsADigestNotThePage() {
        VerdictKey key = key(A, CONDITION, "+ secret", "secret page text");

        assertThat(key.toString()).doesNotContain("secret");
        assertThat(key.promptDigest()).hasSize(64);
    }
}
