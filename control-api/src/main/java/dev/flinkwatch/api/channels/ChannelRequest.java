package dev.flinkwatch.api.channels;

import dev.flinkwatch.delivery.ChannelSettings;

/**
 * The body of {@code POST /v1/channels} and {@code PUT /v1/channels/{id}}. On PUT, {@code settings}
 * may be omitted to keep the stored ones (a client that only saw masked values can rename or
 * re-enable without resubmitting secrets); every other field is replaced.
 *
 * @param type the JSON name of a {@link dev.flinkwatch.delivery.ChannelType} (a string here, so an
 *     unknown name gets a clear error rather than null)
 * @param enabled default true
 */
public record ChannelRequest(
        String name, String type, ChannelSettings settings, String template, Boolean enabled) {}
