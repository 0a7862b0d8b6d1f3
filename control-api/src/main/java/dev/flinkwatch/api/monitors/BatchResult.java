package dev.flinkwatch.api.monitors;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.flinkwatch.api.http.ItemProblem;
import java.util.List;

/**
 * The answer to a batch create or an import.
 *
 * @param monitors the created monitors in request order (on a replay: the live ones)
 * @param notes what an import did not carry over, per item; omitted when empty
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record BatchResult(List<MonitorView> monitors, List<ItemProblem> notes) {}
