package dev.flinkwatch.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.samskivert.mustache.BasicCollector;
import com.samskivert.mustache.Escapers;
import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.MustacheException;
import com.samskivert.mustache.Template;
import dev.flinkwatch.model.AlertKind;
import dev.flinkwatch.model.ModelCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders the message of one alert for one channel type, once at intake: the bytes are stored in
 * {@code deliveries.payload} and every retry sends them. They hold no receiver secret (URL, token,
 * chat id, recipients): {@link ChannelSenders} merges those from {@link ChannelSettings} at send
 * time.
 *
 * <p>Templates are Mustache (jmustache), logic-less and safe for user templates: token values are
 * escaped for the target format before the template sees them (so {@code {{{x}}}} cannot unescape
 * them), only the context's map is readable (no reflection on values), partials are refused, and
 * output is bounded. JSON payloads are always built with Jackson, never by templating. A user
 * template that fails to compile or render (a syntax error, an unknown token, too much output)
 * gives the type's default message and {@link Rendered#templateError()} says why.
 */
public final class MessageRenderer {
    private static final Logger LOG = LoggerFactory.getLogger(MessageRenderer.class);
    private static final ObjectMapper JSON = ModelCodec.mapper();

    // Documented receiver limits.
    static final int SLACK_SECTION_CHARS = 3000;
    static final int SLACK_MAX_BLOCKS = 50;
    static final int SLACK_TEXT_CHARS = 40_000;
    static final int SLACK_HEADER_CHARS = 150;
    static final int DISCORD_CONTENT_CHARS = 2000;
    static final int DISCORD_TITLE_CHARS = 256;
    static final int DISCORD_DESCRIPTION_CHARS = 4096;
    static final int DISCORD_EMBED_TOTAL_CHARS = 6000;
    static final int TELEGRAM_TEXT_CHARS = 4096;
    static final int NTFY_MESSAGE_BYTES = 4096;
    static final int NTFY_TITLE_CHARS = 250;
    // Our own bounds where the receiver documents none.
    static final int APPRISE_BODY_CHARS = 32 * 1024;
    static final int EMAIL_BODY_CHARS = 256 * 1024;
    static final int EMAIL_SUBJECT_CHARS = 200;

    /** Most chars one template execution may write (a user template can repeat the diff). */
    static final int MAX_TEMPLATE_OUTPUT = 2 * 1024 * 1024;

    private static final Mustache.Escaper SLACK_ESCAPER =
            Escapers.simple(new String[][] {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}});

    /**
     * Values are escaped before rendering ({@link AlertMessageContext#tokens}), so the engine's own
     * escaper is off; sections over empty strings are false, null renders empty, an unknown token
     * is an error; only maps are looked into.
     */
    private static final Mustache.Compiler COMPILER =
            Mustache.compiler()
                    .withEscaper(Escapers.NONE)
                    .nullValue("")
                    .emptyStringIsFalse(true)
                    .zeroIsFalse(true)
                    .withLoader(
                            name -> {
                                throw new MustacheException("partials are not supported");
                            })
                    .withCollector(
                            new BasicCollector() {
                                @Override
                                public <K, V> Map<K, V> createFetcherCache() {
                                    return new ConcurrentHashMap<>();
                                }
                            });

    private static final Template TEXT = load("text");
    private static final Template SLACK = load("slack");
    private static final Template DISCORD = load("discord");
    private static final Template EMAIL_TEXT = load("email.txt");
    private static final Template EMAIL_HTML = load("email.html");
    private static final Template EMAIL_SUBJECT = load("email.subject");

    /** A rendered payload, and why the channel's template was not used (null when it was). */
    public record Rendered(byte[] payload, String templateError) {}

    /**
     * The message of {@code ctx} for a channel of {@code type}.
     *
     * @param templateOverride the channel's template (the message text), or null for the default
     */
    public Rendered render(ChannelType type, String templateOverride, AlertMessageContext ctx) {
        return switch (type) {
            case WEBHOOK -> webhook(templateOverride, ctx);
            case SLACK -> slack(templateOverride, ctx);
            case DISCORD -> discord(templateOverride, ctx);
            case TELEGRAM -> telegram(templateOverride, ctx);
            case NTFY -> ntfy(templateOverride, ctx);
            case APPRISE -> apprise(templateOverride, ctx);
            case EMAIL -> email(templateOverride, ctx);
        };
    }

    /**
     * Why a user template cannot be used (a syntax error, an unknown token, a partial), or null:
     * the channel API's check before it stores one.
     */
    public static String templateError(String template) {
        try {
            execute(COMPILER.compile(template), AlertMessageContext.sample().tokens(s -> s));
            return null;
        } catch (RuntimeException e) {
            return describe(e);
        }
    }

    private Rendered webhook(String override, AlertMessageContext ctx) {
        Text text = text(override, TEXT, ctx, UnaryOperator.identity());
        return text.rendered(WebhookMessage.body(ctx, text.value));
    }

    private Rendered slack(String override, AlertMessageContext ctx) {
        Text text = text(override, SLACK, ctx, SLACK_ESCAPER::escape);
        ObjectNode root = JSON.createObjectNode();
        // The notification and fallback text; blocks carry the message.
        root.put(
                "text",
                Truncation.chars(
                        SLACK_ESCAPER.escape(ctx.title() + ": " + nullToEmpty(ctx.reason())),
                        SLACK_SECTION_CHARS));
        ArrayNode blocks = root.putArray("blocks");
        ObjectNode header = blocks.addObject().put("type", "header");
        header.putObject("text")
                .put("type", "plain_text")
                .put("text", Truncation.chars(ctx.title(), SLACK_HEADER_CHARS))
                .put("emoji", true);
        String body = Truncation.chars(nonBlank(text.value), SLACK_TEXT_CHARS);
        int sections = 0;
        while (!body.isEmpty()) {
            String chunk;
            if (sections == SLACK_MAX_BLOCKS - 2) {
                chunk = Truncation.chars(body, SLACK_SECTION_CHARS);
                body = "";
            } else {
                int end = splitPoint(body, SLACK_SECTION_CHARS);
                chunk = body.substring(0, end);
                body = body.substring(end);
            }
            blocks.addObject()
                    .put("type", "section")
                    .putObject("text")
                    .put("type", "mrkdwn")
                    .put("text", chunk);
            sections++;
        }
        return text.rendered(bytes(root));
    }

    private Rendered discord(String override, AlertMessageContext ctx) {
        Text text = text(override, DISCORD, ctx, UnaryOperator.identity());
        ObjectNode root = JSON.createObjectNode();
        root.put("content", Truncation.chars(nonBlank(text.value), DISCORD_CONTENT_CHARS));
        ObjectNode embed = root.putArray("embeds").addObject();
        String title = Truncation.chars(ctx.title(), DISCORD_TITLE_CHARS);
        embed.put("title", title);
        if (isHttpUrl(ctx.sourceUrl())) {
            embed.put("url", ctx.sourceUrl());
        }
        String description = discordDescription(ctx, DISCORD_EMBED_TOTAL_CHARS - title.length());
        if (!description.isEmpty()) {
            embed.put("description", description);
        }
        embed.put("color", color(ctx.kind()));
        if (ctx.detectedAt() != null) {
            embed.put("timestamp", ctx.detectedAt().toString());
        }
        // Page text must never ping @everyone, roles or users.
        root.putObject("allowed_mentions").putArray("parse");
        return text.rendered(bytes(root));
    }

    /** The diff in a code block (the fence survives truncation), else the excerpt. */
    private static String discordDescription(AlertMessageContext ctx, int embedBudget) {
        int max = Math.min(DISCORD_DESCRIPTION_CHARS, embedBudget);
        if (ctx.diff() != null && !ctx.diff().isBlank()) {
            String open = "```diff\n";
            String close = "\n```";
            // A fence inside the page text would end ours early.
            String diff = ctx.diff().replace("```", "``\u200b`");
            return open + Truncation.chars(diff, max - open.length() - close.length()) + close;
        }
        return ctx.excerpt() == null ? "" : Truncation.chars(ctx.excerpt(), max);
    }

    private Rendered telegram(String override, AlertMessageContext ctx) {
        // Plain text (no parse_mode): page text cannot inject markup, truncation cannot break it.
        Text text = text(override, TEXT, ctx, UnaryOperator.identity());
        ObjectNode root = JSON.createObjectNode();
        root.put("text", Truncation.chars(nonBlank(text.value), TELEGRAM_TEXT_CHARS));
        root.put("disable_web_page_preview", true);
        return text.rendered(bytes(root));
    }

    private Rendered ntfy(String override, AlertMessageContext ctx) {
        Text text = text(override, TEXT, ctx, UnaryOperator.identity());
        ObjectNode root = JSON.createObjectNode();
        root.put("title", Truncation.chars(ctx.title(), NTFY_TITLE_CHARS));
        root.put("message", Truncation.utf8(nonBlank(text.value), NTFY_MESSAGE_BYTES));
        root.putArray("tags").add(ntfyTag(ctx.kind()));
        root.put("priority", ctx.kind() == AlertKind.MONITOR_RECOVERED ? 3 : 4);
        root.put("click", isHttpUrl(ctx.sourceUrl()) ? ctx.sourceUrl() : ctx.link());
        return text.rendered(bytes(root));
    }

    private Rendered apprise(String override, AlertMessageContext ctx) {
        Text text = text(override, TEXT, ctx, UnaryOperator.identity());
        ObjectNode root = JSON.createObjectNode();
        root.put("title", ctx.title());
        root.put("body", Truncation.chars(nonBlank(text.value), APPRISE_BODY_CHARS));
        root.put("type", appriseType(ctx.kind()));
        root.put("format", "text");
        return text.rendered(bytes(root));
    }

    private Rendered email(String override, AlertMessageContext ctx) {
        Text text = text(override, EMAIL_TEXT, ctx, UnaryOperator.identity());
        String plain = Truncation.chars(text.value, EMAIL_BODY_CHARS);
        String html =
                text.overridden
                        // The user's text, escaped: a template cannot inject markup either.
                        ? "<!DOCTYPE html>\n<html><body><pre style=\"white-space:pre-wrap;"
                                + "font-family:sans-serif\">"
                                + Escapers.HTML.escape(plain)
                                + "</pre></body></html>\n"
                        : execute(EMAIL_HTML, ctx.tokens(Escapers.HTML::escape));
        String subject =
                execute(EMAIL_SUBJECT, ctx.tokens(UnaryOperator.identity()))
                        .replaceAll("[\\r\\n\\t]+", " ")
                        .strip();
        ObjectNode root = JSON.createObjectNode();
        root.put("subject", Truncation.chars(subject, EMAIL_SUBJECT_CHARS));
        root.put("text", plain);
        root.put("html", html);
        return text.rendered(bytes(root));
    }

    /** The message text: the channel's template, or the default when there is none or it fails. */
    private static Text text(
            String override,
            Template fallback,
            AlertMessageContext ctx,
            UnaryOperator<String> esc) {
        Map<String, Object> tokens = ctx.tokens(esc);
        if (override != null && !override.isBlank()) {
            try {
                return new Text(execute(COMPILER.compile(override), tokens), true, null);
            } catch (RuntimeException e) {
                String why = describe(e);
                LOG.warn(
                        "event=template_failed monitorId={} alertId={} error={}",
                        ctx.monitorId(),
                        ctx.alertId(),
                        why);
                return new Text(execute(fallback, tokens), false, why);
            }
        }
        return new Text(execute(fallback, tokens), false, null);
    }

    private record Text(String value, boolean overridden, String error) {
        Rendered rendered(byte[] payload) {
            return new Rendered(payload, error);
        }
    }

    private static String execute(Template template, Map<String, Object> tokens) {
        BoundedWriter out = new BoundedWriter(MAX_TEMPLATE_OUTPUT);
        template.execute(tokens, out);
        return out.toString();
    }

    private static String describe(RuntimeException e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof OutputTooLarge) {
                return "template output exceeds " + MAX_TEMPLATE_OUTPUT + " chars";
            }
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return Truncation.chars(message.replaceAll("[\\r\\n]+", " "), 300);
    }

    /** Where to cut {@code text} to at most {@code max} chars: after a newline if there is one. */
    private static int splitPoint(String text, int max) {
        if (text.length() <= max) {
            return text.length();
        }
        int newline = text.lastIndexOf('\n', max - 1);
        if (newline >= max / 2) {
            return newline + 1;
        }
        return Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
    }

    private static int color(AlertKind kind) {
        if (kind == null) {
            return 0x5865F2;
        }
        return switch (kind) {
            case CONDITION_MET -> 0xF0A020;
            case MONITOR_FAILING -> 0xD03030;
            case MONITOR_RECOVERED -> 0x30A050;
            case LLM_BUDGET_EXCEEDED -> 0x808080;
        };
    }

    private static String ntfyTag(AlertKind kind) {
        if (kind == null) {
            return "bell";
        }
        return switch (kind) {
            case CONDITION_MET -> "bell";
            case MONITOR_FAILING -> "warning";
            case MONITOR_RECOVERED -> "white_check_mark";
            case LLM_BUDGET_EXCEEDED -> "moneybag";
        };
    }

    private static String appriseType(AlertKind kind) {
        if (kind == null) {
            return "info";
        }
        return switch (kind) {
            case CONDITION_MET -> "info";
            case MONITOR_FAILING -> "failure";
            case MONITOR_RECOVERED -> "success";
            case LLM_BUDGET_EXCEEDED -> "warning";
        };
    }

    private static boolean isHttpUrl(String url) {
        if (url == null) {
            return false;
        }
        try {
            URI uri = URI.create(url);
            return uri.getHost() != null
                    && ("http".equalsIgnoreCase(uri.getScheme())
                            || "https".equalsIgnoreCase(uri.getScheme()));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String nonBlank(String text) {
        return text == null || text.isBlank() ? "(empty message)" : text.strip();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    private static byte[] bytes(ObjectNode root) {
        return root.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static Template load(String name) {
        String path = "templates/" + name + ".mustache";
        try (InputStream in = MessageRenderer.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing default template " + path);
            }
            return COMPILER.compile(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final class OutputTooLarge extends RuntimeException {
        OutputTooLarge() {
            super(null, null, false, false);
        }
    }

    /** A writer that refuses to grow past a bound, so a template cannot fill the heap. */
    private static final class BoundedWriter extends Writer {
        private final StringBuilder sb = new StringBuilder();
        private final int max;

        BoundedWriter(int max) {
            this.max = max;
        }

        @Override
        public void write(char[] cbuf, int off, int len) {
            if (sb.length() + len > max) {
                throw new OutputTooLarge();
            }
            sb.append(cbuf, off, len);
        }

        @Override
        public void write(String str, int off, int len) {
            if (sb.length() + len > max) {
                throw new OutputTooLarge();
            }
            sb.append(str, off, len);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}

        @Override
        public String toString() {
            return sb.toString();
        }
    }
}
