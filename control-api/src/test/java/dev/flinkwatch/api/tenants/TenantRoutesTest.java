package dev.flinkwatch.api.tenants;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TenantRoutesTest {
    @Test
    void acceptsANameAndAnOptionalQuota() {
        assertThat(TenantRoutes.validate(new TenantRoutes.CreateTenantRequest("Acme", null)))
                .isEmpty();
        assertThat(TenantRoutes.validate(new TenantRoutes.CreateTenantRequest("Acme", 0)))
                .isEmpty();
        // 200 emoji are 400 UTF-16 units but 200 characters, as PostgreSQL counts them.
        assertThat(
                        TenantRoutes.validate(
                                new TenantRoutes.CreateTenantRequest(
                                        "\uD83D\uDE00".repeat(200), 5)))
                .isEmpty();
    }

    @Test
    void reportsEveryProblem() {
        assertThat(TenantRoutes.validate(new TenantRoutes.CreateTenantRequest(null, -1)))
                .containsOnlyKeys("name", "monitorQuota");
        assertThat(TenantRoutes.validate(new TenantRoutes.CreateTenantRequest(" ", null)))
                .containsOnlyKeys("name");
        assertThat(
                        TenantRoutes.validate(
                                new TenantRoutes.CreateTenantRequest("n".repeat(201), null)))
                .containsOnlyKeys("name");
        assertThat(TenantRoutes.validate(new TenantRoutes.CreateTenantRequest("a\u0000", null)))
                .containsOnlyKeys("name");
    }
}
