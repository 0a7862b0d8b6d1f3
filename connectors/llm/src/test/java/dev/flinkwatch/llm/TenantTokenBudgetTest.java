package dev.flinkwatch.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TenantTokenBudgetTest {
    private static final LocalDate DAY = LocalDate.of(2026, 11, 28);
    private static final UUID A = UUID.randomUUID();
    private static final UUID B = UUID.randomUUID();

    @Test
    void admitsUntilTheTenantsTokensReachTheLimit() {
        TenantTokenBudget budget = new TenantTokenBudget(1_000);

        budget.charge(A, DAY, 600);
        assertThat(budget.admits(A, DAY)).isTrue();
        budget.charge(A, DAY, 400);

        assertThat(budget.admits(A, DAY)).isFalse();
        assertThat(budget.admits(B, DAY)).isTrue();
    }

    @Test
    void aNewDayStartsFromZero() {
        TenantTokenBudget budget = new TenantTokenBudget(100);
        budget.charge(A, DAY, 500);

        assertThat(budget.admits(A, DAY.plusDays(1))).isTrue();
        budget.charge(A, DAY.plusDays(1), 50);
        assertThat(budget.admits(A, DAY.plusDays(1))).isTrue();
    }

    @Test
    void restoresTodaysCountsAddingEntriesOfSeveralSubtasks() {
        TenantTokenBudget budget = new TenantTokenBudget(100);

        budget.restore(
                List.of(
                        new TenantTokens(A, DAY.toEpochDay(), 60),
                        // from another subtask before a rescale
                        new TenantTokens(A, DAY.toEpochDay(), 40),
                        new TenantTokens(B, DAY.minusDays(1).toEpochDay(), 500)),
                DAY);

        assertThat(budget.admits(A, DAY)).isFalse();
        assertThat(budget.admits(B, DAY)).isTrue();
        assertThat(budget.snapshot()).containsExactly(new TenantTokens(A, DAY.toEpochDay(), 100));
    }

    @Test
    void zeroMeansUnlimited() {
        TenantTokenBudget budget = new TenantTokenBudget(0);
        budget.charge(A, DAY, Long.MAX_VALUE / 2);

        assertThat(budget.admits(A, DAY)).isTrue();
    }

    @Test
    void theSharesOfAllSubtasksAddUpToAboutTheLimit() {
        assertThat(TenantTokenBudget.share(500_000, 4)).isEqualTo(125_000);
        assertThat(TenantTokenBudget.share(10, 4)).isEqualTo(3);
        assertThat(TenantTokenBudget.share(1, 8)).isEqualTo(1);
        assertThat(TenantTokenBudget.share(0, 8)).isZero();
    }
}
