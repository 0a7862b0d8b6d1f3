package dev.flinkwatch.browser;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;

/**
 * One {@code POST /render} body, validated: {@code {"url", "waitFor", "timeoutMs", "screenshot"}}.
 *
 * @param url absolute http(s) URL of the document
 * @param waitFor when the page counts as rendered
 * @param timeout the whole render's limit, the wait for a slot included
 * @param screenshot whether a JPEG of the page is wanted
 */
public record RenderRequest(URI url, WaitFor waitFor, Duration timeout, boolean screenshot) {
    private static final int MAX_URL_LENGTH = 8192;
    private static final int MAX_SELECTOR_LENGTH = 1024;
    private static final Set<String> FIELDS = Set.of("url", "waitFor", "timeoutMs", "screenshot");

    /** When navigation is done: the load event, network idle, or a selector being attached. */
    public sealed interface WaitFor {
        record Load() implements WaitFor {}

        record NetworkIdle() implements WaitFor {}

        record Selector(String css) implements WaitFor {}
    }

    /**
     * Reads and validates a body.
     *
     * @throws RenderFailure validation_failed naming the first bad field
     */
    public static RenderRequest parse(JsonNode body, BrowserConfig config) {
        if (body == null || !body.isObject()) {
            throw RenderFailure.invalid("body", "must be a JSON object");
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw RenderFailure.invalid(name, "unknown field");
            }
        }
        return new RenderRequest(
                url(body.get("url")),
                waitFor(body.get("waitFor")),
                timeout(body.get("timeoutMs"), config),
                screenshot(body.get("screenshot")));
    }

    private static URI url(JsonNode node) {
        if (node == null || !node.isTextual() || node.asText().isBlank()) {
            throw RenderFailure.invalid("url", "required, an absolute http(s) URL");
        }
        String text = node.asText().trim();
        if (text.length() > MAX_URL_LENGTH) {
            throw RenderFailure.invalid("url", "longer than " + MAX_URL_LENGTH + " chars");
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw RenderFailure.invalid("url", "not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw RenderFailure.invalid("url", "only http and https URLs are rendered");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw RenderFailure.invalid("url", "has no valid host");
        }
        return uri;
    }

    private static WaitFor waitFor(JsonNode node) {
        if (node == null || node.isNull()) {
            return new WaitFor.Load();
        }
        if (node.isTextual()) {
            return switch (node.asText()) {
                case "load" -> new WaitFor.Load();
                case "networkidle" -> new WaitFor.NetworkIdle();
                default ->
                        throw RenderFailure.invalid(
                                "waitFor", "\"load\", \"networkidle\" or {\"selector\": \"css\"}");
            };
        }
        JsonNode selector = node.isObject() && node.size() == 1 ? node.get("selector") : null;
        if (selector == null || !selector.isTextual() || selector.asText().isBlank()) {
            throw RenderFailure.invalid(
                    "waitFor", "\"load\", \"networkidle\" or {\"selector\": \"css\"}");
        }
        if (selector.asText().length() > MAX_SELECTOR_LENGTH) {
            throw RenderFailure.invalid(
                    "waitFor.selector", "longer than " + MAX_SELECTOR_LENGTH + " chars");
        }
        return new WaitFor.Selector(selector.asText());
    }

    private static Duration timeout(JsonNode node, BrowserConfig config) {
        if (node == null || node.isNull()) {
            return config.defaultTimeout();
        }
        long max = config.maxTimeout().toMillis();
        if (!node.canConvertToLong() || !node.isIntegralNumber()) {
            throw RenderFailure.invalid("timeoutMs", "must be an integer of milliseconds");
        }
        long ms = node.asLong();
        if (ms < 1 || ms > max) {
            throw RenderFailure.invalid("timeoutMs", "must be between 1 and " + max);
        }
        return Duration.ofMillis(ms);
    }

    private static boolean screenshot(JsonNode node) {
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            throw RenderFailure.invalid("screenshot", "must be true or false");
        }
        return node.asBoolean();
    }
}
