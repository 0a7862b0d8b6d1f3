package dev.flinkwatch.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * Where a monitor's alerts are delivered besides the alert store; all fields optional.
 *
 * @param webhookUrl legacy: a webhook receiver URL. The control API never stores or publishes it:
 *     it turns it into the monitor's implicit webhook channel (encrypted) and keeps only that
 *     channel's id in {@code channels}, so the URL never reaches the monitors topic or Flink state.
 * @param channels ids of the tenant's notification channels ({@code /v1/channels})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Notify(String webhookUrl, List<UUID> channels) {
    public Notify {
        // null elements are kept (not List.copyOf) so the validator can name them
        channels =
                channels == null ? null : Collections.unmodifiableList(new ArrayList<>(channels));
    }

    public static Notify ofWebhook(String webhookUrl) {
        return new Notify(webhookUrl, null);
    }

    public static Notify ofChannels(List<UUID> channels) {
        return new Notify(null, channels);
    }
}
