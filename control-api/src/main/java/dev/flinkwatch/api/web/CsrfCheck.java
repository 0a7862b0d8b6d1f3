package dev.flinkwatch.api.web;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Optional;

/**
 * Decides whether a state-changing web request may proceed: the browser must not say it came from
 * another site (Sec-Fetch-Site, Origin), and it must carry the session's token (form field or htmx
 * header). Both are checked: a cross-site post is refused even with a valid token.
 */
public final class CsrfCheck {
    /** Form field name of the token. */
    public static final String FIELD = "_csrf";

    /** Header name of the token (htmx sends it on every request, see the layout). */
    public static final String HEADER = "X-CSRF-Token";

    /** Why a request was refused. */
    public enum Refusal {
        /** Sec-Fetch-Site or Origin names another site. */
        CROSS_SITE_REQUEST,
        /** The token is missing or not the session's. */
        CSRF_TOKEN_INVALID
    }

    private CsrfCheck() {}

    /**
     * @param ownOrigin this server's origin as the browser sees it ({@code http://host:port})
     * @return the refusal, empty when the request may proceed
     */
    public static Optional<Refusal> check(
            String sessionToken,
            String sentToken,
            String secFetchSite,
            String origin,
            String ownOrigin) {
        if (secFetchSite != null) {
            String site = secFetchSite.strip().toLowerCase(Locale.ROOT);
            if (!site.equals("same-origin") && !site.equals("none")) {
                return Optional.of(Refusal.CROSS_SITE_REQUEST);
            }
        }
        if (origin != null && !sameOrigin(origin, ownOrigin)) {
            return Optional.of(Refusal.CROSS_SITE_REQUEST);
        }
        if (sessionToken == null
                || sentToken == null
                || !MessageDigest.isEqual(
                        sessionToken.getBytes(StandardCharsets.UTF_8),
                        sentToken.getBytes(StandardCharsets.UTF_8))) {
            return Optional.of(Refusal.CSRF_TOKEN_INVALID);
        }
        return Optional.empty();
    }

    private static boolean sameOrigin(String origin, String ownOrigin) {
        try {
            URI a = URI.create(origin.strip());
            URI b = URI.create(ownOrigin);
            return a.getScheme() != null
                    && a.getScheme().equalsIgnoreCase(b.getScheme())
                    && a.getHost() != null
                    && a.getHost().equalsIgnoreCase(b.getHost())
                    && port(a) == port(b);
        } catch (IllegalArgumentException e) {
            return false; // "null" (sandboxed frames) and garbage are other origins
        }
    }

    private static int port(URI u) {
        if (u.getPort() != -1) {
            return u.getPort();
        }
        return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }
}
