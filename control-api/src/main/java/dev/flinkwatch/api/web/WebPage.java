package dev.flinkwatch.api.web;

/**
 * What every page's layout needs.
 *
 * @param title the page's title (also its h1)
 * @param section which navigation entry is current ({@code monitors}, {@code alerts}, ...); null
 *     outside the signed-in area
 * @param csrfToken the session's token for forms and htmx; null when signed out
 */
public record WebPage(String title, String section, String csrfToken) {
    public boolean signedIn() {
        return csrfToken != null;
    }

    /** htmx's {@code hx-headers}: every htmx request carries the CSRF token. */
    public String htmxHeaders() {
        return csrfToken == null ? null : "{\"" + CsrfCheck.HEADER + "\": \"" + csrfToken + "\"}";
    }

    /** {@code aria-current="page"} for the current navigation entry, else nothing. */
    public String current(String entry) {
        return entry.equals(section) ? "page" : null;
    }
}
