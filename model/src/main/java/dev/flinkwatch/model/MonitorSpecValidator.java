package dev.flinkwatch.model;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.jsoup.select.QueryParser;
import org.jsoup.select.Selector;

/**
 * The one place that decides whether a monitor's user-supplied fields are acceptable, used by the
 * control API before storing and by the pipeline before scheduling. It checks everything and
 * reports every problem by field path ({@code sources[0].url}), in document order. Ids, tenant and
 * version are assigned by the system and not checked here.
 */
public final class MonitorSpecValidator {
    public static final int MAX_NAME_LENGTH = 200;
    public static final int MAX_SOURCES = 20;
    public static final int MAX_URL_LENGTH = 2048;
    public static final int MAX_SELECTOR_LENGTH = 500;
    public static final int MAX_TEXT_LENGTH = 1000;
    public static final int MAX_PATTERN_LENGTH = 500;
    public static final int MAX_PROMPT_LENGTH = 2000;
    public static final int MAX_IGNORE_PATTERNS = 20;
    public static final int MAX_CHANNELS = 20;

    /**
     * Upper bound of the expanded sizes ({@link UserPatterns#MAX_EXPANDED_SIZE}) of a spec's regex
     * condition and ignore patterns together: every check runs all of them over the page, so their
     * cost adds up, and a spec within this bound rarely needs the pipeline's per-check pattern
     * budget.
     */
    public static final int MAX_TOTAL_PATTERN_SIZE = 4_000;

    private final ValidationLimits limits;

    public MonitorSpecValidator(ValidationLimits limits) {
        this.limits = limits;
    }

    public ValidationLimits limits() {
        return limits;
    }

    /** Returns field path to message for every problem; empty when the spec is valid. */
    public Map<String, String> validate(MonitorSpec spec) {
        Map<String, String> errors = new LinkedHashMap<>();
        if (spec == null) {
            errors.put("$", "is required");
            return errors;
        }
        checkName(spec.name(), errors);
        checkSources(spec.sources(), errors);
        checkInterval(spec.intervalSeconds(), errors);
        checkCondition(spec.condition(), errors);
        checkIgnore(spec.ignore(), errors);
        checkTotalPatternSize(spec, errors);
        if (spec.notification() != null) {
            checkNotify(spec.notification(), errors);
        }
        if (spec.status() == null) {
            errors.put("status", "is required");
        }
        return errors;
    }

    private static void checkName(String name, Map<String, String> errors) {
        if (name == null || name.isBlank()) {
            errors.put("name", "is required");
        } else if (name.length() > MAX_NAME_LENGTH) {
            errors.put("name", "must be at most " + MAX_NAME_LENGTH + " characters");
        }
    }

    private static void checkSources(List<Source> sources, Map<String, String> errors) {
        if (sources == null) {
            errors.put("sources", "is required");
            return;
        }
        if (sources.isEmpty()) {
            errors.put("sources", "must have at least 1 source");
            return;
        }
        if (sources.size() > MAX_SOURCES) {
            errors.put("sources", "must have at most " + MAX_SOURCES + " sources");
            return;
        }
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < sources.size(); i++) {
            String path = "sources[" + i + "]";
            Source source = sources.get(i);
            if (source == null) {
                errors.put(path, "is required");
                continue;
            }
            if (checkUrl(path + ".url", source.url(), errors)) {
                Integer first = seen.putIfAbsent(source.url(), i);
                if (first != null) {
                    errors.put(path + ".url", "duplicates the URL of sources[" + first + "]");
                }
            }
            checkSelector(path + ".selector", source.selector(), errors);
            if (Boolean.TRUE.equals(source.screenshot()) && !source.rendered()) {
                errors.put(path + ".screenshot", "requires \"render\": \"browser\"");
            }
        }
    }

    private static void checkNotify(Notify notify, Map<String, String> errors) {
        if (notify.webhookUrl() != null) {
            checkUrl("notify.webhookUrl", notify.webhookUrl(), errors);
        }
        List<UUID> channels = notify.channels();
        if (channels == null) {
            return;
        }
        if (channels.size() > MAX_CHANNELS) {
            errors.put("notify.channels", "must have at most " + MAX_CHANNELS + " channels");
            return;
        }
        Map<UUID, Integer> seen = new HashMap<>();
        for (int i = 0; i < channels.size(); i++) {
            String path = "notify.channels[" + i + "]";
            UUID id = channels.get(i);
            if (id == null) {
                errors.put(path, "is required");
                continue;
            }
            Integer first = seen.putIfAbsent(id, i);
            if (first != null) {
                errors.put(path, "duplicates notify.channels[" + first + "]");
            }
        }
    }

    /**
     * Checks an http(s) URL (syntax, length, host, no user info), reporting a problem under {@code
     * path}; returns true when it is valid. Also used for notification channel URLs.
     */
    public static boolean checkUrl(String path, String url, Map<String, String> errors) {
        if (url == null || url.isBlank()) {
            errors.put(path, "is required");
            return false;
        }
        if (url.length() > MAX_URL_LENGTH) {
            errors.put(path, "must be at most " + MAX_URL_LENGTH + " characters");
            return false;
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            errors.put(path, "must be a valid URL: " + e.getReason());
            return false;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            errors.put(path, "must be an http or https URL");
            return false;
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            errors.put(path, "must have a valid host name");
            return false;
        }
        if (uri.getRawUserInfo() != null) {
            errors.put(path, "must not contain user credentials");
            return false;
        }
        return true;
    }

    private static void checkSelector(String path, String selector, Map<String, String> errors) {
        if (selector == null) {
            return;
        }
        if (selector.isBlank()) {
            errors.put(path, "must not be blank (omit it to watch the whole page)");
        } else if (selector.length() > MAX_SELECTOR_LENGTH) {
            errors.put(path, "must be at most " + MAX_SELECTOR_LENGTH + " characters");
        } else {
            String problem = selectorProblem(selector);
            if (problem != null) {
                errors.put(path, problem);
            }
        }
    }

    private void checkInterval(int intervalSeconds, Map<String, String> errors) {
        if (intervalSeconds < limits.minIntervalSeconds()) {
            errors.put("intervalSeconds", "must be at least " + limits.minIntervalSeconds());
        } else if (intervalSeconds > ValidationLimits.MAX_INTERVAL_SECONDS) {
            errors.put(
                    "intervalSeconds",
                    "must be at most " + ValidationLimits.MAX_INTERVAL_SECONDS + " (7 days)");
        }
    }

    private static void checkCondition(Condition c, Map<String, String> errors) {
        if (c == null) {
            errors.put("condition", "is required");
            return;
        }
        if (c.type() == null) {
            errors.put("condition.type", "is required");
            return;
        }
        boolean usesText =
                c.type() == ConditionType.CONTAINS || c.type() == ConditionType.NOT_CONTAINS;
        if (usesText) {
            checkText("condition.text", c.text(), MAX_TEXT_LENGTH, errors);
        }
        if (c.type() == ConditionType.REGEX) {
            checkRegex("condition.pattern", c.pattern(), errors);
        }
        if (c.type() == ConditionType.NUMBER) {
            if (c.op() == null) {
                errors.put("condition.op", "is required");
            }
            if (c.value() == null) {
                errors.put("condition.value", "is required");
            } else if (!Double.isFinite(c.value())) {
                errors.put("condition.value", "must be a finite number");
            }
        }
        if (c.type() == ConditionType.LLM) {
            checkText("condition.prompt", c.prompt(), MAX_PROMPT_LENGTH, errors);
        }
        // A field meant for another type is almost always a mistake the user wants to hear about.
        String type = c.type().json();
        rejectUnused("condition.text", c.text() != null && !usesText, type, errors);
        rejectUnused("condition.ignoreCase", c.ignoreCase() != null && !usesText, type, errors);
        rejectUnused(
                "condition.pattern",
                c.pattern() != null && c.type() != ConditionType.REGEX,
                type,
                errors);
        boolean number = c.type() == ConditionType.NUMBER;
        rejectUnused("condition.op", c.op() != null && !number, type, errors);
        rejectUnused("condition.value", c.value() != null && !number, type, errors);
        rejectUnused(
                "condition.prompt",
                c.prompt() != null && c.type() != ConditionType.LLM,
                type,
                errors);
    }

    private static void rejectUnused(
            String path, boolean present, String type, Map<String, String> errors) {
        if (present) {
            errors.put(path, "is not used by condition type " + type);
        }
    }

    private static void checkText(String path, String text, int max, Map<String, String> errors) {
        if (text == null || text.isBlank()) {
            errors.put(path, "is required");
        } else if (text.length() > max) {
            errors.put(path, "must be at most " + max + " characters");
        }
    }

    private static void checkRegex(String path, String pattern, Map<String, String> errors) {
        if (pattern == null || pattern.isEmpty()) {
            errors.put(path, "is required");
        } else if (pattern.length() > MAX_PATTERN_LENGTH) {
            errors.put(path, "must be at most " + MAX_PATTERN_LENGTH + " characters");
        } else {
            String problem = UserPatterns.problem(pattern);
            if (problem != null) {
                errors.put(path, "is not a valid regular expression: " + problem);
            }
        }
    }

    /**
     * Why a CSS selector cannot run, or null. Its regexes are checked before jsoup compiles them:
     * an oversized one would exhaust memory in the compiler itself.
     */
    public static String selectorProblem(String selector) {
        if (UserPatterns.hasNesting(selector) > 1) {
            return "must not nest :has inside :has (its cost grows with the page's size times"
                    + " its depth per level)";
        }
        for (String regex : UserPatterns.inSelector(selector)) {
            String problem = UserPatterns.problem(regex);
            if (problem != null) {
                return "has a regular expression /" + regex + "/ that " + problem;
            }
        }
        try {
            QueryParser.parse(selector);
            return null;
        } catch (Selector.SelectorParseException | IllegalArgumentException e) {
            return "is not a valid CSS selector: " + e.getMessage();
        }
    }

    /** Names the first pattern (condition first, then ignore) that takes the sum over the cap. */
    private static void checkTotalPatternSize(MonitorSpec spec, Map<String, String> errors) {
        Map<String, String> patterns = new LinkedHashMap<>();
        Condition c = spec.condition();
        if (c != null && c.type() == ConditionType.REGEX && c.pattern() != null) {
            patterns.put("condition.pattern", c.pattern());
        }
        for (int i = 0; i < spec.ignore().size(); i++) {
            if (spec.ignore().get(i) != null) {
                patterns.put("ignore[" + i + "]", spec.ignore().get(i));
            }
        }
        long total = 0;
        for (Map.Entry<String, String> pattern : patterns.entrySet()) {
            total += UserPatterns.expandedSize(pattern.getValue());
            if (total > MAX_TOTAL_PATTERN_SIZE) {
                errors.putIfAbsent( // a pattern too large on its own already says so
                        pattern.getKey(),
                        "brings the spec's patterns to about "
                                + total
                                + " steps once repetitions are expanded (condition.pattern and"
                                + " ignore together at most "
                                + MAX_TOTAL_PATTERN_SIZE
                                + ")");
                return;
            }
        }
    }

    private static void checkIgnore(List<String> ignore, Map<String, String> errors) {
        if (ignore.size() > MAX_IGNORE_PATTERNS) {
            errors.put("ignore", "must have at most " + MAX_IGNORE_PATTERNS + " patterns");
            return;
        }
        for (int i = 0; i < ignore.size(); i++) {
            checkRegex("ignore[" + i + "]", ignore.get(i), errors);
        }
    }
}
