package dev.flinkwatch.browser;

/**
 * A rendered page, as {@code POST /render} answers it.
 *
 * @param status HTTP status of the main document (its last redirect hop)
 * @param finalUrl where the document ended up after redirects
 * @param html the rendered DOM, at most the configured chars
 * @param truncated whether html was cut
 * @param renderMs time from admission to the page being read
 * @param screenshot base64 JPEG, or null when not asked or omitted
 * @param screenshotOmitted why an asked-for screenshot is missing ("too_large"), or null
 */
public record RenderResult(
        int status,
        String finalUrl,
        String html,
        boolean truncated,
        long renderMs,
        String screenshot,
        String screenshotOmitted) {}
