package dev.flinkwatch.api.web;

import dev.flinkwatch.api.channels.ChannelRequest;
import dev.flinkwatch.delivery.ChannelSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The new-channel form as typed: turned into the REST body ({@link ChannelRequest}) so the API's
 * checks apply, and the API's field paths mapped back to the inputs.
 *
 * @param to email recipients, separated by commas or spaces
 */
public record ChannelForm(String name, String type, String url, String to) {

    /** Channel types the form offers (the API takes more; those need their own fields). */
    public static final List<String> TYPES =
            List.of("webhook", "slack", "discord", "ntfy", "email");

    public static ChannelForm blank() {
        return new ChannelForm("", "webhook", "", "");
    }

    public static ChannelForm fromPost(Map<String, List<String>> fields) {
        return new ChannelForm(
                first(fields, "channelName"),
                first(fields, "channelType"),
                first(fields, "channelUrl").strip(),
                first(fields, "channelTo"));
    }

    public ChannelRequest toRequest() {
        List<String> recipients = new ArrayList<>();
        for (String r : to.split("[,\\s]+")) {
            if (!r.isBlank()) {
                recipients.add(r.strip());
            }
        }
        boolean email = "email".equals(type);
        ChannelSettings settings =
                new ChannelSettings(
                        email || url.isEmpty() ? null : url, null, null, email ? recipients : null);
        return new ChannelRequest(name.strip(), type, settings, null, true);
    }

    /** API field problems keyed by form input id; unmapped ones under {@code ""}. */
    public static Map<String, String> byFormField(Map<String, String> apiProblems) {
        Map<String, String> out = new LinkedHashMap<>();
        apiProblems.forEach(
                (field, message) -> {
                    String input =
                            field.equals("name")
                                    ? "channelName"
                                    : field.equals("type")
                                            ? "channelType"
                                            : field.equals("settings.url")
                                                    ? "channelUrl"
                                                    : field.startsWith("settings.to")
                                                            ? "channelTo"
                                                            : "";
                    out.merge(
                            input,
                            input.isEmpty() ? field + ": " + message : message,
                            (a, b) -> a + "; " + b);
                });
        return out;
    }

    private static String first(Map<String, List<String>> fields, String name) {
        List<String> values = fields.get(name);
        return values == null || values.isEmpty() || values.get(0) == null ? "" : values.get(0);
    }
}
