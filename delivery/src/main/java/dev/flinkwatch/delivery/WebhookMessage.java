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
        ObjectNode root = ModelCodec.mapper().createObjectNode();
        root.put("type", TYPE);
        root.put("timestamp", alert.detectedAt() == null ? null : alert.detectedAt().toString());
        ObjectNode data = root.putObject("data");
        data.put("alertId", alert.alertId());
        data.put("kind", alert.kind() == null ? null : alert.kind().name());
        data.put("monitorId", String.valueOf(alert.monitorId()));
        data.put("monitorName", monitorName);
        data.put("sourceUrl", alert.sourceUrl());
        data.put("detectedAt", alert.detectedAt() == null ? null : alert.detectedAt().toString());
        data.put("reason", alert.reason());
        data.put("excerpt", alert.excerpt());
        data.put("diff", alert.diff());
        data.put("link", apiBaseUrl + "/v1/monitors/" + alert.monitorId() + "/alerts");
        return root.toString().getBytes(StandardCharsets.UTF_8);
    }
}
