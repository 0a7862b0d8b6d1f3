package dev.flinkwatch.llm;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tokens spent per tenant per UTC day in one subtask, against this subtask's share of the daily
 * limit. Admission is checked before a call, spending is known only after it: calls admitted while
 * others are in flight can overshoot the limit by their own cost. The evaluator checkpoints the
 * counts ({@link #snapshot}, {@link #restore}), so a restart does not start the day again.
 */
final class TenantTokenBudget {
    private final long limit;
    private final Map<UUID, TenantTokens> spent = new ConcurrentHashMap<>();
    private volatile LocalDate today = LocalDate.MIN;

    /**
     * @param limit tokens a tenant may spend per day in this subtask; 0 = unlimited
     */
    TenantTokenBudget(long limit) {
        this.limit = limit;
    }

    /**
     * The share of a daily limit one of {@code parallelism} subtasks enforces. Requests are
     * partitioned by content, so a tenant's calls spread evenly over subtasks: the shares add up to
     * the limit (never more spent in total), and a tenant is stopped early only by uneven
     * spreading. Rounded up so a small limit still admits calls; 0 stays unlimited.
     */
    static long share(long dailyLimit, int parallelism) {
        return dailyLimit == 0 ? 0 : Math.max(1, (dailyLimit + parallelism - 1) / parallelism);
    }

    /** Whether the tenant may start another call today. */
    boolean admits(UUID tenant, LocalDate day) {
        if (limit == 0) {
            return true;
        }
        forgetBefore(day);
        TenantTokens s = spent.get(tenant);
        return s == null || s.epochDay() != day.toEpochDay() || s.tokens() < limit;
    }

    /** Adds a finished call's tokens to the tenant's day. */
    void charge(UUID tenant, LocalDate day, long tokens) {
        if (limit == 0 || tokens <= 0) {
            return;
        }
        long epochDay = day.toEpochDay();
        spent.merge(
                tenant,
                new TenantTokens(tenant, epochDay, tokens),
                (old, add) ->
                        old.epochDay() == epochDay
                                ? new TenantTokens(tenant, epochDay, old.tokens() + tokens)
                                : add);
    }

    /** The counts to checkpoint. */
    List<TenantTokens> snapshot() {
        return List.copyOf(spent.values());
    }

    /**
     * Adds checkpointed counts of {@code day}; older days are dropped. After a rescale a subtask
     * may get entries of several old subtasks: they add up.
     */
    void restore(Iterable<TenantTokens> counts, LocalDate day) {
        for (TenantTokens count : counts) {
            if (count.epochDay() == day.toEpochDay()) {
                charge(count.tenantId(), day, count.tokens());
            }
        }
    }

    /** A new day drops yesterday's counts, so memory holds only today's tenants. */
    private void forgetBefore(LocalDate day) {
        if (day.isAfter(today)) {
            today = day;
            spent.values().removeIf(s -> s.epochDay() < day.toEpochDay());
        }
    }
}
