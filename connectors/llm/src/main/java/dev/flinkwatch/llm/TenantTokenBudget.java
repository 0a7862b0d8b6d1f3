package dev.flinkwatch.llm;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Tokens per tenant per UTC day in one subtask, against this subtask's share of the daily limit. A
 * call first {@link #reserve reserves} its worst case (prompt estimate + max output tokens)
 * atomically, and is made only if the reservation fits next to what the tenant has spent and
 * reserved already; after the call the reservation is {@link Reservation#settle settled} with the
 * real usage (0 when the call failed before any usage). So calls in flight count against the budget
 * and concurrent requests cannot overshoot it. The evaluator checkpoints the settled counts ({@link
 * #snapshot}, {@link #restore}), so a restart does not start the day again; reservations are not
 * checkpointed: Flink replays the requests in flight at a checkpoint, which reserve again.
 */
final class TenantTokenBudget {
    private final long limit;
    private final Map<UUID, Day> days = new ConcurrentHashMap<>();
    private volatile LocalDate today = LocalDate.MIN;

    /** One tenant's day; replaced atomically, never mutated. */
    private record Day(long epochDay, long settled, long reserved) {
        long used() {
            return settled + reserved;
        }
    }

    /**
     * @param limit tokens a tenant may spend per day in this subtask; 0 = unlimited
     */
    TenantTokenBudget(long limit) {
        this.limit = limit;
    }

    /**
     * The share of a daily limit one of {@code parallelism} subtasks enforces. Requests are
     * partitioned by content, so a tenant's calls spread over subtasks: rounded down, the shares
     * add up to at most the limit (only a limit below the parallelism gets 1 per subtask); a tenant
     * is stopped early only by uneven spreading. 0 stays unlimited.
     */
    static long share(long dailyLimit, int parallelism) {
        return dailyLimit == 0 ? 0 : Math.max(1, dailyLimit / parallelism);
    }

    /**
     * Reserves {@code tokens} of the tenant's day if they fit.
     *
     * @return the reservation to settle after the call, or null when the tenant's day has no room
     */
    Reservation reserve(UUID tenant, LocalDate day, long tokens) {
        long epochDay = day.toEpochDay();
        if (limit == 0) {
            return new Reservation(tenant, epochDay, 0);
        }
        forgetBefore(day);
        return add(tenant, epochDay, tokens) ? new Reservation(tenant, epochDay, tokens) : null;
    }

    private boolean add(UUID tenant, long epochDay, long tokens) {
        AtomicBoolean fits = new AtomicBoolean();
        days.compute(
                tenant,
                (id, old) -> {
                    Day current =
                            old == null || old.epochDay() != epochDay
                                    ? new Day(epochDay, 0, 0)
                                    : old;
                    if (current.used() + tokens > limit) {
                        return old;
                    }
                    fits.set(true);
                    return new Day(epochDay, current.settled(), current.reserved() + tokens);
                });
        return fits.get();
    }

    /** Settled tokens of the tenant's day plus tokens reserved by calls in flight, for tests. */
    long used(UUID tenant, LocalDate day) {
        Day d = days.get(tenant);
        return d == null || d.epochDay() != day.toEpochDay() ? 0 : d.used();
    }

    /** The settled counts to checkpoint. */
    List<TenantTokens> snapshot() {
        List<TenantTokens> counts = new ArrayList<>();
        days.forEach(
                (tenant, day) -> {
                    if (day.settled() > 0) {
                        counts.add(new TenantTokens(tenant, day.epochDay(), day.settled()));
                    }
                });
        return counts;
    }

    /**
     * Adds checkpointed counts of {@code day}; older days are dropped. After a rescale a subtask
     * may get entries of several old subtasks: they add up.
     */
    void restore(Iterable<TenantTokens> counts, LocalDate day) {
        if (limit == 0) {
            return;
        }
        for (TenantTokens count : counts) {
            if (count.epochDay() == day.toEpochDay()) {
                days.merge(
                        count.tenantId(),
                        new Day(count.epochDay(), count.tokens(), 0),
                        (old, add) -> new Day(old.epochDay(), old.settled() + add.settled(), 0));
            }
        }
    }

    /** A new day drops yesterday's counts, so memory holds only today's tenants. */
    private void forgetBefore(LocalDate day) {
        if (day.isAfter(today)) {
            today = day;
            days.values().removeIf(d -> d.epochDay() < day.toEpochDay());
        }
    }

    /**
     * Tokens held for one call (and its re-ask) on one tenant's day. Settled exactly once, from
     * whichever thread the call completes on.
     */
    final class Reservation {
        private final UUID tenant;
        private final long epochDay;
        private long reserved;
        private boolean settled;

        private Reservation(UUID tenant, long epochDay, long reserved) {
            this.tenant = tenant;
            this.epochDay = epochDay;
            this.reserved = reserved;
        }

        /** Reserves {@code tokens} more for another ask of the same call, if they fit. */
        synchronized boolean extend(long tokens) {
            if (settled) {
                return false;
            }
            if (limit == 0) {
                return true;
            }
            if (!add(tenant, epochDay, tokens)) {
                return false;
            }
            reserved += tokens;
            return true;
        }

        /**
         * Replaces the reservation by what the call really cost: 0 releases it. A reservation of a
         * day already forgotten settles into nothing.
         */
        synchronized void settle(long spent) {
            if (settled) {
                return;
            }
            settled = true;
            if (limit == 0) {
                return;
            }
            long held = reserved;
            days.computeIfPresent(
                    tenant,
                    (id, day) ->
                            day.epochDay() != epochDay
                                    ? day
                                    : new Day(
                                            epochDay,
                                            day.settled() + Math.max(0, spent),
                                            Math.max(0, day.reserved() - held)));
        }
    }
}
