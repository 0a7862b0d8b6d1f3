package dev.flinkwatch.pipeline.alert;

import dev.flinkwatch.llm.Verdict;
import dev.flinkwatch.llm.VerdictStatus;
import dev.flinkwatch.model.Alert;
import dev.flinkwatch.model.AlertKind;
import dev.flinkwatch.model.Hashing;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.UUID;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * One LLM_BUDGET_EXCEEDED alert per tenant and UTC day (keyed by tenant id), when the first verdict
 * of the day is SKIPPED_BUDGET. The id derives from tenant and day, so sinks drop replays.
 */
public class BudgetNotice extends KeyedProcessFunction<UUID, Verdict, Alert> {
    private transient ValueState<String> noticedDay;
    private transient AlertMetrics metrics;

    @Override
    public void open(OpenContext openContext) {
        noticedDay =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("noticed-day", Types.STRING));
        metrics = new AlertMetrics(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(Verdict verdict, Context ctx, Collector<Alert> out)
            throws Exception {
        if (verdict.status() != VerdictStatus.SKIPPED_BUDGET) {
            return;
        }
        String day = LocalDate.ofInstant(verdict.detectedAt(), ZoneOffset.UTC).toString();
        if (day.equals(noticedDay.value())) {
            return;
        }
        noticedDay.update(day);
        metrics.raised(AlertKind.LLM_BUDGET_EXCEEDED);
        out.collect(
                new Alert(
                        Hashing.sha256Hex128(
                                AlertKind.LLM_BUDGET_EXCEEDED.name(),
                                verdict.tenantId().toString(),
                                day),
                        AlertKind.LLM_BUDGET_EXCEEDED,
                        verdict.monitorId(),
                        verdict.tenantId(),
                        verdict.sourceUrl(),
                        verdict.detectedAt(),
                        "the daily LLM token budget is used up: llm conditions are skipped until"
                                + " 00:00 UTC ("
                                + verdict.error()
                                + ")",
                        null,
                        null));
    }
}
