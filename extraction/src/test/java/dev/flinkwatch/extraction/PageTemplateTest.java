package dev.flinkwatch.extraction;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PageTemplateTest {
    private static final String PRODUCT =
            "<!doctype html><html><head><title>Product</title>"
                    + "<meta name=\"csrf-token\" content=\"679613ff66ba2bb75c71df64ba41e89a\">"
                    + "<script>window.session=\"1-1\";window.renderedAt=1796276028.398;</script>"
                    + "</head><body><p>Line 0 of a product page.</p><p>Line 1.</p>"
                    + "<span id=\"price\">$59.99</span>"
                    + "<img src=\"/px.gif?rid=679613ff66ba\" width=\"1\" height=\"1\"></body></html>";

    /** Constructs where tokenizing or tree building is subtle. */
    private static final String TRICKY =
            "<html><head><meta charset=utf-8><title>T &amp; x</title>"
                    + "<style>p { color: red } /* </sty */</style>"
                    + "<script>var a = 1 < 2; var s = \"<b>\"; if (a</b) {}</script>"
                    + "<script type=\"application/ld+json\">{\"price\": \"10\"}</script>"
                    + "<script><!-- old(); --></script></head>"
                    + "<body class=main data-x='1' onload=go()>"
                    + "<div id=price data-rid=\"abc123\" title='it''s'>$10 <b title=\"t\">off</b></div>"
                    + "<table><tr><td>1<input type=hidden name=n value=v><td>2 <i lang=en>x</i></table>"
                    + "<svg><style>x{}</style><script>svg()</script><title>svg t</title></svg>"
                    + "<textarea>area \"x\"</textarea>"
                    + "<a href=/x?y=1&amp;z=2 rel=nofollow>link</a><!-- comment \"q\" -->"
                    + "<select><option value=\"o1\">One</option></select>"
                    + "<p class=\"c1 c2\" style='a:b'>para<br>two</p><noscript>ns</noscript>"
                    + "<iframe src=\"/f\">if</iframe><img alt=x src=/i.png/></body></html>";

    /** Recovery paths of the tree builder: duplicates, misnesting, tables, templates. */
    private static final String MISNESTED =
            "<p title=a title=b>dup <b class=x>bold <i data-n=\"1\">both</b> italic</i></p>"
                    + "<html lang=en data-v=\"2\"><body data-b=\"3\">"
                    + "<table data-t=\"4\"><script>var t=5;</script>loose<tr><td data-c=6>c"
                    + "</table><template><style>.t{}</style><span data-s='7'>in template</span>"
                    + "</template><form action=\"/a\"><form action=\"/b\"><input disabled"
                    + " value=&ampx;y></form><a href=\"q\"><div>block in a</div></a>"
                    + "<math><mi data-m=\"8\">m</mi><script>math()</script></math>"
                    + "<ul><li data-l=\"9\">one<li>two</ul><h1 data-h=\"10\">head</h1>";

    private static final List<String> SELECTORS =
            Arrays.asList(
                    null,
                    "#price",
                    ".c1",
                    "p",
                    "div b",
                    "[data-rid]",
                    "[data-rid=abc123]",
                    "td",
                    "script",
                    "title",
                    "a[href*=z]",
                    "i[lang=en]",
                    "div:contains(off)",
                    "script:containsData(price)",
                    "[src$=.png/]",
                    "body",
                    "i",
                    "li",
                    "template span, h1");

    private static final String[] PIECES = {
        "",
        "x",
        "12345",
        "\"",
        "'",
        "<",
        ">",
        " ",
        "=",
        "&amp;",
        "&",
        "&quot",
        "</script>",
        "</script ",
        "</SCRIPT>",
        "</scriptx>",
        "</style>",
        "<!--",
        "-->",
        "<b>",
        "</div>",
        "\n",
        "hidden",
        "/",
        "a b",
        "#",
        "price",
        "<script>",
        "</",
        "=\"",
        "e9f0",
        "é",
        "€"
    };

    private final PageText pageText = new PageText(new Patterns(100), 100_000);

    @Test
    void aPageDifferingInNonceSessionTimestampAndTrackingIdMatches() {
        PageText.Extracted learned = extract(PRODUCT, "#price", true);
        String next =
                PRODUCT.replace("679613ff66ba2bb75c71df64ba41e89a", "0badc0de")
                        .replace("\"1-1\"", "\"7-42\"")
                        .replace("1796276028.398", "1796276099.001")
                        .replace("rid=679613ff66ba", "rid=aa");

        assertThat(learned.text()).isEqualTo("$59.99");
        assertThat(learned.template().inertRanges()).isGreaterThanOrEqualTo(6);
        assertThat(learned.template().matches(next)).isTrue();
        assertThat(learned.template().matches(PRODUCT.replace("$59.99", "$49.99"))).isFalse();
        assertThat(learned.template().matches(PRODUCT.replace("Line 1", "Line 2"))).isFalse();
        // the id the selector selects by is not inert
        assertThat(learned.template().matches(PRODUCT.replace("id=\"price\"", "id=\"cost\"")))
                .isFalse();
    }

    /**
     * Non-ASCII pages hash as chars, not bytes: a change of one character to another that a
     * single-byte view would map alike (both outside Latin-1) is still a different page.
     */
    @Test
    void nonAsciiPagesMatchOnlyWhenTheirTextIsTheSame() {
        String page = PRODUCT.replace("Line 1.", "Prix 59,99 € · 日本");
        PageText.Extracted learned = extract(page, "#price", true);

        assertThat(learned.template().matches(page.replace("1796276028.398", "17962.9"))).isTrue();
        assertThat(learned.template().matches(page.replace("€", "₤"))).isFalse();
        assertThat(learned.template().matches(page.replace("日本", "日木"))).isFalse();
        assertThat(learned.template().matches(page.replace("€", "?"))).isFalse();
        // the ASCII page it was made from differs in a segment: no match across the two hashings
        assertThat(learned.template().matches(PRODUCT)).isFalse();
        assertThat(extract(PRODUCT, "#price", true).template().matches(page)).isFalse();
    }

    @Test
    void valuesTheSelectorNamesAndStructuralAttributesAreNotInert() {
        PageText.Extracted byAttribute = extract(TRICKY, "[data-rid=abc123]", true);
        PageText.Extracted anySelector = extract(TRICKY, "p", true);

        assertThat(byAttribute.template().matches(TRICKY.replace("abc123", "abc124"))).isFalse();
        assertThat(anySelector.template().matches(TRICKY.replace("abc123", "abc124"))).isTrue();
        assertThat(anySelector.template().matches(TRICKY.replace("type=hidden", "type=hiddex")))
                .isFalse();
        assertThat(anySelector.template().matches(TRICKY.replace("old();", "new();"))).isFalse();
        assertThat(anySelector.template().matches(TRICKY.replace("svg()", "gvs()"))).isFalse();
    }

    /**
     * The property the reuse rests on: whenever a template says an edited page matches, a full
     * extraction of the edited page gives the learned text. Random edits anywhere, with the
     * characters that end values, scripts and comments; most edits must not match, many must.
     */
    @Test
    void aMatchingPageAlwaysExtractsTheLearnedText() {
        Random random = new Random(13);
        int matched = 0;
        int tried = 0;
        for (String page : List.of(PRODUCT, TRICKY, MISNESTED)) {
            for (String selector : SELECTORS) {
                PageText.Extracted learned = extract(page, selector, true);
                if (!learned.ok() || learned.template() == null) {
                    continue;
                }
                for (int i = 0; i < 1500; i++) {
                    String edited = edit(page, random);
                    tried++;
                    if (learned.template().matches(edited)) {
                        matched++;
                        PageText.Extracted full = extract(edited, selector, false);
                        assertThat(full.text())
                                .as("selector %s, page %s", selector, edited)
                                .isEqualTo(learned.text());
                    }
                }
            }
        }
        assertThat(matched).isBetween(tried / 50, tried / 2);
    }

    @Test
    void aTemplateIsLearnedOnlyWhenAsked() {
        assertThat(extract(PRODUCT, "#price", false).template()).isNull();
        assertThat(extract("<p>no attributes</p>", "p", true).template()).isNull();
    }

    private PageText.Extracted extract(String body, String selector, boolean learn) {
        return pageText.extract(
                body,
                "text/html",
                "https://example.com/",
                selector,
                List.of(),
                new PatternBudget(Duration.ofMinutes(1), System::nanoTime),
                learn);
    }

    private static String edit(String page, Random random) {
        StringBuilder sb = new StringBuilder(page);
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits; e++) {
            int pos = random.nextInt(sb.length());
            int removed =
                    random.nextInt(3) == 0 ? 0 : Math.min(1 + random.nextInt(5), sb.length() - pos);
            sb.replace(pos, pos + removed, piece(random));
        }
        return sb.toString();
    }

    private static String piece(Random random) {
        List<String> parts = new ArrayList<>();
        int n = 1 + random.nextInt(2);
        for (int i = 0; i < n; i++) {
            parts.add(PIECES[random.nextInt(PIECES.length)]);
        }
        return String.join("", parts);
    }
}
