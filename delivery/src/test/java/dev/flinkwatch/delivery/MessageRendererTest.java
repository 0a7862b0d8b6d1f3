package dev.flinkwatch.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flinkwatch.model.Alert;
import dev.flinkwatch.model.AlertKind;
import dev.flinkwatch.model.ModelCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class MessageRendererTest {
    private static final UUID MONITOR = UUID.fromString("00000000-0000-0000-0000-0000000000aa");
    private final MessageRenderer renderer = new MessageRenderer();

    static AlertMessageContext context(String name, String reason, String excerpt, String diff) {
        Alert alert =
                new Alert(
                        "a1b2c3",
                        AlertKind.CONDITION_MET,
                        MONITOR,
                        UUID.randomUUID(),
                        "https://shop.example/item?id=1&x=2",
                        Instant.parse("2026-03-04T05:06:07Z"),
                        reason,
                        excerpt,
                        diff);
        return AlertMessageContext.of(alert, name, "http://api.test/");
    }

    private static AlertMessageContext simple() {
        return context("Price watch", "price below 50", "price 45", "- price 60\n+ price 45");
    }

    private JsonNode json(ChannelType type, String template, AlertMessageContext ctx) {
        try {
            return ModelCodec.mapper().readTree(renderer.render(type, template, ctx).payload());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void defaultTextHasEveryPartAndTheAddedAndRemovedLines() {
        String text = json(ChannelType.TELEGRAM, null, simple()).get("text").asText();
        assertThat(text)
                .startsWith("Condition met: Price watch\nprice below 50\n")
                .contains("Source: https://shop.example/item?id=1&x=2")
                .contains("Detected at: 2026-03-04T05:06:07Z")
                .contains("Added:\nprice 45")
                .contains("Removed:\nprice 60")
                .endsWith("Alerts: http://api.test/v1/monitors/" + MONITOR + "/alerts");
        assertThat(text).doesNotContain("Excerpt:").doesNotContain("\n\n\n");
    }

    @Test
    void slackIsHeaderAndMrkdwnSectionsWithPageTextEscaped() {
        AlertMessageContext ctx =
                context("<!channel> & co", "a <b>", "x", "+ <!everyone> <https://evil|click>");
        JsonNode slack = json(ChannelType.SLACK, null, ctx);
        assertThat(slack.get("text").asText()).contains("&lt;!channel&gt; &amp; co");
        JsonNode blocks = slack.get("blocks");
        assertThat(blocks.get(0).get("type").asText()).isEqualTo("header");
        assertThat(blocks.get(0).at("/text/type").asText()).isEqualTo("plain_text");
        assertThat(blocks.get(0).at("/text/text").asText())
                .isEqualTo("Condition met: <!channel> & co");
        assertThat(blocks.get(1).get("type").asText()).isEqualTo("section");
        assertThat(blocks.get(1).at("/text/type").asText()).isEqualTo("mrkdwn");
        String section = blocks.get(1).at("/text/text").asText();
        assertThat(section)
                .contains("&lt;!everyone&gt; &lt;https://evil|click&gt;")
                .contains("<http://api.test/v1/monitors/" + MONITOR + "/alerts|")
                .doesNotContain("<!everyone>");
    }

    @Test
    void discordHasContentEmbedAndNoMentions() {
        JsonNode discord = json(ChannelType.DISCORD, null, simple());
        assertThat(discord.get("content").asText()).startsWith("**Condition met: Price watch**");
        JsonNode embed = discord.get("embeds").get(0);
        assertThat(embed.get("title").asText()).isEqualTo("Condition met: Price watch");
        assertThat(embed.get("url").asText()).isEqualTo("https://shop.example/item?id=1&x=2");
        assertThat(embed.get("description").asText())
                .isEqualTo("```diff\n- price 60\n+ price 45\n```");
        assertThat(embed.get("color").isInt()).isTrue();
        assertThat(embed.get("timestamp").asText()).isEqualTo("2026-03-04T05:06:07Z");
        assertThat(discord.at("/allowed_mentions/parse").isArray()).isTrue();
        assertThat(discord.at("/allowed_mentions/parse")).isEmpty();
    }

    @Test
    void payloadsCarryNoReceiverFields() {
        JsonNode telegram = json(ChannelType.TELEGRAM, null, simple());
        assertThat(telegram.has("chat_id")).isFalse();
        assertThat(telegram.get("disable_web_page_preview").asBoolean()).isTrue();
        assertThat(telegram.has("parse_mode")).isFalse();
        JsonNode apprise = json(ChannelType.APPRISE, null, simple());
        assertThat(apprise.has("urls")).isFalse();
        assertThat(apprise.get("type").asText()).isEqualTo("info");
        assertThat(apprise.get("format").asText()).isEqualTo("text");
        assertThat(apprise.get("title").asText()).isEqualTo("Condition met: Price watch");
        JsonNode ntfy = json(ChannelType.NTFY, null, simple());
        assertThat(ntfy.get("priority").asInt()).isEqualTo(4);
        assertThat(ntfy.get("tags").get(0).asText()).isEqualTo("bell");
        assertThat(ntfy.get("click").asText()).isEqualTo("https://shop.example/item?id=1&x=2");
        JsonNode email = json(ChannelType.EMAIL, null, simple());
        assertThat(email.has("to")).isFalse();
        assertThat(email.get("subject").asText())
                .isEqualTo("[Flinkwatch] Condition met: Price watch");
        assertThat(email.get("text").asText()).contains("- price 60\n+ price 45");
        assertThat(email.get("html").asText()).contains("- price 60\n+ price 45");
    }

    @Test
    void webhookKeepsItsShapeAndAddsTheText() {
        JsonNode hook = json(ChannelType.WEBHOOK, "{{monitorName}}!", simple());
        assertThat(hook.get("type").asText()).isEqualTo(WebhookMessage.TYPE);
        assertThat(hook.at("/data/alertId").asText()).isEqualTo("a1b2c3");
        assertThat(hook.at("/data/diff").asText()).isEqualTo("- price 60\n+ price 45");
        assertThat(hook.at("/data/text").asText()).isEqualTo("Price watch!");
        assertThat(hook.at("/data/link").asText())
                .isEqualTo("http://api.test/v1/monitors/" + MONITOR + "/alerts");
    }

    @Test
    void overrideRendersTheTextPart() {
        MessageRenderer.Rendered r =
                renderer.render(
                        ChannelType.TELEGRAM,
                        "{{kind}} {{monitorId}} {{#added}}+{{added}}{{/added}}",
                        simple());
        assertThat(r.templateError()).isNull();
        assertThat(
                        json(
                                        ChannelType.TELEGRAM,
                                        "{{kind}} {{monitorId}} {{#added}}+{{added}}{{/added}}",
                                        simple())
                                .get("text")
                                .asText())
                .isEqualTo("CONDITION_MET " + MONITOR + " +price 45");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{{#a}}",
                "{{unknownToken}}",
                "{{monitorName.class}}",
                "{{monitorName.class.classLoader}}",
                "{{>partial}}",
                "{{/diff}}",
                "{{=<% %>=}}<%{unknown}%>"
            })
    void aFailingTemplateRendersTheDefaultAndSaysWhy(String template) {
        MessageRenderer.Rendered r = renderer.render(ChannelType.TELEGRAM, template, simple());
        assertThat(r.templateError()).isNotBlank();
        assertThat(MessageRenderer.templateError(template)).isNotBlank();
        assertThat(json(ChannelType.TELEGRAM, template, simple()).get("text").asText())
                .startsWith("Condition met: Price watch\nprice below 50\n");
    }

    @Test
    void aTemplateThatRepeatsAHugeDiffIsCutOffAndTheDefaultSent() {
        AlertMessageContext ctx =
                context("m", "r", "e", "+ " + "x".repeat(AlertMessageContext.MAX_TOKEN_CHARS));
        MessageRenderer.Rendered r =
                renderer.render(ChannelType.TELEGRAM, "{{diff}}".repeat(100), ctx);
        assertThat(r.templateError()).contains("template output exceeds");
        assertThat(json(ChannelType.TELEGRAM, "{{diff}}".repeat(100), ctx).get("text").asText())
                .startsWith("Condition met: m\nr\n");
    }

    @Test
    void aGoodTemplatePassesTheCheck() {
        assertThat(MessageRenderer.templateError("{{title}} {{#diff}}{{diff}}{{/diff}} {{link}}"))
                .isNull();
    }

    @ParameterizedTest
    @EnumSource(ChannelType.class)
    void hostileTemplateAndPageTextCannotBreakJson(ChannelType type) {
        AlertMessageContext ctx =
                context(
                        "\"},\"x\":\"",
                        "\\\"</script><script>alert(1)</script>",
                        "e",
                        "+ \"injected\": true, \u0000 \u2028");
        String template = "\"}{{{reason}}}{{&monitorName}}\", \"chat_id\": \"1\" <b>{{diff}}</b>";
        byte[] payload = renderer.render(type, template, ctx).payload();
        JsonNode node = json(type, template, ctx);
        assertThat(node.isObject()).isTrue();
        // Exactly the documented top-level fields: nothing injected.
        assertThat(node.has("x")).isFalse();
        assertThat(node.has("chat_id")).isFalse();
        assertThat(node.has("injected")).isFalse();
        assertThat(new String(payload, StandardCharsets.UTF_8)).isNotEmpty();
    }

    @Test
    void emailHtmlEscapesPageTextAndHostileTemplates() {
        AlertMessageContext ctx =
                context(
                        "<img src=x onerror=alert(1)>",
                        "<script>alert(1)</script>",
                        "e",
                        "+ <iframe src=\"https://evil\">\n- \"quoted\" & 'single'");
        String html = json(ChannelType.EMAIL, null, ctx).get("html").asText();
        assertThat(html)
                .doesNotContain("<script>")
                .doesNotContain("<img")
                .doesNotContain("<iframe")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
                .contains("&lt;iframe src&#x3D;&quot;https://evil&quot;&gt;");
        // A template's own markup and a triple mustache are escaped too.
        String overridden =
                json(ChannelType.EMAIL, "<b>{{{reason}}}</b>{{&monitorName}}", ctx)
                        .get("html")
                        .asText();
        assertThat(overridden)
                .doesNotContain("<script>")
                .doesNotContain("<img")
                .doesNotContain("<b>")
                .contains("&lt;b&gt;&lt;script&gt;");
        // The text part is plain: unescaped.
        assertThat(json(ChannelType.EMAIL, null, ctx).get("text").asText())
                .contains("<script>alert(1)</script>");
    }

    @Test
    void capsHoldOnAHugeDiff() {
        StringBuilder diff = new StringBuilder();
        for (int i = 0; i < 40_000; i++) {
            diff.append(i % 2 == 0 ? "- old line " : "+ new line ").append(i).append('\n');
        }
        assertCaps(context("m".repeat(500), "r".repeat(5000), "e".repeat(5000), diff.toString()));
    }

    @Test
    void capsHoldOnEmojiWithoutSplittingSurrogatePairs() {
        String emoji = "\uD83D\uDE00"; // one code point, two UTF-16 units, four UTF-8 bytes
        String diff = "+ " + emoji.repeat(200_000);
        assertCaps(context(emoji.repeat(300), emoji.repeat(3000), emoji.repeat(3000), diff));
    }

    private void assertCaps(AlertMessageContext ctx) {
        JsonNode slack = json(ChannelType.SLACK, null, ctx);
        assertThat(slack.get("blocks").size()).isLessThanOrEqualTo(50);
        int total = 0;
        for (JsonNode block : slack.get("blocks")) {
            String t = block.at("/text/text").asText();
            assertWhole(t);
            if (block.get("type").asText().equals("header")) {
                assertThat(t.length()).isLessThanOrEqualTo(150);
            } else {
                assertThat(t.length()).isLessThanOrEqualTo(3000);
                total += t.length();
            }
        }
        assertThat(total).isLessThanOrEqualTo(40_000);
        assertThat(slack.get("text").asText().length()).isLessThanOrEqualTo(40_000);

        JsonNode discord = json(ChannelType.DISCORD, null, ctx);
        String content = discord.get("content").asText();
        JsonNode embed = discord.get("embeds").get(0);
        String description = embed.get("description").asText();
        assertThat(content.length()).isLessThanOrEqualTo(2000);
        assertThat(embed.get("title").asText().length()).isLessThanOrEqualTo(256);
        assertThat(description.length()).isLessThanOrEqualTo(4096);
        assertThat(description)
                .startsWith("```diff\n")
                .endsWith("\n```")
                .contains(Truncation.MARKER);
        assertThat(embed.get("title").asText().length() + description.length())
                .isLessThanOrEqualTo(6000);
        assertWhole(content);
        assertWhole(description);

        String telegram = json(ChannelType.TELEGRAM, null, ctx).get("text").asText();
        assertThat(telegram.length()).isLessThanOrEqualTo(4096);
        assertThat(telegram).endsWith(Truncation.MARKER);
        assertWhole(telegram);

        String ntfy = json(ChannelType.NTFY, null, ctx).get("message").asText();
        assertThat(ntfy.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(4096);
        assertThat(ntfy).endsWith(Truncation.MARKER);
        assertWhole(ntfy);

        JsonNode email = json(ChannelType.EMAIL, null, ctx);
        assertThat(email.get("text").asText().length())
                .isLessThanOrEqualTo(MessageRenderer.EMAIL_BODY_CHARS);
        assertThat(email.get("subject").asText().length()).isLessThanOrEqualTo(200);
        assertWhole(email.get("text").asText());

        String hookDiff = json(ChannelType.WEBHOOK, null, ctx).at("/data/diff").asText();
        assertThat(hookDiff.length()).isLessThanOrEqualTo(AlertMessageContext.MAX_TOKEN_CHARS);
        assertWhole(hookDiff);

        assertThat(json(ChannelType.APPRISE, null, ctx).get("body").asText().length())
                .isLessThanOrEqualTo(MessageRenderer.APPRISE_BODY_CHARS);
    }

    /** No lone surrogate: every cut fell on a code point boundary. */
    private static void assertWhole(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                assertThat(i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)))
                        .as("high surrogate at %d is paired", i)
                        .isTrue();
                i++;
            } else {
                assertThat(Character.isLowSurrogate(c)).as("lone low surrogate at %d", i).isFalse();
            }
        }
    }

    @Test
    void truncationCutsOnCodePoints() {
        String emoji = "\uD83D\uDE00";
        String cut = Truncation.chars("ab" + emoji.repeat(20), 16);
        assertThat(cut.length()).isLessThanOrEqualTo(16);
        assertWhole(cut);
        assertThat(Truncation.chars("short", 16)).isEqualTo("short");
        String bytes = Truncation.utf8(emoji.repeat(100), 30);
        assertThat(bytes.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(30);
        assertWhole(bytes);
    }

    @Test
    void ntfyHeaderValuesAreOneAsciiLine() {
        assertThat(ChannelSenders.headerValue("a\r\nInjected: yes")).isEqualTo("a Injected: yes");
        String encoded = ChannelSenders.headerValue("Preis gefallen: 45 € \uD83D\uDE00\r\nX: y");
        assertThat(encoded).startsWith("=?UTF-8?B?").doesNotContain("\r").doesNotContain("\n");
        assertThat(encoded.chars().allMatch(c -> c >= 0x20 && c < 0x7f)).isTrue();
        assertThat(ChannelSenders.clickUrl("javascript:alert(1)")).isNull();
        assertThat(ChannelSenders.clickUrl("https://ex.example/ä"))
                .isEqualTo("https://ex.example/%C3%A4");
    }
}
