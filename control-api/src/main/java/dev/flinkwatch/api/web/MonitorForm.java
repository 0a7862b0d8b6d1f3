package dev.flinkwatch.api.web;

import dev.flinkwatch.api.monitors.MonitorView;
import dev.flinkwatch.model.ComparisonOp;
import dev.flinkwatch.model.Condition;
import dev.flinkwatch.model.ConditionType;
import dev.flinkwatch.model.MonitorSpec;
import dev.flinkwatch.model.Render;
import dev.flinkwatch.model.Source;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The monitor form as the user filled it in: raw strings, kept as typed so a failed submit shows
 * them again. {@link #toBody()} makes the same request body the REST API takes, so the API's one
 * validation applies; {@link #formField(String)} maps the API's field paths ({@code
 * sources[0].url}) to the form's inputs.
 *
 * @param sources one row per source; rows with an empty URL and selector are left out
 * @param conditionType the condition's JSON type name ({@code contains}, ...)
 * @param ignore one pattern per line
 */
public record MonitorForm(
        String name,
        List<SourceRow> sources,
        String intervalSeconds,
        String conditionType,
        String conditionText,
        boolean ignoreCase,
        String conditionPattern,
        String conditionOp,
        String conditionValue,
        String conditionPrompt,
        String ignore) {

    /** Extra empty source rows a form shows, for adding a source without JavaScript. */
    static final int SPARE_ROWS = 1;

    private static final Pattern SOURCE_PATH = Pattern.compile("sources\\[(\\d+)](?:\\.(\\w+))?");

    /**
     * One source row of the form.
     *
     * @param read how the page is read: {@code http}, {@code browser} or {@code browser+screenshot}
     *     (a select, so every row posts one value and the rows stay aligned)
     */
    public record SourceRow(String url, String selector, String read) {
        static final String HTTP = "http";
        static final String BROWSER = "browser";
        static final String SCREENSHOT = "browser+screenshot";

        static SourceRow of(Source s) {
            String read = !s.rendered() ? HTTP : s.wantsScreenshot() ? SCREENSHOT : BROWSER;
            return new SourceRow(s.url(), s.selector() == null ? "" : s.selector(), read);
        }

        /** The source this row means; null when its read mode is not one of the three. */
        Source toSource() {
            String sel = selector.isEmpty() ? null : selector;
            return switch (read) {
                case HTTP -> new Source(url, sel);
                case BROWSER -> Source.browser(url, sel);
                case SCREENSHOT -> new Source(url, sel, Render.BROWSER, true);
                default -> null;
            };
        }
    }

    /** The blank form of a new monitor. */
    public static MonitorForm blank() {
        return new MonitorForm("", List.of(), "300", "any_change", "", false, "", "<", "", "", "");
    }

    /** The form of a stored monitor, for editing. */
    public static MonitorForm of(MonitorView view) {
        Condition c = view.condition();
        List<SourceRow> rows = new ArrayList<>();
        for (Source s : view.sources()) {
            rows.add(SourceRow.of(s));
        }
        return new MonitorForm(
                view.name(),
                rows,
                Integer.toString(view.intervalSeconds()),
                c == null ? "any_change" : c.type().json(),
                c == null || c.text() == null ? "" : c.text(),
                c != null && c.caseInsensitive(),
                c == null || c.pattern() == null ? "" : c.pattern(),
                c == null || c.op() == null ? "<" : c.op().symbol(),
                c == null || c.value() == null ? "" : number(c.value()),
                c == null || c.prompt() == null ? "" : c.prompt(),
                String.join("\n", view.ignore()));
    }

    /** The form from posted fields (repeated {@code url} and {@code selector} per source row). */
    public static MonitorForm fromPost(Map<String, List<String>> fields) {
        List<String> urls = fields.getOrDefault("url", List.of());
        List<String> selectors = fields.getOrDefault("selector", List.of());
        List<String> reads = fields.getOrDefault("read", List.of());
        List<SourceRow> rows = new ArrayList<>();
        for (int i = 0; i < Math.max(urls.size(), selectors.size()); i++) {
            String url = i < urls.size() ? urls.get(i).strip() : "";
            String selector = i < selectors.size() ? selectors.get(i).strip() : "";
            String read = i < reads.size() ? reads.get(i) : SourceRow.HTTP;
            if (!url.isEmpty() || !selector.isEmpty()) {
                rows.add(new SourceRow(url, selector, read));
            }
        }
        return new MonitorForm(
                first(fields, "name"),
                rows,
                first(fields, "intervalSeconds").strip(),
                first(fields, "conditionType"),
                first(fields, "conditionText"),
                !first(fields, "ignoreCase").isEmpty(),
                first(fields, "conditionPattern"),
                first(fields, "conditionOp"),
                first(fields, "conditionValue").strip(),
                first(fields, "conditionPrompt"),
                first(fields, "ignore"));
    }

    /** The rows a form shows: the sources and {@link #SPARE_ROWS} empty ones. */
    public List<SourceRow> rows() {
        List<SourceRow> rows = new ArrayList<>(sources);
        for (int i = 0; i < SPARE_ROWS; i++) {
            rows.add(new SourceRow("", "", SourceRow.HTTP));
        }
        return rows;
    }

    /** A parsed request body, or the fields that could not even be parsed. */
    public record Parsed(MonitorSpec body, Map<String, String> problems) {}

    /**
     * The REST request body this form means. Values that are not numbers where numbers belong are
     * reported under the API's field path, as the API reports a wrong JSON type.
     */
    public Parsed toBody() {
        Map<String, String> problems = new LinkedHashMap<>();
        int interval = 0;
        try {
            interval = Integer.parseInt(intervalSeconds);
        } catch (NumberFormatException e) {
            problems.put("intervalSeconds", "must be a whole number of seconds");
        }
        ConditionType type = null;
        for (ConditionType t : ConditionType.values()) {
            if (t.json().equals(conditionType)) {
                type = t;
            }
        }
        if (type == null) {
            problems.put("condition.type", "must be one of the listed condition types");
        }
        ComparisonOp op = null;
        Double value = null;
        if (type == ConditionType.NUMBER) {
            for (ComparisonOp o : ComparisonOp.values()) {
                if (o.symbol().equals(conditionOp)) {
                    op = o;
                }
            }
            try {
                value = conditionValue.isEmpty() ? null : Double.valueOf(conditionValue);
            } catch (NumberFormatException e) {
                problems.put("condition.value", "must be a number");
            }
        }
        Condition condition =
                type == null
                        ? null
                        : new Condition(
                                type,
                                usedBy(type, ConditionType.CONTAINS, ConditionType.NOT_CONTAINS)
                                        ? conditionText
                                        : null,
                                usedBy(type, ConditionType.CONTAINS, ConditionType.NOT_CONTAINS)
                                        ? ignoreCase
                                        : null,
                                type == ConditionType.REGEX ? conditionPattern : null,
                                op,
                                value,
                                type == ConditionType.LLM ? conditionPrompt : null);
        List<Source> list = new ArrayList<>();
        for (int i = 0; i < sources.size(); i++) {
            Source source = sources.get(i).toSource();
            if (source == null) {
                problems.put("sources[" + i + "].render", "must be one of the listed ways to read");
                source = new Source(sources.get(i).url(), null);
            }
            list.add(source);
        }
        List<String> patterns = new ArrayList<>();
        for (String line : ignore.split("\\R")) {
            if (!line.isBlank()) {
                patterns.add(line.strip());
            }
        }
        MonitorSpec body =
                new MonitorSpec(
                        null,
                        null,
                        0,
                        name.strip(),
                        list,
                        interval,
                        condition,
                        patterns,
                        null,
                        null);
        return new Parsed(body, problems);
    }

    /**
     * The id of the input that shows an API field's message: {@code sources[1].selector} is {@code
     * source-1-selector}, {@code ignore[2]} is {@code ignore}; null for fields the form has no
     * input for (they are listed above the form).
     */
    public static String formField(String apiField) {
        Matcher m = SOURCE_PATH.matcher(apiField);
        if (m.matches()) {
            String part = m.group(2) == null ? "url" : m.group(2);
            return switch (part) {
                case "url", "selector" -> "source-" + m.group(1) + "-" + part;
                case "render", "screenshot" -> "source-" + m.group(1) + "-read";
                default -> null;
            };
        }
        if (apiField.startsWith("ignore")) {
            return "ignore";
        }
        return switch (apiField) {
            case "name", "intervalSeconds" -> apiField;
            case "sources" -> "source-0-url";
            case "condition", "condition.type" -> "conditionType";
            case "condition.text" -> "conditionText";
            case "condition.ignoreCase" -> "ignoreCase";
            case "condition.pattern" -> "conditionPattern";
            case "condition.op" -> "conditionOp";
            case "condition.value" -> "conditionValue";
            case "condition.prompt" -> "conditionPrompt";
            default -> null;
        };
    }

    /** API field problems keyed by form input id; unmapped ones under {@code ""}, joined. */
    public static Map<String, String> byFormField(Map<String, String> apiProblems) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : apiProblems.entrySet()) {
            String field = formField(e.getKey());
            String key = field == null ? "" : field;
            String message = field == null ? e.getKey() + ": " + e.getValue() : e.getValue();
            out.merge(key, message, (a, b) -> a + "; " + b);
        }
        return out;
    }

    private static boolean usedBy(ConditionType type, ConditionType... types) {
        for (ConditionType t : types) {
            if (t == type) {
                return true;
            }
        }
        return false;
    }

    private static String first(Map<String, List<String>> fields, String name) {
        List<String> values = fields.get(name);
        return values == null || values.isEmpty() || values.get(0) == null ? "" : values.get(0);
    }

    private static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15
                ? Long.toString((long) value)
                : Double.toString(value).toLowerCase(Locale.ROOT);
    }
}
