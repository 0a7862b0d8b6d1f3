package dev.flinkwatch.api.web;

import dev.flinkwatch.api.diff.DiffView;
import dev.flinkwatch.api.history.AlertView;
import dev.flinkwatch.api.history.CheckView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One stored check of a monitor's history with its diff ready to show and the alerts it raised.
 *
 * @param diff the check's change as rows (empty for an error)
 * @param alerts what the check raised, with the reasons (LLM or rule)
 */
public record ChangeRow(CheckView check, DiffView diff, List<AlertView> alerts) {

    /** The history rows of stored checks, each with the alerts that name it. */
    public static List<ChangeRow> of(List<CheckView> checks, List<AlertView> alerts) {
        Map<Long, List<AlertView>> byCheck = new HashMap<>();
        for (AlertView a : alerts) {
            if (a.checkId() != null) {
                byCheck.computeIfAbsent(a.checkId(), id -> new ArrayList<>()).add(a);
            }
        }
        List<ChangeRow> rows = new ArrayList<>();
        for (CheckView c : checks) {
            rows.add(
                    new ChangeRow(
                            c,
                            DiffView.ofStored(c.diff()),
                            byCheck.getOrDefault(c.id(), List.of())));
        }
        return rows;
    }
}
