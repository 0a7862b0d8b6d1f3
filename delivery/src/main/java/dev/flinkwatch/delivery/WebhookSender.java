package dev.flinkwatch.delivery;

import dev.flinkwatch.fetch.HostResolver;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Sends one Standard Webhooks signed attempt through the shared {@link GuardedHttpPoster}: the
 * signature headers are the only thing a webhook adds to the other HTTP channel types.
 */
public final class WebhookSender implements AutoCloseable {
    private final GuardedHttpPoster poster;
    private final boolean ownsPoster;

    /** A sender with its own poster, closed with it. */
    public WebhookSender(DeliveryConfig config, HostResolver resolver) {
        this(new GuardedHttpPoster(config, resolver), true);
    }

    /** A sender over a shared poster, which its owner closes. */
    public WebhookSender(GuardedHttpPoster poster) {
        this(poster, false);
    }

    private WebhookSender(GuardedHttpPoster poster, boolean ownsPoster) {
        this.poster = poster;
        this.ownsPoster = ownsPoster;
    }

    /**
     * Checks the URL with the SSRF guard only (channel creation); completes with a refusal or null.
     */
    public CompletableFuture<String> refusal(String url) {
        return poster.refusal(url);
    }

    /** One attempt of a signed webhook delivery. */
    public CompletableFuture<AttemptResult> send(
            String url, String messageId, List<String> secrets, byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        return poster.post(
                url,
                body,
                uri -> {
                    // Signed at send time: the timestamp is the attempt's, as receivers expect.
                    long timestamp = Instant.now().getEpochSecond();
                    return Map.of(
                            "content-type",
                            "application/json",
                            "webhook-id",
                            messageId,
                            "webhook-timestamp",
                            Long.toString(timestamp),
                            "webhook-signature",
                            WebhookSigner.signatures(secrets, messageId, timestamp, text));
                });
    }

    @Override
    public void close() throws Exception {
        if (ownsPoster) {
            poster.close();
        }
    }
}
