package dev.flinkwatch.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flinkwatch.fetch.HostResolver;
import dev.flinkwatch.model.ModelCodec;
import jakarta.mail.internet.MimeUtility;
import java.io.IOException;
import java.io.UnsupportedEncodingException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;

/**
 * Sends one attempt of a rendered message ({@link MessageRenderer}) to a channel of any type, and
 * always completes with an {@link AttemptResult}, never an exception. The receiver's secrets come
 * from {@link ChannelSettings} here, at send time, never from the stored payload. Every HTTP type
 * goes through the one {@link GuardedHttpPoster} (SSRF guard, pinned address, no redirects); only
 * the webhook type adds signature headers. Email goes through {@link EmailSender}.
 */
public final class ChannelSenders implements AutoCloseable {
    private static final ObjectMapper JSON = ModelCodec.mapper();

    /** A bot token as BotFather issues it: nothing that could change the request path. */
    private static final Pattern TELEGRAM_TOKEN =
            Pattern.compile("[0-9]{1,20}:[A-Za-z0-9_-]{20,100}");

    private static final Map<String, String> JSON_TYPE = Map.of("content-type", "application/json");

    private final GuardedHttpPoster poster;
    private final WebhookSender webhooks;
    private final EmailSender email;
    private final String telegramApiBase;

    public ChannelSenders(DeliveryConfig config, HostResolver resolver) {
        this.poster = new GuardedHttpPoster(config, resolver);
        this.webhooks = new WebhookSender(poster);
        this.email = new EmailSender(config.smtp());
        this.telegramApiBase = config.telegramApiBase();
    }

    /**
     * One attempt.
     *
     * @param payload what {@link MessageRenderer#render} made for this type
     * @param messageId stable across retries: the alert id (webhook-id, email Message-ID)
     * @param signingSecrets the tenant's webhook secrets (webhook type only; else ignored)
     */
    public CompletableFuture<AttemptResult> send(
            ChannelType type,
            ChannelSettings settings,
            byte[] payload,
            String messageId,
            List<String> signingSecrets) {
        try {
            if (settings == null) {
                return invalid("the channel has no settings");
            }
            CompletableFuture<AttemptResult> attempt =
                    switch (type) {
                        case WEBHOOK ->
                                webhooks.send(settings.url(), messageId, signingSecrets, payload);
                        case SLACK, DISCORD -> poster.post(settings.url(), payload, u -> JSON_TYPE);
                        case TELEGRAM -> telegram(settings, payload);
                        case NTFY -> ntfy(settings, payload);
                        case APPRISE -> apprise(settings, payload);
                        case EMAIL ->
                                email.send(
                                        settings.to(),
                                        JSON.readValue(payload, EmailSender.Envelope.class),
                                        messageId);
                    };
            return attempt.exceptionally(ChannelSenders::unexpected);
        } catch (Exception e) {
            return CompletableFuture.completedFuture(unexpected(e));
        }
    }

    /**
     * Why a channel's settings would be refused at delivery (SSRF policy, a malformed URL or token,
     * missing fields), or null: the check at channel creation. Never sends anything.
     */
    public CompletableFuture<String> refusal(ChannelType type, ChannelSettings settings) {
        if (settings == null) {
            return CompletableFuture.completedFuture("settings are required");
        }
        return switch (type) {
            case WEBHOOK, SLACK, DISCORD, NTFY, APPRISE -> poster.refusal(settings.url());
            case TELEGRAM -> {
                String problem = telegramProblem(settings);
                yield problem != null
                        ? CompletableFuture.completedFuture(problem)
                        : poster.refusal(telegramApiBase);
            }
            case EMAIL ->
                    CompletableFuture.completedFuture(
                            settings.to() == null || settings.to().isEmpty()
                                    ? "to: at least one recipient is required"
                                    : null);
        };
    }

    private CompletableFuture<AttemptResult> telegram(ChannelSettings settings, byte[] payload)
            throws IOException {
        String problem = telegramProblem(settings);
        if (problem != null) {
            return invalid(problem);
        }
        ObjectNode body = (ObjectNode) JSON.readTree(payload);
        body.put("chat_id", settings.chatId().strip());
        return poster.post(
                telegramApiBase + "/bot" + settings.token() + "/sendMessage",
                body.toString().getBytes(StandardCharsets.UTF_8),
                u -> JSON_TYPE);
    }

    private static String telegramProblem(ChannelSettings settings) {
        if (settings.token() == null || !TELEGRAM_TOKEN.matcher(settings.token()).matches()) {
            return "token: not a Telegram bot token";
        }
        if (settings.chatId() == null || settings.chatId().isBlank()) {
            return "chatId: required";
        }
        return null;
    }

    private CompletableFuture<AttemptResult> ntfy(ChannelSettings settings, byte[] payload)
            throws IOException {
        JsonNode message = JSON.readTree(payload);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("content-type", "text/plain; charset=utf-8");
        headers.put("title", headerValue(message.path("title").asText("")));
        String tags =
                String.join(
                        ",",
                        StreamSupport.stream(message.path("tags").spliterator(), false)
                                .map(JsonNode::asText)
                                .toList());
        if (!tags.isEmpty()) {
            headers.put("tags", headerValue(tags));
        }
        if (message.path("priority").isInt()) {
            headers.put("priority", Integer.toString(message.path("priority").asInt()));
        }
        String click = clickUrl(message.path("click").asText(null));
        if (click != null) {
            headers.put("click", click);
        }
        if (settings.token() != null && !settings.token().isBlank()) {
            headers.put("authorization", "Bearer " + headerValue(settings.token()));
        }
        byte[] body = message.path("message").asText("").getBytes(StandardCharsets.UTF_8);
        return poster.post(settings.url(), body, u -> headers);
    }

    private CompletableFuture<AttemptResult> apprise(ChannelSettings settings, byte[] payload)
            throws IOException {
        ObjectNode body = (ObjectNode) JSON.readTree(payload);
        if (settings.to() != null && !settings.to().isEmpty()) {
            // Stateless mode: the Apprise service URLs (secrets) are merged here, never stored.
            body.put("urls", String.join(",", settings.to()));
        }
        return poster.post(
                settings.url(), body.toString().getBytes(StandardCharsets.UTF_8), u -> JSON_TYPE);
    }

    /**
     * One header line: control characters (CR/LF above all) become spaces; non-ASCII text is RFC
     * 2047 encoded, which ntfy decodes.
     */
    static String headerValue(String value) {
        String line = value.replaceAll("[\\p{Cntrl}]+", " ").strip();
        if (line.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            return line;
        }
        try {
            return MimeUtility.encodeText(line, "UTF-8", "B").replaceAll("[\\r\\n]+", " ");
        } catch (UnsupportedEncodingException e) {
            return line.replaceAll("[^\\x20-\\x7e]", "?");
        }
    }

    /** The Click header: an http(s) URL in ASCII form, or null. */
    static String clickUrl(String url) {
        URI uri = GuardedHttpPoster.parse(url);
        if (uri == null) {
            return null;
        }
        String ascii = uri.toASCIIString();
        return ascii.chars().allMatch(c -> c > 0x20 && c < 0x7f) ? ascii : null;
    }

    private static CompletableFuture<AttemptResult> invalid(String why) {
        return CompletableFuture.completedFuture(
                AttemptResult.failed(DeliveryError.INVALID_SETTINGS, why));
    }

    /** A failure of ours (an unreadable payload, a bug): retried, the message names its class. */
    private static AttemptResult unexpected(Throwable error) {
        Throwable t = GuardedHttpPoster.unwrap(error);
        return AttemptResult.failed(
                DeliveryError.CONNECTION_ERROR, "not sent: " + t.getClass().getSimpleName());
    }

    @Override
    public void close() throws Exception {
        try {
            email.close();
        } finally {
            poster.close();
        }
    }
}
