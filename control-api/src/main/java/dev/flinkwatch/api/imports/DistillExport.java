package dev.flinkwatch.api.imports;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.flinkwatch.api.http.ApiException;
import dev.flinkwatch.api.http.ItemProblem;
import dev.flinkwatch.api.monitors.BatchCreate;
import dev.flinkwatch.model.ModelCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps Distill.io's JSON export ({@code {"client": ..., "data": [monitor, ...]}}) to monitor
 * bodies. Per exported monitor: {@code name} becomes the name (the URL when empty), {@code uri} the
 * source URL, the CSS {@code includes} of the first selection's first frame the selector (several
 * are joined as one selector group), {@code schedule} of type {@code INTERVAL} the interval ({@code
 * params.interval}, seconds). {@code config} and {@code schedule} are JSON documents in strings in
 * the export; objects are accepted too.
 *
 * <p>An XPath (or other non-CSS) include makes the item invalid: Flinkwatch selects with CSS only.
 * Not imported, with a note per item: excludes, further selections and frames, tags, dynamic
 * (JavaScript-rendered) loading, schedules other than INTERVAL. Ignored silently: state,
 * content_type, ts and the display options (includeStyle, ignoreEmptyText, dataAttr).
 */
final class DistillExport {
    static final String ITEMS = "data";

    private DistillExport() {}

    /** The export's monitors as items, and what was left out of them. */
    record Mapped(List<BatchCreate.Item> items, List<ItemProblem> notes) {}

    static Mapped map(JsonNode export, ImportDefaults defaults, int maxItems) {
        JsonNode data = export.get(ITEMS);
        if (data == null || !data.isArray()) {
            throw ApiException.validation(
                    Map.of(ITEMS, "must be the array of monitors of a Distill.io export"));
        }
        BatchCreate.requireSize(ITEMS, data.size(), maxItems);
        List<BatchCreate.Item> items = new ArrayList<>(data.size());
        List<ItemProblem> notes = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            items.add(item(i, data.get(i), defaults, notes));
        }
        return new Mapped(items, notes);
    }

    private static BatchCreate.Item item(
            int index, JsonNode monitor, ImportDefaults defaults, List<ItemProblem> notes) {
        if (!monitor.isObject()) {
            return BatchCreate.Item.unreadable("$", "must be a JSON object");
        }
        JsonNode uri = monitor.get("uri");
        if (uri == null || !uri.isTextual() || uri.asText().isBlank()) {
            return BatchCreate.Item.unreadable("uri", "is required");
        }
        Map<String, String> problems = new LinkedHashMap<>();
        String selector = null;
        JsonNode config = embedded(monitor, "config", problems);
        if (config != null) {
            selector = selector(index, config, problems, notes);
        }
        Integer interval = null;
        JsonNode schedule = embedded(monitor, "schedule", problems);
        if (schedule != null) {
            String type = schedule.path("type").asText("");
            JsonNode seconds = schedule.path("params").path("interval");
            if (type.equals("INTERVAL") && seconds.isNumber()) {
                interval = (int) Math.round(Math.min(Integer.MAX_VALUE, seconds.asDouble()));
            } else {
                notes.add(
                        new ItemProblem(
                                index,
                                "schedule",
                                "schedule type '"
                                        + type
                                        + "' is not imported; the default interval is used"));
            }
        }
        JsonNode tags = monitor.get("tags");
        if (tags != null && tags.isArray() && !tags.isEmpty()) {
            notes.add(new ItemProblem(index, "tags", "tags are not imported"));
        }
        if (!problems.isEmpty()) {
            return new BatchCreate.Item(null, problems);
        }
        JsonNode name = monitor.get("name");
        return BatchCreate.Item.of(
                defaults.monitor(
                        name != null && name.isTextual() ? name.asText() : null,
                        uri.asText().strip(),
                        selector,
                        interval));
    }

    /** The CSS selector of the first selection's first frame; null for the whole page. */
    private static String selector(
            int index, JsonNode config, Map<String, String> problems, List<ItemProblem> notes) {
        JsonNode selections = config.path("selections");
        if (!selections.isArray() || selections.isEmpty()) {
            return null;
        }
        if (selections.size() > 1) {
            notes.add(
                    new ItemProblem(
                            index,
                            "config.selections",
                            "only the first of " + selections.size() + " selections is imported"));
        }
        JsonNode selection = selections.get(0);
        if (selection.path("dynamic").asBoolean(false)) {
            notes.add(
                    new ItemProblem(
                            index,
                            "config.selections[0].dynamic",
                            "pages are fetched without running their JavaScript"));
        }
        JsonNode frames = selection.path("frames");
        if (!frames.isArray() || frames.isEmpty()) {
            return null;
        }
        if (frames.size() > 1) {
            notes.add(
                    new ItemProblem(
                            index,
                            "config.selections[0].frames",
                            "only the first of " + frames.size() + " frames is imported"));
        }
        String path = "config.selections[0].frames[0]";
        JsonNode frame = frames.get(0);
        if (frame.path("excludes").isArray() && !frame.path("excludes").isEmpty()) {
            notes.add(
                    new ItemProblem(
                            index,
                            path + ".excludes",
                            "excluded elements are not imported; add ignore patterns instead"));
        }
        JsonNode includes = frame.path("includes");
        List<String> css = new ArrayList<>();
        for (int k = 0; k < includes.size(); k++) {
            JsonNode include = includes.get(k);
            String type = include.path("type").asText("");
            String expr = include.path("expr").asText("");
            if (!type.equals("css")) {
                problems.put(
                        path + ".includes[" + k + "].type",
                        type.equals("xpath")
                                ? "XPath selectors are not supported; use a CSS selector"
                                : "selector type '" + type + "' is not supported; use CSS");
            } else if (!expr.isBlank()) {
                css.add(expr.strip());
            }
        }
        return css.isEmpty() ? null : String.join(", ", css);
    }

    /** A field holding a JSON document as a string (as exported) or as an object. */
    private static JsonNode embedded(JsonNode monitor, String field, Map<String, String> problems) {
        JsonNode value = monitor.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isObject()) {
            return value;
        }
        if (value.isTextual()) {
            try {
                JsonNode parsed = ModelCodec.mapper().readTree(value.asText());
                if (parsed != null && parsed.isObject()) {
                    return parsed;
                }
            } catch (JsonProcessingException e) {
                // reported below
            }
        }
        problems.put(field, "must be a JSON object or a string holding one");
        return null;
    }
}
