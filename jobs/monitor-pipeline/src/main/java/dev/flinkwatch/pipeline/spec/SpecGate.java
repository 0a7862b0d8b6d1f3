package dev.flinkwatch.pipeline.spec;

import dev.flinkwatch.model.MonitorSpec;
import dev.flinkwatch.model.MonitorSpecValidator;
import dev.flinkwatch.model.MonitorStatus;
import dev.flinkwatch.model.ValidationLimits;
import java.util.Map;

/**
 * The one place that decides which spec of a monitor the job runs. The scheduler and the change
 * detector both see every monitor event and both ask this gate, so they always hold the same spec:
 * one cannot accept a version (a pause, say) that the other rejected.
 */
public final class SpecGate {
    /** What the gate decided. */
    public enum Kind {
        /** Not newer than the spec held: a replay, ignore it. */
        STALE,
        /** Valid and newer: run it. */
        ACCEPTED,
        /** Newer but invalid for this job: the monitor stops, visibly, until a valid version. */
        REJECTED
    }

    /**
     * @param kind the decision
     * @param spec the spec to hold from now on (for REJECTED: the previous spec, paused, at the
     *     rejected version, so older versions stay stale; null if none was held)
     * @param errors validation errors by field path (REJECTED only)
     */
    public record Decision(Kind kind, MonitorSpec spec, Map<String, String> errors) {}

    private final MonitorSpecValidator validator;

    public SpecGate(int minIntervalSeconds) {
        this.validator = new MonitorSpecValidator(new ValidationLimits(minIntervalSeconds));
    }

    /**
     * @param held the spec held now, or null
     * @param incoming the spec of an upsert event
     */
    public Decision admit(MonitorSpec held, MonitorSpec incoming) {
        if (held != null && incoming.version() <= held.version()) {
            return new Decision(Kind.STALE, held, Map.of());
        }
        Map<String, String> errors = validator.validate(incoming);
        if (errors.isEmpty()) {
            return new Decision(Kind.ACCEPTED, incoming, Map.of());
        }
        // Running the older version would silently ignore what the user just asked for.
        MonitorSpec stopped =
                held == null
                        ? null
                        : held.withVersion(incoming.version()).withStatus(MonitorStatus.PAUSED);
        return new Decision(Kind.REJECTED, stopped, errors);
    }
}
