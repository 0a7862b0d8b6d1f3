package dev.flinkwatch.llm;

import java.util.UUID;

/**
 * Tokens a tenant spent on one UTC day in one evaluator subtask: the entry of the token budget and
 * of its checkpointed operator state (a POJO, no Kryo).
 *
 * @param tenantId the tenant
 * @param epochDay the UTC day ({@code LocalDate.toEpochDay()}: Flink has no POJO field type for
 *     LocalDate)
 * @param tokens prompt + completion tokens spent that day
 */
public record TenantTokens(UUID tenantId, long epochDay, long tokens) {}
