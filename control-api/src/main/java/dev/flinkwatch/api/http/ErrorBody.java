package dev.flinkwatch.api.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/** The error document of every non-2xx response. */
public record ErrorBody(Detail error) {

    /**
     * @param code machine-readable, stable (validation_failed, not_found, ...)
     * @param message for humans
     * @param fields offending field or parameter path to message; omitted when empty
     * @param items per-item problems of a batch or import; omitted when empty
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Detail(
            String code, String message, Map<String, String> fields, List<ItemProblem> items) {}

    public static ErrorBody of(ApiException e) {
        return new ErrorBody(new Detail(e.code(), e.getMessage(), e.fields(), e.items()));
    }
}
