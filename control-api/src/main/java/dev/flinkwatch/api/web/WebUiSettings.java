package dev.flinkwatch.api.web;

import java.time.Duration;

/**
 * Settings of the web app.
 *
 * @param idleTimeout a session not used for this long ends
 * @param absoluteTimeout a session ends this long after sign-in, used or not
 * @param secureCookies always mark the session cookie {@code Secure} (behind a TLS proxy that does
 *     not send {@code X-Forwarded-Proto}); it is marked so anyway when the request came over TLS
 * @param previewsPerMinute previews (each fetches a page now) per tenant and minute
 */
public record WebUiSettings(
        Duration idleTimeout,
        Duration absoluteTimeout,
        boolean secureCookies,
        int previewsPerMinute) {

    public static final WebUiSettings DEFAULTS =
            new WebUiSettings(Duration.ofHours(2), Duration.ofHours(12), false, 20);

    public WebUiSettings {
        if (idleTimeout == null || idleTimeout.toSeconds() < 60) {
            throw new IllegalArgumentException("web idleTimeout must be at least 1 minute");
        }
        if (absoluteTimeout == null || absoluteTimeout.compareTo(idleTimeout) < 0) {
            throw new IllegalArgumentException(
                    "web absoluteTimeout must be at least the idle timeout");
        }
        if (previewsPerMinute < 1) {
            throw new IllegalArgumentException("web previewsPerMinute must be at least 1");
        }
    }
}
