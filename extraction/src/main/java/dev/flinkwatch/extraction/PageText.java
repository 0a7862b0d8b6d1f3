package dev.flinkwatch.extraction;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.parser.Parser;
import org.jsoup.select.CombiningEvaluator;
import org.jsoup.select.Elements;
import org.jsoup.select.Evaluator;
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
 * ({@link Patterns}) under the check's {@link PatternBudget}, at most {@link #MAX_SELECTED}
 * selected elements are read, and text stops being collected at {@code maxChars} (before
 * normalization, ignore patterns, rules and hashing), so deeply nested matches cannot multiply the
 * work.
 *
 * <p>Selectors run inside jsoup, which offers no hook into its text reads: {@code :matches} and
 * {@code :contains} read every element's whole text, {@code :has} walks every element's subtree, so
 * a selection costs about elements x depth (times the text for text pseudos). So the document is
 * bounded before selecting: the parser closes elements nested deeper than {@link #MAX_DEPTH} (their
 * content stays, as siblings: real pages are far shallower, and a selector still finds the
 * content), a selector runs on at most {@link #MAX_SELECTOR_ELEMENTS} elements and, when it carries
 * regexes, on at most {@link #MAX_SELECTOR_REGEX_TEXT} characters of text (else a recorded {@link
 * ExtractionError#SELECTOR_DOCUMENT_TOO_LARGE}: a silently truncated document would report changes
 * the page never had). The validator rejects {@code :has} nested in {@code :has}. The budget is
 * checked before each element. Thread-safe.
 */
public final class PageText {
    /** Elements of a selector's matches that are read; later ones are left out. */
    public static final int MAX_SELECTED = 1000;

    /** Nesting the parser keeps; deeper elements are closed (jsoup's own default is 512). */
    public static final int MAX_DEPTH = 128;

    /** Elements of a page a selector runs on; larger pages are an error. */
    public static final int MAX_SELECTOR_ELEMENTS = 100_000;

    /**
     * Text of a page a selector with regexes runs on (at most the extraction cap). One element's
     * {@code :matches} is a single unmetered RE2 run over its text: at the worst measured cost (2-4
     * µs per char for {@code (.*a){20}z}, bench/results/extraction.txt) this keeps it at 150-250
     * ms.
     */
    public static final int MAX_SELECTOR_REGEX_TEXT = 64 * 1024;

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

    /**
     * The outcome of an extraction: text, or an error with a message; with the page's template when
     * one was asked for and the page has one.
     */
    public record Extracted(
            String text, ExtractionError error, String errorMessage, PageTemplate template) {
        static Extracted text(String text, PageTemplate template) {
            return new Extracted(text, null, null, template);
        }

        static Extracted error(ExtractionError error, String message) {
            return new Extracted(null, error, message, null);
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
     * @param budget the check's pattern budget; running out is a {@link
     *     ExtractionError#PATTERN_BUDGET_EXCEEDED}
     */
    public Extracted extract(
            String body,
            String contentType,
            String baseUrl,
            String selector,
            List<String> ignore,
            PatternBudget budget) {
        return extract(body, contentType, baseUrl, selector, ignore, budget, false);
    }

    /**
     * As {@link #extract(String, String, String, String, List, PatternBudget)}; with {@code learn},
     * a markup page's {@link PageTemplate} comes with its text.
     */
    public Extracted extract(
            String body,
            String contentType,
            String baseUrl,
            String selector,
            List<String> ignore,
            PatternBudget budget,
            boolean learn) {
        try {
            return extractWithin(body, contentType, baseUrl, selector, ignore, budget, learn);
        } catch (PatternBudget.ExceededException e) {
            return Extracted.error(ExtractionError.PATTERN_BUDGET_EXCEEDED, e.getMessage());
        }
    }

    private Extracted extractWithin(
            String body,
            String contentType,
            String baseUrl,
            String selector,
            List<String> ignore,
            PatternBudget budget,
            boolean learn) {
        String raw;
        PageTemplate template = null;
        if (isMarkup(contentType)) {
            Document doc =
                    Jsoup.parse(
                            body,
                            baseUrl == null ? "" : baseUrl,
                            Parser.htmlParser().setMaxDepth(MAX_DEPTH).setTrackPosition(learn));
            if (learn) {
                template = PageTemplate.learn(body, doc, selector); // before noise is removed
            }
            StringBuilder sb = new StringBuilder();
            if (selector != null) {
                Patterns.Selector compiled = patterns.selector(selector);
                String tooLarge = tooLargeFor(doc, compiled);
                if (tooLarge != null) {
                    return Extracted.error(ExtractionError.SELECTOR_DOCUMENT_TOO_LARGE, tooLarge);
                }
                Elements selected = doc.select(metered(compiled.evaluator(), budget));
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
        for (int i = 0; i < ignore.size(); i++) {
            text = patterns.removeAll(ignore.get(i), text, budget, "ignore[" + i + "]");
        }
        return Extracted.text(ignore.isEmpty() ? text : normalize(text), template);
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

    /** Why the selector does not run on this document, or null when it does. */
    private String tooLargeFor(Document doc, Patterns.Selector selector) {
        long[] elementsAndText = new long[2];
        NodeTraversor.traverse(
                (node, depth) -> {
                    if (node instanceof Element) {
                        elementsAndText[0]++;
                    } else if (node instanceof TextNode text) {
                        elementsAndText[1] += text.getWholeText().length();
                    }
                },
                doc);
        if (elementsAndText[0] > MAX_SELECTOR_ELEMENTS) {
            return "the page has "
                    + elementsAndText[0]
                    + " elements; a selector runs on pages of at most "
                    + MAX_SELECTOR_ELEMENTS;
        }
        int maxText = Math.min(maxChars, MAX_SELECTOR_REGEX_TEXT);
        if (selector.hasRegex() && elementsAndText[1] > maxText) {
            return "the page has "
                    + elementsAndText[1]
                    + " characters of text; a selector with a regular expression runs on pages of"
                    + " at most "
                    + maxText
                    + " (select by structure and use a regex condition instead)";
        }
        return null;
    }

    /**
     * The selector, with the budget checked before each element is tested (the cheapest evaluator
     * of an And runs first). The work of one element is not metered: the document bounds keep it
     * small.
     */
    private static Evaluator metered(Evaluator selector, PatternBudget budget) {
        Evaluator check =
                new Evaluator() {
                    @Override
                    public boolean matches(Element root, Element element) {
                        budget.check("selector");
                        return true;
                    }

                    @Override
                    protected int cost() {
                        return 0;
                    }
                };
        return new CombiningEvaluator.And(List.of(check, selector));
    }

    static boolean isMarkup(String contentType) {
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
