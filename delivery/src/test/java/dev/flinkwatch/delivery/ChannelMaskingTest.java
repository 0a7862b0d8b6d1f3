package dev.flinkwatch.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChannelMaskingTest {
    @Test
    void urlsKeepSchemeHostAndTheLastFourCharacters() {
        assertThat(ChannelMasking.maskUrl("https://hooks.slack.com/services/T00/B00/XXXX1a2b"))
                .isEqualTo("https://hooks.slack.com/…/••••1a2b");
        assertThat(ChannelMasking.maskUrl("http://127.0.0.2:8099/alerts/abcdefgh?k=secret"))
                .isEqualTo("http://127.0.0.2:8099/…/••••cret");
        assertThat(ChannelMasking.maskUrl("HTTPS://Hooks.Example/x"))
                .as("a short path shows nothing of itself")
                .isEqualTo("https://hooks.example/…/••••");
    }

    @Test
    void otherSchemesAndUnparsableValuesShowNoHost() {
        assertThat(ChannelMasking.maskUrl("tgram://123456789:AAHsecretsecret/12345"))
                .isEqualTo("tgram://••••2345")
                .doesNotContain("AAH");
        assertThat(ChannelMasking.maskUrl("not a url at all, really")).isEqualTo("••••ally");
    }

    @Test
    void tokensKeepTheirLastFourOnlyWhenLongEnough() {
        assertThat(ChannelMasking.maskToken("123456789:AAHdEfGhIjKlMnOp")).isEqualTo("••••MnOp");
        assertThat(ChannelMasking.maskToken("short")).isEqualTo("••••");
        assertThat(ChannelMasking.maskToken("")).isEqualTo("••••");
    }

    @Test
    void emailAddressesKeepTheirFirstCharacterAndDomain() {
        assertThat(ChannelMasking.maskEmail("alice@example.com")).isEqualTo("a••••@example.com");
        assertThat(ChannelMasking.maskEmail("@example.com")).isEqualTo("••••");
    }

    @Test
    void settingsAreMaskedFieldByFieldPerType() {
        ChannelSettings email =
                new ChannelSettings(null, null, null, List.of("bob@example.org", "c@x.io"));
        assertThat(ChannelMasking.mask(ChannelType.EMAIL, email).to())
                .containsExactly("b••••@example.org", "c••••@x.io");
        ChannelSettings apprise =
                new ChannelSettings(
                        "https://apprise.example/notify/abc",
                        null,
                        null,
                        List.of("mailto://user:password@gmail.com"));
        ChannelSettings masked = ChannelMasking.mask(ChannelType.APPRISE, apprise);
        assertThat(masked.url()).isEqualTo("https://apprise.example/…/••••");
        assertThat(masked.to())
                .singleElement()
                .asString()
                .startsWith("mailto://")
                .doesNotContain("password");
        ChannelSettings telegram =
                new ChannelSettings(null, "123456789:AAHdEfGhIjKlMnOp", "-1001234567890", null);
        ChannelSettings t = ChannelMasking.mask(ChannelType.TELEGRAM, telegram);
        assertThat(t.token()).isEqualTo("••••MnOp");
        assertThat(t.chatId()).isEqualTo("••••7890");
    }
}
