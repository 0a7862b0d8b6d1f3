package dev.flinkwatch.extraction;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.Elements;
import org.jsoup.select.NodeFilter;
import org.jsoup.select.NodeTraversor;

/**
 * Turns a fetched body into the normalized text that is compared between checks: for HTML/XML the
 * text of the elements the selector matches (or the readable text of the whole page without
 * scripts, styles and similar noise), one line per block element; for text and JSON the body
 * itself. Whitespace inside lines is collapsed, blank lines dropped, and the monitor's ignore
 * patterns removed, so cosmetic markup changes never count as changes.
 *
 * <p>Cost is bounded for any page and any spec the validator accepts: patterns run in linear time
 * ({@link Patterns}), at most {@link #MAX_SELECTED} selected elements are read, and text stops
 * being collected at {@code maxChars} (before normalization, ignore patterns, rules and hashing),
 * so deeply nested matches cannot multiply the work. Thread-safe.
 */
public final class PageText {
    /** Elements of a selector's matches that are read; later ones are left out. */
    public static final int MAX_SELECTED = 1000;

    private static final String NOISE =
            "script, style, noscript, template, svg, canvas, iframe, object, embed, head";

    private static final java.util.regex.Pattern SPACES =
            java.util.regex.Pattern.compile("[\\s\\u00A0]+");

    private final Patterns patterns;
    private final int maxChars;

    /**
     * @param patterns compiled patterns and selectors
     * @param maxChars cap of the text taken from a page (the text and JSON bodies included)
     */
    public PageText(Patterns patterns, int maxChars) {
        this.patterns = patterns;
        this.maxChars = maxChars;
    }

    /** The outcome of an extraction: text, or an error with a message. */
    public record Extracted(String text, ExtractionError error, String errorMessage) {
        static Extracted text(String text) {
            return new Extracted(text, null, null);
        }

        static Extracted error(ExtractionError error, String message) {
            return new Extracted(null, error, message);
        }

        public boolean ok() {
            return error == null;
        }
    }

    /**
     * Extracts and normalizes. The spec's patterns must be valid (the validator's rules): an
     * invalid one throws {@link dev.flinkwatch.model.UserPatterns.InvalidPatternException}.
     *
     * @param body the decoded body
     * @param contentType the response's content type (null means HTML)
     * @param baseUrl for resolving relative links (not otherwise used), or null
     * @param selector CSS selector, or null for the whole page
     * @param ignore regular expressions (RE2) removed from the text
     */
    public Extracted extract(
            String body, String contentType, String baseUrl, String selector, List<String> ignore) {
        String raw;
        if (isMarkup(contentType)) {
            Document doc = Jsoup.parse(body, baseUrl == null ? "" : baseUrl);
            StringBuilder sb = new StringBuilder();
            if (selector != null) {
                Elements selected = doc.select(patterns.selector(selector));
                if (selected.isEmpty()) {
                    return Extracted.error(
                            ExtractionError.SELECTOR_NO_MATCH, "selector matched nothing");
                }
                for (Element e : selected.subList(0, Math.min(selected.size(), MAX_SELECTED))) {
                    if (!appendText(e, sb)) {
                        break;
                    }
                    sb.append('\n');
                }
            } else {
                doc.select(NOISE).remove();
                appendText(doc.body() != null ? doc.body() : doc, sb);
            }
            raw = TextSanitizer.truncate(sb.toString(), maxChars);
        } else if (selector != null) {
            return Extracted.error(
                    ExtractionError.SELECTOR_NOT_APPLICABLE,
                    "a CSS selector needs an HTML or XML page, this is " + contentType);
        } else {
            raw = TextSanitizer.truncate(body, maxChars);
        }
        String text = normalize(raw);
        for (String pattern : ignore) {
            text = patterns.removeAll(pattern, text);
        }
        return Extracted.text(ignore.isEmpty() ? text : normalize(text));
    }

    /** Collapses whitespace inside lines, trims them and drops blank lines. */
    public static String normalize(String text) {
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\n")) {
            String collapsed = SPACES.matcher(line).replaceAll(" ").strip();
            if (!collapsed.isEmpty()) {
                lines.add(collapsed);
            }
        }
        return String.join("\n", lines);
    }

    private static boolean isMarkup(String contentType) {
        if (contentType == null) {
            return true;
        }
        String ct = contentType.toLowerCase(Locale.ROOT);
        return ct.contains("html") || ct.contains("xml");
    }

    /**
     * Appends an element's text with a line break around every block element and at {@code <br>};
     * false when {@code maxChars} was reached (the rest is not read).
     */
    private boolean appendText(Node root, StringBuilder sb) {
        NodeFilter.FilterResult end =
                NodeTraversor.filter(
                        new NodeFilter() {
                            @Override
                            public FilterResult head(Node node, int depth) {
                                if (sb.length() > maxChars) {
                                    return FilterResult.STOP;
                                }
                                if (node instanceof TextNode text) {
                                    sb.append(text.text());
                                } else if (node instanceof Element e
                                        && (e.isBlock() || e.nameIs("br"))) {
                                    sb.append('\n');
                                }
                                return FilterResult.CONTINUE;
                            }

                            @Override
                            public FilterResult tail(Node node, int depth) {
                                if (node instanceof Element e && e.isBlock()) {
                                    sb.append('\n');
                                } else if (node instanceof Element e && e.nameIs("td")) {
                                    sb.append(' ');
                                }
                                return FilterResult.CONTINUE;
                            }
                        },
                        root);
        return end != NodeFilter.FilterResult.STOP;
    }
}
