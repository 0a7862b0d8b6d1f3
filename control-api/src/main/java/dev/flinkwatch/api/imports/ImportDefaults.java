package dev.flinkwatch.api.imports;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.flinkwatch.api.http.ApiException;
import dev.flinkwatch.model.Condition;
import dev.flinkwatch.model.MonitorSpec;
import dev.flinkwatch.model.MonitorSpecValidator;
import dev.flinkwatch.model.MonitorStatus;
import dev.flinkwatch.model.Notify;
import dev.flinkwatch.model.Source;
import io.javalin.http.Context;
import java.util.List;
import java.util.Locale;

/**
 * What every imported monitor gets where its source says nothing. From query parameters ({@code
 * selector}, {@code intervalSeconds}, {@code contains} | {@code notContains} | {@code llm}, {@code
 * status}) or, for JSON imports, a {@code defaults} object with these fields.
 *
 * @param selector CSS selector; null means the whole page's readable text
 * @param intervalSeconds null means {@value #DEFAULT_INTERVAL_SECONDS}
 * @param condition null means any change
 * @param ignore ignore patterns
 * @param notification delivery targets ({@code notify} in JSON, as in a monitor)
 * @param status null means active
 */
public record ImportDefaults(
        String selector,
        Integer intervalSeconds,
        Condition condition,
        List<String> ignore,
        @JsonProperty("notify") Notify notification,
        MonitorStatus status) {
    public static final int DEFAULT_INTERVAL_SECONDS = 300;
    static final ImportDefaults NONE = new ImportDefaults(null, null, null, null, null, null);

    /** The defaults a request's query parameters give. */
    static ImportDefaults fromQuery(Context ctx) {
        Integer interval = null;
        String rawInterval = ctx.queryParam("intervalSeconds");
        if (rawInterval != null) {
            try {
                interval = Integer.parseInt(rawInterval);
            } catch (NumberFormatException e) {
                throw ApiException.invalidParameter("intervalSeconds", "must be a whole number");
            }
        }
        Condition condition = null;
        int conditions = 0;
        if (ctx.queryParam("contains") != null) {
            condition = Condition.contains(ctx.queryParam("contains"), false);
            conditions++;
        }
        if (ctx.queryParam("notContains") != null) {
            condition = Condition.notContains(ctx.queryParam("notContains"), false);
            conditions++;
        }
        if (ctx.queryParam("llm") != null) {
            condition = Condition.llm(ctx.queryParam("llm"));
            conditions++;
        }
        if (conditions > 1) {
            throw ApiException.invalidParameter(
                    "contains", "only one of contains, notContains and llm may be given");
        }
        MonitorStatus status = null;
        String rawStatus = ctx.queryParam("status");
        if (rawStatus != null) {
            try {
                status = MonitorStatus.valueOf(rawStatus.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw ApiException.invalidParameter("status", "must be active or paused");
            }
        }
        return new ImportDefaults(
                ctx.queryParam("selector"), interval, condition, null, null, status);
    }

    /**
     * A monitor body (as a single create receives it) for one imported page.
     *
     * @param name null or blank means the URL (cut to the longest allowed name)
     * @param selector null means {@link #selector()}
     * @param intervalSeconds null means {@link #intervalSeconds()}
     */
    MonitorSpec monitor(String name, String url, String selector, Integer intervalSeconds) {
        String effectiveName = name == null || name.isBlank() ? url : name.strip();
        if (effectiveName != null
                && effectiveName.length() > MonitorSpecValidator.MAX_NAME_LENGTH) {
            effectiveName = effectiveName.substring(0, MonitorSpecValidator.MAX_NAME_LENGTH);
        }
        Integer interval = intervalSeconds != null ? intervalSeconds : this.intervalSeconds;
        return new MonitorSpec(
                null,
                null,
                0,
                effectiveName,
                List.of(new Source(url, selector != null ? selector : this.selector)),
                interval != null ? interval : DEFAULT_INTERVAL_SECONDS,
                condition != null ? condition : Condition.anyChange(),
                ignore,
                notification,
                status);
    }
}
