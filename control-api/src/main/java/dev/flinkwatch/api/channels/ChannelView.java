package dev.flinkwatch.api.channels;

import dev.flinkwatch.delivery.ChannelMasking;
import dev.flinkwatch.delivery.ChannelSettings;
import dev.flinkwatch.delivery.ChannelStore;
import dev.flinkwatch.delivery.ChannelType;
import java.time.Instant;
import java.util.UUID;

/**
 * A channel as the API returns it: settings masked ({@link ChannelMasking}), never in full.
 *
 * @param implicit made by the API from a monitor's legacy {@code notify.webhookUrl}
 * @param monitorId that monitor, for an implicit channel
 */
public record ChannelView(
        UUID id,
        String name,
        ChannelType type,
        ChannelSettings settings,
        String template,
        boolean enabled,
        String disabledReason,
        Instant disabledAt,
        Instant failingSince,
        boolean implicit,
        UUID monitorId,
        Instant createdAt,
        Instant updatedAt) {

    static ChannelView of(ChannelStore.Channel c) {
        return new ChannelView(
                c.id(),
                c.name(),
                c.type(),
                ChannelMasking.mask(c.type(), c.settings()),
                c.draft().template(),
                c.enabled(),
                c.disabledReason(),
                c.disabledAt(),
                c.failingSince(),
                c.implicit(),
                c.monitorId(),
                c.createdAt(),
                c.updatedAt());
    }
}
