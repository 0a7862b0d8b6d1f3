package dev.flinkwatch.delivery;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A channel's receiver settings. Every field is treated as secret: the whole record is stored
 * encrypted (Tink AEAD, associated data = tenant and channel id), returned by the API only masked,
 * never logged, and never put on the monitors topic or in Flink state. Which fields a type uses:
 *
 * <ul>
 *   <li>{@code url}: webhook, slack, discord, ntfy (topic URL), apprise (the API's notify URL)
 *   <li>{@code token}: telegram (bot token, required), ntfy (optional bearer token)
 *   <li>{@code chatId}: telegram
 *   <li>{@code to}: email recipients; apprise service URLs (optional, stateless mode)
 * </ul>
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChannelSettings(String url, String token, String chatId, List<String> to) {
    public ChannelSettings {
        // null elements are kept (not List.copyOf) so validation can name settings.to[i]
        to = to == null ? null : Collections.unmodifiableList(new ArrayList<>(to));
    }

    public static ChannelSettings ofUrl(String url) {
        return new ChannelSettings(url, null, null, null);
    }

    @Override
    public String toString() {
        return "ChannelSettings{<redacted>}";
    }
}
