package dev.flinkwatch.pipeline.change;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.Elements;
import org.jsoup.select.NodeTraversor;
import org.jsoup.select.NodeVisitor;

/**
 * Turns a fetched body into the normalized text that is compared between checks: for HTML/XML the
 * text of the elements the selector matches (or the readable text of the whole page without
 * scripts, styles and similar noise), one line per block element; for text and JSON the body
 * itself. Whitespace inside lines is collapsed, blank lines dropped, and the monitor's ignore
 * patterns removed, so cosmetic markup changes never count as changes.
 */
public final class PageText {
    private static final String NOISE =
            "script, style, noscript, template, svg, canvas, iframe, object, embed, head";

    private PageText() {}

    /** The outcome of an extraction: text, or an error code with a message. */
    public record Extracted(String text, String errorCode, String errorMessage) {
        static Extracted text(String text) {
            return new Extracted(text, null, null);
        }

        static Extracted error(String code, String message) {
            return new Extracted(null, code, message);
        }

        public boolean ok() {
            return errorCode == null;
        }
    }

    /**
     * Extracts and normalizes.
     *
     * @param body the decoded body
     * @param contentType the response's content type (null means HTML)
     * @param baseUrl for resolving relative links (not otherwise used)
     * @param selector CSS selector, or null for the whole page
     * @param ignore regular expressions removed from the text
     * @param regex the time-bounded regex engine
     */
    public static Extracted extract(
            String body,
            String contentType,
            String baseUrl,
            String selector,
            List<String> ignore,
            BoundedRegex regex) {
        String raw;
        if (isMarkup(contentType)) {
            Document doc = Jsoup.parse(body, baseUrl);
            if (selector != null) {
                Elements selected = doc.select(selector);
                if (selected.isEmpty()) {
                    return Extracted.error("SELECTOR_NO_MATCH", "selector matched nothing");
                }
                StringBuilder sb = new StringBuilder();
                for (Element e : selected) {
                    appendText(e, sb);
                    sb.append('\n');
                }
                raw = sb.toString();
            } else {
                doc.select(NOISE).remove();
                StringBuilder sb = new StringBuilder();
                appendText(doc.body() != null ? doc.body() : doc, sb);
                raw = sb.toString();
            }
        } else if (selector != null) {
            return Extracted.error(
                    "SELECTOR_NOT_APPLICABLE",
                    "a CSS selector needs an HTML or XML page, this is " + contentType);
        } else {
            raw = body;
        }
        String text = normalize(raw);
        try {
            for (String pattern : ignore) {
                text = regex.removeAll(pattern, text);
            }
        } catch (BoundedRegex.TimeoutException e) {
            return Extracted.error("IGNORE_PATTERN_TIMEOUT", e.getMessage());
        }
        return Extracted.text(ignore.isEmpty() ? text : normalize(text));
    }

    /** Collapses whitespace inside lines, trims them and drops blank lines. */
    public static String normalize(String text) {
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\n")) {
            String collapsed = line.replaceAll("[\\s\\u00A0]+", " ").strip();
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

    /** Text of an element with a line break around every block element and at {@code <br>}. */
    private static void appendText(Node root, StringBuilder sb) {
        NodeTraversor.traverse(
                new NodeVisitor() {
                    @Override
                    public void head(Node node, int depth) {
                        if (node instanceof TextNode text) {
                            sb.append(text.text());
                        } else if (node instanceof Element e && (e.isBlock() || e.nameIs("br"))) {
                            sb.append('\n');
                        }
                    }

                    @Override
                    public void tail(Node node, int depth) {
                        if (node instanceof Element e && e.isBlock()) {
                            sb.append('\n');
                        } else if (node instanceof Element e && e.nameIs("td")) {
                            sb.append(' ');
                        }
                    }
                },
                root);
    }
}
