package dev.flinkwatch.delivery;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * What the API shows of channel settings: enough to recognise a receiver, never the secret. A URL
 * keeps its scheme and host (not secret, and what a user recognises) and the last 4 characters
 * ({@code https://hooks.slack.com/…/••••1a2b}); a token keeps its last 4 ({@code ••••1a2b}); an
 * email address its first character and domain. Short values keep nothing.
 */
public final class ChannelMasking {
    public static final String DOTS = "••••";

    /** Values shorter than this show no characters at all. */
    private static final int MIN_REVEALING_LENGTH = 12;

    private static final int SHOWN = 4;

    private ChannelMasking() {}

    public static ChannelSettings mask(ChannelType type, ChannelSettings settings) {
        List<String> to = settings.to();
        return new ChannelSettings(
                settings.url() == null ? null : maskUrl(settings.url()),
                settings.token() == null ? null : maskToken(settings.token()),
                settings.chatId() == null ? null : maskToken(settings.chatId()),
                to == null
                        ? null
                        : to.stream()
                                .map(v -> type == ChannelType.EMAIL ? maskEmail(v) : maskUrl(v))
                                .toList());
    }

    /**
     * {@code scheme://host[:port]/…/••••} and the last 4 characters of a long enough http(s) URL;
     * other schemes show only the scheme (an Apprise service URL's "host" is often a token).
     */
    public static String maskUrl(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return maskToken(url);
        }
        if (uri.getScheme() == null) {
            return maskToken(url);
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            return scheme + "://" + maskToken(url);
        }
        String rest =
                (uri.getRawPath() == null ? "" : uri.getRawPath())
                        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return scheme
                + "://"
                + uri.getHost().toLowerCase(Locale.ROOT)
                + (uri.getPort() >= 0 ? ":" + uri.getPort() : "")
                + "/…/"
                + maskToken(rest);
    }

    /** {@code ••••} and the last 4 characters of a long enough value. */
    public static String maskToken(String token) {
        return token.length() < MIN_REVEALING_LENGTH
                ? DOTS
                : DOTS + token.substring(token.length() - SHOWN);
    }

    /** {@code a••••@example.com}: first character and domain. */
    public static String maskEmail(String address) {
        int at = address.lastIndexOf('@');
        if (at < 1) {
            return DOTS;
        }
        return address.charAt(0) + DOTS + address.substring(at);
    }
}
