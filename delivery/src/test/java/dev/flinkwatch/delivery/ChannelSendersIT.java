package dev.flinkwatch.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.flinkwatch.model.ModelCodec;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every channel type end to end on real parts: receivers over loopback HTTP, a GreenMail SMTP
 * server. Payloads and headers are checked against the receivers' documented shapes; the SSRF guard
 * refuses a receiver outside the allow list (127.0.0.2) before any connection.
 */
class ChannelSendersIT {
    private static final String TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    private static final MessageRenderer RENDERER = new MessageRenderer();
    private static final AlertMessageContext CTX =
            MessageRendererTest.context(
                    "Price watch",
                    "price below 50 \uD83D\uDE00",
                    "price 45",
                    "- price 60\n+ price 45\n+ <b>bold</b> & \"quoted\"");

    private static Receiver receiver;
    private static Receiver blocked;
    private static GreenMail smtp;
    private static ChannelSenders senders;
    private static ChannelSenders blockedTelegram;

    @BeforeAll
    static void start() {
        receiver = Receiver.answering(n -> 200);
        blocked = Receiver.answeringOn("127.0.0.2", n -> 200);
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        DeliveryConfig config =
                new DeliveryConfig(
                                "unused:9092",
                                "alerts",
                                "g",
                                SecretBox.generateKeysetJson(),
                                new RetryPolicy(
                                        Duration.ofMinutes(1),
                                        Duration.ofMillis(100),
                                        Duration.ofSeconds(1)),
                                Duration.ofSeconds(10),
                                16,
                                4,
                                Duration.ofMillis(100),
                                List.of("127.0.0.1/32"),
                                "http://api.test")
                        .withTelegramApiBase(receiver.base() + "/")
                        .withSmtp(
                                SmtpConfig.plain(
                                        "127.0.0.1",
                                        smtp.getSmtp().getPort(),
                                        "alerts@flinkwatch.test"));
        senders = new ChannelSenders(config, dev.flinkwatch.fetch.HostResolver.system());
        blockedTelegram =
                new ChannelSenders(
                        config.withTelegramApiBase(blocked.base()),
                        dev.flinkwatch.fetch.HostResolver.system());
    }

    @AfterAll
    static void stop() throws Exception {
        senders.close();
        blockedTelegram.close();
        smtp.stop();
        receiver.close();
        blocked.close();
    }

    private static AttemptResult send(
            ChannelSenders via, ChannelType type, ChannelSettings settings) throws Exception {
        byte[] payload = RENDERER.render(type, null, CTX).payload();
        return via.send(type, settings, payload, "alert-1", List.of(WebhookSigner.newSecret()))
                .get(60, TimeUnit.SECONDS);
    }

    /** The request this test sent: receivers are shared, so each test uses its own path. */
    private static Receiver.Request last(String path) {
        return receiver.requests().stream()
                .filter(r -> r.target().startsWith(path))
                .reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no request to " + path));
    }

    private static JsonNode json(String body) throws Exception {
        return ModelCodec.mapper().readTree(body);
    }

    @Test
    void slackGetsBlockKitJson() throws Exception {
        String path = "/slack/" + UUID.randomUUID();
        AttemptResult result =
                send(senders, ChannelType.SLACK, ChannelSettings.ofUrl(receiver.base() + path));
        assertThat(result.delivered()).as(String.valueOf(result)).isTrue();
        Receiver.Request request = last(path);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.header("content-type")).startsWith("application/json");
        JsonNode body = json(request.body());
        assertThat(body.get("text").asText()).startsWith("Condition met: Price watch");
        assertThat(body.at("/blocks/0/type").asText()).isEqualTo("header");
        assertThat(body.at("/blocks/0/text/type").asText()).isEqualTo("plain_text");
        assertThat(body.at("/blocks/1/type").asText()).isEqualTo("section");
        assertThat(body.at("/blocks/1/text/type").asText()).isEqualTo("mrkdwn");
        assertThat(body.at("/blocks/1/text/text").asText())
                .contains("+ &lt;b&gt;bold&lt;/b&gt; &amp; \"quoted\"");
        assertThat(request.header("webhook-signature")).isNull();
    }

    @Test
    void discordGetsContentAndEmbedWithoutMentions() throws Exception {
        String path = "/discord/" + UUID.randomUUID();
        AttemptResult result =
                send(senders, ChannelType.DISCORD, ChannelSettings.ofUrl(receiver.base() + path));
        assertThat(result.delivered()).isTrue();
        Receiver.Request request = last(path);
        assertThat(request.header("content-type")).startsWith("application/json");
        JsonNode body = json(request.body());
        assertThat(body.get("content").asText()).contains("Price watch");
        assertThat(body.at("/embeds/0/title").asText()).isEqualTo("Condition met: Price watch");
        assertThat(body.at("/embeds/0/description").asText()).startsWith("```diff\n- price 60");
        assertThat(body.at("/embeds/0/timestamp").asText()).isEqualTo("2026-03-04T05:06:07Z");
        assertThat(body.at("/embeds/0/color").isInt()).isTrue();
        assertThat(body.at("/allowed_mentions/parse").isArray()).isTrue();
        assertThat(body.at("/allowed_mentions/parse")).isEmpty();
    }

    @Test
    void telegramGetsSendMessageWithTheChatIdMergedAtSendTime() throws Exception {
        AttemptResult result =
                send(
                        senders,
                        ChannelType.TELEGRAM,
                        new ChannelSettings(null, TOKEN, "-1001234567890", null));
        assertThat(result.delivered()).isTrue();
        Receiver.Request request = last("/bot" + TOKEN + "/sendMessage");
        assertThat(request.target()).isEqualTo("/bot" + TOKEN + "/sendMessage");
        assertThat(request.header("content-type")).startsWith("application/json");
        JsonNode body = json(request.body());
        assertThat(body.get("chat_id").asText()).isEqualTo("-1001234567890");
        assertThat(body.get("text").asText())
                .startsWith("Condition met: Price watch\nprice below 50 \uD83D\uDE00")
                .contains("<b>bold</b>");
        assertThat(body.get("disable_web_page_preview").asBoolean()).isTrue();
        assertThat(body.has("parse_mode")).isFalse();
    }

    @Test
    void telegramRefusesATokenThatCouldChangeThePath() throws Exception {
        int before = receiver.requests().size();
        AttemptResult result =
                send(
                        senders,
                        ChannelType.TELEGRAM,
                        new ChannelSettings(null, "1:../../evil?x=", "1", null));
        assertThat(result.error()).isEqualTo(DeliveryError.INVALID_SETTINGS);
        assertThat(result.message()).doesNotContain("evil");
        assertThat(receiver.requests()).hasSize(before);
    }

    @Test
    void ntfyGetsTextWithSanitisedHeadersAndTheBearerToken() throws Exception {
        String path = "/ntfy/" + UUID.randomUUID();
        AttemptResult result =
                send(
                        senders,
                        ChannelType.NTFY,
                        new ChannelSettings(receiver.base() + path, "tk_secret", null, null));
        assertThat(result.delivered()).isTrue();
        Receiver.Request request = last(path);
        assertThat(request.header("content-type")).isEqualTo("text/plain; charset=utf-8");
        assertThat(request.header("title")).isEqualTo("Condition met: Price watch");
        assertThat(request.header("tags")).isEqualTo("bell");
        assertThat(request.header("priority")).isEqualTo("4");
        assertThat(request.header("click")).isEqualTo("https://shop.example/item?id=1&x=2");
        assertThat(request.header("authorization")).isEqualTo("Bearer tk_secret");
        assertThat(request.body())
                .startsWith("Condition met: Price watch\nprice below 50 \uD83D\uDE00")
                .contains("Added:\nprice 45");
    }

    @Test
    void appriseGetsItsNotifyJsonWithServiceUrlsMerged() throws Exception {
        String path = "/notify/" + UUID.randomUUID();
        AttemptResult result =
                send(
                        senders,
                        ChannelType.APPRISE,
                        new ChannelSettings(
                                receiver.base() + path,
                                null,
                                null,
                                List.of("mailto://u:p@mail.example", "tgram://bot/chat")));
        assertThat(result.delivered()).isTrue();
        Receiver.Request request = last(path);
        assertThat(request.header("content-type")).startsWith("application/json");
        JsonNode body = json(request.body());
        assertThat(body.get("title").asText()).isEqualTo("Condition met: Price watch");
        assertThat(body.get("body").asText()).contains("price below 50");
        assertThat(body.get("type").asText()).isEqualTo("info");
        assertThat(body.get("format").asText()).isEqualTo("text");
        assertThat(body.get("urls").asText())
                .isEqualTo("mailto://u:p@mail.example,tgram://bot/chat");
    }

    @Test
    void webhookStaysSignedThroughTheSharedPoster() throws Exception {
        String path = "/webhook/" + UUID.randomUUID();
        AttemptResult result =
                send(senders, ChannelType.WEBHOOK, ChannelSettings.ofUrl(receiver.base() + path));
        assertThat(result.delivered()).isTrue();
        Receiver.Request request = last(path);
        assertThat(request.header("webhook-id")).isEqualTo("alert-1");
        assertThat(request.header("webhook-signature")).startsWith("v1,");
        assertThat(json(request.body()).at("/data/diff").asText()).startsWith("- price 60");
    }

    @ParameterizedTest
    @EnumSource(
            value = ChannelType.class,
            names = {"WEBHOOK", "SLACK", "DISCORD", "NTFY", "APPRISE", "TELEGRAM"})
    void aBlockedAddressIsRefusedWithoutAnyRequest(ChannelType type) throws Exception {
        ChannelSettings settings =
                type == ChannelType.TELEGRAM
                        ? new ChannelSettings(null, TOKEN, "1", null)
                        : new ChannelSettings(blocked.url(), "tk", null, null);
        ChannelSenders via = type == ChannelType.TELEGRAM ? blockedTelegram : senders;
        AttemptResult result = send(via, type, settings);
        assertThat(result.error()).isEqualTo(DeliveryError.BLOCKED_ADDRESS);
        assertThat(result.error().retryable()).isFalse();
        assertThat(result.message()).doesNotContain(TOKEN).doesNotContain("/hook");
        assertThat(via.refusal(type, settings).get(60, TimeUnit.SECONDS)).isNotNull();
        assertThat(blocked.requests()).isEmpty();
    }

    @Test
    void emailArrivesWithTextAndHtmlPartsAndTheDiff() throws Exception {
        AttemptResult result =
                send(
                        senders,
                        ChannelType.EMAIL,
                        new ChannelSettings(
                                null, null, null, List.of("ops@example.test", "dev@example.test")));
        assertThat(result.delivered()).as(String.valueOf(result)).isTrue();
        assertThat(smtp.waitForIncomingEmail(60_000, 2)).isTrue();
        MimeMessage message = smtp.getReceivedMessagesForDomain("ops@example.test")[0];
        assertThat(message.getSubject()).isEqualTo("[Flinkwatch] Condition met: Price watch");
        assertThat(message.getFrom()[0].toString()).isEqualTo("alerts@flinkwatch.test");
        assertThat(message.getMessageID()).isEqualTo("<alert-1@flinkwatch>");
        assertThat(message.getContentType()).startsWith("multipart/alternative");
        Multipart parts = (Multipart) message.getContent();
        assertThat(parts.getCount()).isEqualTo(2);
        Part text = parts.getBodyPart(0);
        Part html = parts.getBodyPart(1);
        assertThat(text.getContentType()).startsWith("text/plain").containsIgnoringCase("utf-8");
        assertThat(html.getContentType()).startsWith("text/html");
        // MIME sends text with CRLF line ends.
        assertThat(((String) text.getContent()).replace("\r\n", "\n"))
                .contains("- price 60")
                .contains("+ price 45")
                .contains("+ <b>bold</b> & \"quoted\"")
                .contains("price below 50 \uD83D\uDE00");
        assertThat(((String) html.getContent()).replace("\r\n", "\n"))
                .contains("- price 60\n+ price 45")
                .contains("+ &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;")
                .doesNotContain("<b>bold</b>");
    }

    @Test
    void emailFailuresAreClassified() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (ChannelSenders down =
                new ChannelSenders(
                        configWithSmtp(SmtpConfig.plain("127.0.0.1", closedPort, "a@b.test")),
                        dev.flinkwatch.fetch.HostResolver.system())) {
            byte[] payload = RENDERER.render(ChannelType.EMAIL, null, CTX).payload();
            ChannelSettings to = new ChannelSettings(null, null, null, List.of("x@example.test"));
            AttemptResult refused =
                    down.send(ChannelType.EMAIL, to, payload, "a-2", List.of())
                            .get(60, TimeUnit.SECONDS);
            assertThat(refused.error()).isEqualTo(DeliveryError.CONNECTION_ERROR);
            assertThat(refused.error().retryable()).isTrue();
            AttemptResult badRecipient =
                    down.send(
                                    ChannelType.EMAIL,
                                    new ChannelSettings(
                                            null, null, null, List.of("x@example.test\r\nBcc: y")),
                                    payload,
                                    "a-3",
                                    List.of())
                            .get(60, TimeUnit.SECONDS);
            assertThat(badRecipient.error()).isEqualTo(DeliveryError.INVALID_SETTINGS);
        }
        try (ChannelSenders none =
                new ChannelSenders(
                        configWithSmtp(SmtpConfig.defaults()),
                        dev.flinkwatch.fetch.HostResolver.system())) {
            byte[] payload = RENDERER.render(ChannelType.EMAIL, null, CTX).payload();
            AttemptResult result =
                    none.send(
                                    ChannelType.EMAIL,
                                    new ChannelSettings(null, null, null, List.of("x@e.test")),
                                    payload,
                                    "a-4",
                                    List.of())
                            .get(60, TimeUnit.SECONDS);
            assertThat(result.error()).isEqualTo(DeliveryError.INVALID_SETTINGS);
        }
    }

    private static DeliveryConfig configWithSmtp(SmtpConfig smtpConfig) {
        return new DeliveryConfig(
                        "unused:9092",
                        "alerts",
                        "g",
                        SecretBox.generateKeysetJson(),
                        new RetryPolicy(
                                Duration.ofMinutes(1),
                                Duration.ofMillis(100),
                                Duration.ofSeconds(1)),
                        Duration.ofSeconds(10),
                        16,
                        4,
                        Duration.ofMillis(100),
                        List.of("127.0.0.1/32"),
                        "http://api.test")
                .withSmtp(smtpConfig);
    }

    @Test
    void aBrokenPayloadCompletesWithAResultNotAnException() throws Exception {
        AttemptResult result =
                senders.send(
                                ChannelType.NTFY,
                                ChannelSettings.ofUrl(receiver.url()),
                                "not json".getBytes(),
                                "a-5",
                                List.of())
                        .get(60, TimeUnit.SECONDS);
        assertThat(result.delivered()).isFalse();
        assertThat(
                        senders.send(ChannelType.SLACK, null, new byte[0], "a-6", List.of())
                                .get(60, TimeUnit.SECONDS)
                                .error())
                .isEqualTo(DeliveryError.INVALID_SETTINGS);
    }
}
