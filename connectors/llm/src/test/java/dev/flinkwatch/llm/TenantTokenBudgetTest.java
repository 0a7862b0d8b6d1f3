package dev.flinkwatch.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TenantTokenBudgetTest {
    private static final LocalDate DAY = LocalDate.of(2026, 11, 28);
    private static final UUID A = UUID.randomUUID();
    private static final UUID B = UUID.randomUUID();

    @Test
    void aCallIsMadeOnlyIfItsWorstCaseFitsNextToSpentAndReservedTokens() {
        TenantTokenBudget budget = new TenantTokenBudget(1_000);

        TenantTokenBudget.Reservation first = budget.reserve(A, DAY, 600);
        assertThat(first).isNotNull();
        assertThat(budget.reserve(A, DAY, 600)).as("the first is still in flight").isNull();
        assertThat(budget.reserve(B, DAY, 600)).as("another tenant's day").isNotNull();

        first.settle(150); // cheaper than reserved: the rest is released
        assertThat(budget.used(A, DAY)).isEqualTo(150);
        assertThat(budget.reserve(A, DAY, 850)).isNotNull();
        assertThat(budget.reserve(A, DAY, 1)).isNull();
    }

    @Test
    void aFailedCallReleasesItsReservation() {
        TenantTokenBudget budget = new TenantTokenBudget(1_000);
        TenantTokenBudget.Reservation failed = budget.reserve(A, DAY, 1_000);

        failed.settle(0);
        failed.settle(500); // settled once only

        assertThat(budget.used(A, DAY)).isZero();
        assertThat(budget.reserve(A, DAY, 1_000)).isNotNull();
    }

    @Test
    void aReAskExtendsTheReservationOnlyIfItFits() {
        TenantTokenBudget budget = new TenantTokenBudget(1_000);
        TenantTokenBudget.Reservation call = budget.reserve(A, DAY, 400);

        assertThat(call.extend(400)).isTrue();
        assertThat(call.extend(400)).isFalse();
        assertThat(budget.used(A, DAY)).isEqualTo(800);

        call.settle(300);
        assertThat(budget.used(A, DAY)).isEqualTo(300);
        assertThat(call.extend(1)).as("settled").isFalse();
    }

    @Test
    void concurrentReservationsNeverExceedTheLimit() throws Exception {
        long limit = 10_000;
        long worstCase = 700;
        TenantTokenBudget budget = new TenantTokenBudget(limit);
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        ConcurrentLinkedQueue<TenantTokenBudget.Reservation> held = new ConcurrentLinkedQueue<>();
        AtomicLong maxUsed = new AtomicLong();
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(
                        pool.submit(
                                () -> {
                                    start.await();
                                    for (int i = 0; i < 2_000; i++) {
                                        TenantTokenBudget.Reservation r =
                                                budget.reserve(A, DAY, worstCase);
                                        maxUsed.accumulateAndGet(budget.used(A, DAY), Math::max);
                                        if (r != null) {
                                            held.add(r);
                                        }
                                        // release some while others reserve, as finished calls do
                                        TenantTokenBudget.Reservation done = held.poll();
                                        if (done != null && i % 3 == 0) {
                                            done.settle(0);
                                        } else if (done != null) {
                                            held.add(done);
                                        }
                                    }
                                    return null;
                                }));
            }
            start.countDown();
            for (Future<?> worker : workers) {
                worker.get(1, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(maxUsed.get()).isLessThanOrEqualTo(limit);
        assertThat(held.size()).isLessThanOrEqualTo((int) (limit / worstCase));
        assertThat(budget.used(A, DAY))
                .as("no reservation lost")
                .isEqualTo(held.size() * worstCase);
        held.forEach(r -> r.settle(0));
        assertThat(budget.used(A, DAY)).isZero();
    }

    @Test
    void aNewDayStartsFromZeroAndYesterdaysLateSettlementIsDropped() {
        TenantTokenBudget budget = new TenantTokenBudget(100);
        TenantTokenBudget.Reservation yesterday = budget.reserve(A, DAY, 100);

        assertThat(budget.reserve(A, DAY.plusDays(1), 100)).isNotNull();
        yesterday.settle(100);

        assertThat(budget.used(A, DAY.plusDays(1))).isEqualTo(100);
        assertThat(budget.snapshot()).isEmpty(); // nothing settled today yet
    }

    @Test
    void checkpointsSettledTokensOnlyAndRestoresEntriesOfSeveralSubtasks() {
        TenantTokenBudget before = new TenantTokenBudget(1_000);
        before.reserve(A, DAY, 300).settle(60);
        before.reserve(A, DAY, 300); // in flight: Flink replays its request after a restore
        assertThat(before.snapshot()).containsExactly(new TenantTokens(A, DAY.toEpochDay(), 60));

        TenantTokenBudget budget = new TenantTokenBudget(100);
        budget.restore(
                List.of(
                        new TenantTokens(A, DAY.toEpochDay(), 60),
                        // from another subtask before a rescale
                        new TenantTokens(A, DAY.toEpochDay(), 30),
                        new TenantTokens(B, DAY.minusDays(1).toEpochDay(), 500)),
                DAY);

        assertThat(budget.reserve(A, DAY, 11)).isNull();
        assertThat(budget.reserve(A, DAY, 10)).isNotNull();
        assertThat(budget.reserve(B, DAY, 100)).isNotNull();
    }

    @Test
    void zeroMeansUnlimited() {
        TenantTokenBudget budget = new TenantTokenBudget(0);
        for (int i = 0; i < 3; i++) {
            assertThat(budget.reserve(A, DAY, Long.MAX_VALUE / 4)).isNotNull();
        }
        assertThat(budget.snapshot()).isEmpty();
    }

    @Test
    void theSharesOfAllSubtasksAddUpToAtMostTheLimit() {
        assertThat(TenantTokenBudget.share(500_000, 4)).isEqualTo(125_000);
        assertThat(TenantTokenBudget.share(10, 4)).isEqualTo(2);
        assertThat(TenantTokenBudget.share(1, 8)).isEqualTo(1);
        assertThat(TenantTokenBudget.share(0, 8)).isZero();
    }
}
