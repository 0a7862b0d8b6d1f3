package dev.flinkwatch.extraction;

import com.dynatrace.hash4j.hashing.HashStream128;
import com.dynatrace.hash4j.hashing.HashValue128;
import com.dynatrace.hash4j.hashing.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jsoup.nodes.Attribute;
import org.jsoup.nodes.DataNode;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.Range;
import org.jsoup.parser.Parser;
import org.jsoup.select.NodeTraversor;

/**
 * The parts of a parsed page that no extraction of it reads, so a later body that differs from it
 * only there extracts to the same text without being parsed. Real pages differ on every response in
 * exactly such places: CSRF nonces and tracking ids in attribute values, session tokens and
 * timestamps in scripts.
 *
 * <p>The template is the page cut at its <i>inert ranges</i>: attribute values the selector cannot
 * test (not {@code id} or {@code class} when it selects by them, no attribute it names, and never
 * {@code type} or {@code encoding}, which steer the HTML tree builder), and the data of {@code
 * <script>} and {@code <style>} elements (text extraction reads text nodes only; not when the
 * selector names data, as {@code :containsData}). It keeps the length of each segment between inert
 * ranges, each range's kind and a hash of the segments. A body matches when its segments, found by
 * those lengths and by scanning each inert range to the character that ends it (the closing quote,
 * whitespace or {@code >} for an unquoted value, the end tag of the script or style), hash the
 * same. Why that is enough: the HTML tokenizer is in the same state at the start of every segment
 * as it was for the learned page, an inert range's new content cannot leave that state (it holds no
 * character that ends it, and a script's holds no {@code <!--}, so its escape states are never
 * entered), so the token stream differs only in attribute values and script or style data, which
 * neither the tree's shape nor the extracted text depend on. {@link PageTemplateTest} checks it
 * against full extraction on randomly edited pages.
 *
 * <p>Compact: 4 bytes per inert range and a 128-bit hash; not the page. The hash is XXH3, not
 * SHA-256: it runs over the whole page on every check (SHA-256 was a tenth of a check's CPU), and a
 * page crafted to collide can only fool its own series, whose site could serve anything anyway.
 */
public final class PageTemplate {
    private static final int KIND_BITS = 3;
    private static final int DOUBLE_QUOTED = 0;
    private static final int SINGLE_QUOTED = 1;
    private static final int UNQUOTED = 2;
    private static final int SCRIPT = 3;
    private static final int STYLE = 4;

    /** Attributes whose values the tree builder reads (input type=hidden, annotation-xml). */
    private static final Set<String> STRUCTURAL = Set.of("type", "encoding");

    /** Shortest script or style data made inert: a shorter one rarely changes. */
    private static final int MIN_DATA = 1;

    /** One hash stream per thread: the template is matched on the thread that reads the page. */
    private static final ThreadLocal<HashStream128> HASH =
            ThreadLocal.withInitial(() -> Hashing.xxh3_128().hashStream());

    /** Per inert range: length of the segment before it << KIND_BITS | kind. */
    private final int[] layout;

    private final HashValue128 segmentsHash;
    private final String id;

    private PageTemplate(int[] layout, HashValue128 segmentsHash) {
        this.layout = layout;
        this.segmentsHash = segmentsHash;
        this.id =
                segmentsHash == null
                        ? null
                        : "t"
                                + HexFormat.of().toHexDigits(segmentsHash.getMostSignificantBits())
                                + HexFormat.of()
                                        .toHexDigits(segmentsHash.getLeastSignificantBits());
    }

    /**
     * The template of {@code body}, parsed into {@code doc} with positions tracked, for extraction
     * with {@code selector} (null: the whole page); null when nothing of the page is inert or its
     * positions do not check out.
     */
    static PageTemplate learn(String body, Document doc, String selector) {
        String lowerSelector = selector == null ? null : selector.toLowerCase(Locale.ROOT);
        List<long[]> ranges = new ArrayList<>();
        NodeTraversor.traverse(
                (node, depth) -> collect(node, body, lowerSelector, ranges), doc.root());
        if (ranges.isEmpty()) {
            return null;
        }
        ranges.sort((a, b) -> Long.compare(a[0], b[0]));
        int[] layout = new int[ranges.size()];
        int count = 0;
        int pos = 0;
        long[] previous = null;
        for (long[] range : ranges) {
            if (previous != null && range[0] == previous[0] && range[1] == previous[1]) {
                continue; // an element the tree builder cloned (misnested formatting) shares it
            }
            int start = (int) range[0];
            if (start < pos) {
                return null; // overlapping ranges: positions not as expected, do not guess
            }
            layout[count++] = (start - pos) << KIND_BITS | (int) range[2];
            pos = (int) range[1];
            previous = range;
        }
        PageTemplate template = new PageTemplate(Arrays.copyOf(layout, count), null);
        HashValue128 hash = template.segmentsHash(body);
        return hash == null ? null : new PageTemplate(template.layout, hash);
    }

    /** True when {@code body} extracts as the learned page did (see the class comment). */
    boolean matches(String body) {
        return segmentsHash.equals(segmentsHash(body));
    }

    /**
     * What every page matching the template has in common, as a 128-bit hash: pages with the same
     * id extract alike. Never the hash of a body, which is 32 hex digits: an id is {@code t} and
     * 32.
     */
    String id() {
        return id;
    }

    /** Heap taken, roughly. */
    int bytes() {
        return 16 + 16 + layout.length * 4 + 32 + 80;
    }

    int inertRanges() {
        return layout.length;
    }

    private static void collect(Node node, String body, String lowerSelector, List<long[]> ranges) {
        if (node instanceof Element e) {
            if (!isHtml(e)) {
                return;
            }
            for (Attribute attribute : e.attributes()) {
                String key = attribute.getKey();
                if (!inertAttribute(key.toLowerCase(Locale.ROOT), lowerSelector)) {
                    continue;
                }
                Range value = e.attributes().sourceRange(key).valueRange();
                if (value.isTracked()) {
                    addValue(body, value.startPos(), value.endPos(), ranges);
                }
            }
        } else if (node instanceof DataNode data
                && data.parent() != null
                && isHtml(data.parent())
                && (lowerSelector == null || !lowerSelector.contains("data"))) {
            Element parent = data.parent();
            int kind = parent.nameIs("script") ? SCRIPT : parent.nameIs("style") ? STYLE : -1;
            Range range = data.sourceRange();
            if (kind >= 0 && range.isTracked()) {
                addData(body, range.startPos(), range.endPos(), kind, ranges);
            }
        }
    }

    /** HTML namespace and not inside svg or math (foreign content tokenizes differently). */
    private static boolean isHtml(Element e) {
        for (Element at = e; at != null; at = at.parent()) {
            if (!Parser.NamespaceHtml.equals(at.tag().namespace())) {
                return false;
            }
        }
        return true;
    }

    private static boolean inertAttribute(String name, String lowerSelector) {
        if (STRUCTURAL.contains(name)) {
            return false;
        }
        if (lowerSelector == null) {
            return true;
        }
        return !lowerSelector.contains(name)
                && !(name.equals("id") && lowerSelector.indexOf('#') >= 0)
                && !(name.equals("class") && lowerSelector.indexOf('.') >= 0);
    }

    private static void addValue(String body, int start, int end, List<long[]> ranges) {
        if (start <= 0 || end >= body.length() || start >= end) {
            return; // an empty value's range is not reliable; it simply stays in a segment
        }
        char before = body.charAt(start - 1);
        int kind;
        if (before == '"' || before == '\'') {
            if (body.charAt(end) != before || body.indexOf(before, start) != end) {
                return;
            }
            kind = before == '"' ? DOUBLE_QUOTED : SINGLE_QUOTED;
        } else {
            if (!(before == '=' || isSpace(before))
                    || isQuote(body.charAt(start))
                    || unquotedEnd(body, start) != end) {
                return;
            }
            kind = UNQUOTED;
        }
        ranges.add(new long[] {start, end, kind});
    }

    private static void addData(String body, int start, int end, int kind, List<long[]> ranges) {
        if (end - start < MIN_DATA || end >= body.length()) {
            return;
        }
        if (dataEnd(body, start, kind) == end) {
            ranges.add(new long[] {start, end, kind});
        }
    }

    /**
     * The concatenated segments' hash when {@code body} can be cut by the layout, else null. An
     * ASCII body (most pages) is hashed as its bytes, one intrinsic copy away and 6x faster to hash
     * than its chars; any other as its chars. A leading flag keeps the two apart.
     */
    private HashValue128 segmentsHash(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        // UTF-8 takes one byte per char exactly when every char is ASCII: offsets stay the same
        byte[] ascii = bytes.length == body.length() ? bytes : null;
        char[] chars = ascii == null ? body.toCharArray() : null;
        HashStream128 hash = HASH.get().reset().putBoolean(ascii != null);
        int pos = 0;
        for (int entry : layout) {
            int segment = entry >>> KIND_BITS;
            if (pos + segment > body.length()) {
                return null;
            }
            put(hash, ascii, chars, pos, segment);
            pos += segment;
            pos = inertEnd(body, pos, entry & ((1 << KIND_BITS) - 1));
            if (pos < 0) {
                return null;
            }
        }
        put(hash, ascii, chars, pos, body.length() - pos);
        return hash.get();
    }

    private static void put(HashStream128 hash, byte[] ascii, char[] chars, int from, int length) {
        if (ascii != null) {
            hash.putBytes(ascii, from, length);
        } else {
            hash.putChars(chars, from, length);
        }
    }

    /** Where the inert range starting at {@code pos} ends, or -1 when it does not end safely. */
    private static int inertEnd(String body, int pos, int kind) {
        return switch (kind) {
            case DOUBLE_QUOTED -> body.indexOf('"', pos);
            case SINGLE_QUOTED -> body.indexOf('\'', pos);
            case UNQUOTED ->
                    pos < body.length() && !isQuote(body.charAt(pos)) ? unquotedEnd(body, pos) : -1;
            default -> dataEnd(body, pos, kind);
        };
    }

    /**
     * End of an unquoted value starting at {@code pos}: the first whitespace or {@code >}; -1 at
     * the end of the body or for an empty value (the tokenizer would skip the whitespace and read
     * what follows as the value).
     */
    private static int unquotedEnd(String body, int pos) {
        int i = pos;
        while (i < body.length() && !isSpace(body.charAt(i)) && body.charAt(i) != '>') {
            i++;
        }
        return i == pos || i == body.length() ? -1 : i;
    }

    /**
     * Where script or style data starting at {@code pos} ends: at its first {@code </}, which must
     * be its end tag ({@code </script} followed by whitespace, {@code /} or {@code >}); -1 when it
     * is not, or when script data holds {@code <!--} before it (escaped script data ends by other
     * rules). Stricter than HTML needs, on purpose: jsoup 1.22 reads the rest of the page as script
     * after, say, {@code </price.}, so any other {@code </} declines.
     */
    private static int dataEnd(String body, int pos, int kind) {
        String endTag = kind == SCRIPT ? "</script" : "</style";
        int at = body.indexOf("</", pos);
        int after = at + endTag.length();
        if (at < 0
                || after >= body.length()
                || !body.regionMatches(true, at, endTag, 0, endTag.length())) {
            return -1;
        }
        char c = body.charAt(after);
        if (!(isSpace(c) || c == '/' || c == '>')) {
            return -1;
        }
        if (kind == SCRIPT) {
            int comment = body.indexOf("<!--", pos);
            if (comment >= 0 && comment < at) {
                return -1;
            }
        }
        return at;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
    }

    private static boolean isQuote(char c) {
        return c == '"' || c == '\'';
    }
}
