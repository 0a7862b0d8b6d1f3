package dev.flinkwatch.delivery;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The kinds of notification channel a tenant can create; the JSON name is lower case. */
public enum ChannelType {
    /** A Standard Webhooks signed POST of the alert JSON to {@code url}. */
    WEBHOOK,
    /** A Slack incoming webhook ({@code url}): Block Kit message. */
    SLACK,
    /** A Discord webhook ({@code url}): {@code content} plus an embed. */
    DISCORD,
    /** Email to {@code to} through the SMTP server from configuration: HTML and text parts. */
    EMAIL,
    /** Telegram bot API {@code sendMessage} with {@code token} to {@code chatId}. */
    TELEGRAM,
    /** An ntfy topic URL ({@code url}), optional bearer {@code token}. */
    NTFY,
    /** An Apprise API server's notify URL ({@code url}), optional service URLs in {@code to}. */
    APPRISE;

    @JsonValue
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type of a JSON name, or null when there is none of that name. */
    @JsonCreator
    public static ChannelType fromJson(String name) {
        if (name == null) {
            return null;
        }
        for (ChannelType type : values()) {
            if (type.jsonName().equals(name)) {
                return type;
            }
        }
        return null;
    }
}
