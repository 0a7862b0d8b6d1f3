package dev.flinkwatch.api.channels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkwatch.delivery.ChannelSettings;
import dev.flinkwatch.fetch.SsrfGuard;
import dev.flinkwatch.model.net.AddressPolicy;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Channel validation; DNS answers come from a fixed table (the guard's resolver seam). */
class ChannelChecksTest {
    private static final AddressPolicy POLICY =
            AddressPolicy.defaults().withAllowList(List.of("127.0.0.2/32", "receiver.local"));
    private static final ChannelChecks CHECKS =
            new ChannelChecks(
                    POLICY,
                    new SsrfGuard(
                            POLICY,
                            host ->
                                    switch (host) {
                                        case "public.example" ->
                                                List.of(InetAddress.getByName("93.184.215.14"));
                                        case "rebound.example" ->
                                                List.of(InetAddress.getByName("10.1.2.3"));
                                        case "local.example", "receiver.local" ->
                                                List.of(InetAddress.getByName("127.0.0.2"));
                                        default -> throw new java.net.UnknownHostException(host);
                                    },
                            Runnable::run,
                            Duration.ZERO));

    private static Map<String, String> problems(String type, ChannelSettings settings) {
        return CHECKS.problems(new ChannelRequest("n", type, settings, null, null), settings);
    }

    private static Map<String, String> url(String type, String url) {
        return problems(type, ChannelSettings.ofUrl(url));
    }

    @Test
    void httpsUrlsToPublicAddressesPass() {
        assertThat(url("webhook", "https://public.example/hook")).isEmpty();
        assertThat(url("slack", "https://unresolvable.example/hook"))
                .as("a name that does not resolve now is checked again at delivery")
                .isEmpty();
    }

    @Test
    void aHostNameResolvingToAPrivateAddressIsRefused() {
        assertThat(url("discord", "https://rebound.example/hook"))
                .containsOnlyKeys("settings.url")
                .extractingByKey("settings.url")
                .asString()
                .contains("address policy");
    }

    @Test
    void httpOnlyToAnAllowListedReceiver() {
        assertThat(url("ntfy", "http://public.example/topic")).containsOnlyKeys("settings.url");
        assertThat(url("ntfy", "http://local.example:8080/topic")).isEmpty();
        assertThat(url("ntfy", "http://receiver.local:8080/topic")).isEmpty();
        assertThat(url("ntfy", "http://127.0.0.2:9/topic")).isEmpty();
        assertThat(url("ntfy", "http://127.0.0.1/topic")).containsOnlyKeys("settings.url");
    }

    @Test
    void fieldsATypeDoesNotUseAreNamed() {
        assertThat(
                        problems(
                                "slack",
                                new ChannelSettings(
                                        "https://public.example/x", "tok", "1", List.of("a"))))
                .containsOnlyKeys("settings.token", "settings.chatId", "settings.to");
    }

    @Test
    void telegramNeedsATokenOfTheRightShapeAndAChat() {
        String token = "123456789:AAH" + "x".repeat(32);
        assertThat(problems("telegram", new ChannelSettings(null, token, "-1001234", null)))
                .isEmpty();
        assertThat(problems("telegram", new ChannelSettings(null, token, "@my_channel", null)))
                .isEmpty();
        assertThat(problems("telegram", new ChannelSettings(null, "123:short", null, null)))
                .containsOnlyKeys("settings.token", "settings.chatId");
    }

    @Test
    void emailRecipientsAreBareAddresses() {
        assertThat(
                        problems(
                                "email",
                                new ChannelSettings(
                                        null, null, null, List.of("a@example.com", "b.c@d.org"))))
                .isEmpty();
        assertThat(
                        problems(
                                "email",
                                new ChannelSettings(
                                        null,
                                        null,
                                        null,
                                        java.util.Arrays.asList(
                                                "a@example.com",
                                                "nope",
                                                "Eve <e@example.com>",
                                                "x@y.com, z@w.com",
                                                null))))
                .containsOnlyKeys(
                        "settings.to[1]", "settings.to[2]", "settings.to[3]", "settings.to[4]");
    }

    @Test
    void templatesMustCompileFitUseKnownTokensAndNoPartials() {
        Map<String, String> p = new java.util.LinkedHashMap<>();
        ChannelChecks.checkTemplate("{{monitorName}}: {{reason}}\n{{diff}}\n{{link}}", p);
        assertThat(p).isEmpty();
        ChannelChecks.checkTemplate("{{noSuchToken}}", p);
        assertThat(p).containsOnlyKeys("template");
        p.clear();
        ChannelChecks.checkTemplate("{{#a}}open", p);
        assertThat(p).containsOnlyKeys("template");
        p.clear();
        ChannelChecks.checkTemplate("{{> partial}}", p);
        assertThat(p).containsOnlyKeys("template");
        p.clear();
        ChannelChecks.checkTemplate("é".repeat(4097), p);
        assertThat(p).extractingByKey("template").asString().contains("8192 bytes");
    }

    @Test
    void messagesNeverQuoteTheSettings() {
        String secret = "https://rebound.example/SECRET-PATH-123";
        assertThat(url("webhook", secret).values()).noneMatch(m -> m.contains("SECRET"));
        assertThat(
                        problems("telegram", new ChannelSettings(null, "SECRET-TOKEN", "1", null))
                                .values())
                .noneMatch(m -> m.contains("SECRET"));
    }
}
