package dev.flinkwatch.delivery;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flinkwatch.model.Alert;
import dev.flinkwatch.model.ModelCodec;
import java.nio.charset.StandardCharsets;

/**
 * The JSON body of a webhook delivery, in the Standard Webhooks shape {@code {type, timestamp,
 * data}}. Rendered once at intake and stored, so every retry sends the same bytes.
 */
public final class WebhookMessage {
    public static final String TYPE = "alert.created";

    private WebhookMessage() {}

    public static byte[] body(Alert alert, String monitorName, String apiBaseUrl) {
        return body(AlertMessageContext.of(alert, monitorName, apiBaseUrl), null);
    }

    /**
     * @param text the channel's rendered message text ({@code data.text}), or null for none
     */
    static byte[] body(AlertMessageContext ctx, String text) {
        String detectedAt = ctx.detectedAt() == null ? null : ctx.detectedAt().toString();
        ObjectNode root = ModelCodec.mapper().createObjectNode();
        root.put("type", TYPE);
        root.put("timestamp", detectedAt);
        ObjectNode data = root.putObject("data");
        data.put("alertId", ctx.alertId());
        data.put("kind", ctx.kind() == null ? null : ctx.kind().name());
        data.put("monitorId", String.valueOf(ctx.monitorId()));
        data.put("monitorName", ctx.monitorName());
        data.put("sourceUrl", ctx.sourceUrl());
        data.put("detectedAt", detectedAt);
        data.put("reason", ctx.reason());
        data.put("excerpt", capped(ctx.excerpt()));
        data.put("diff", capped(ctx.diff()));
        data.put("link", ctx.link());
        if (text != null) {
            data.put("text", capped(text));
        }
        return root.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String capped(String value) {
        return value == null ? null : Truncation.chars(value, AlertMessageContext.MAX_TOKEN_CHARS);
    }
}
