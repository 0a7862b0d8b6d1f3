package dev.flinkwatch.api.tenants;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.flinkwatch.api.http.Access;
import dev.flinkwatch.api.http.ApiException;
import dev.flinkwatch.api.http.Caller;
import dev.flinkwatch.api.http.Json;
import dev.flinkwatch.api.http.JsonBodies;
import dev.flinkwatch.api.http.QueryParams;
import dev.flinkwatch.api.http.Route;
import dev.flinkwatch.api.http.TextSafety;
import io.javalin.http.Context;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Tenants (created by the operator) and their API keys. */
public final class TenantRoutes {
    static final int MAX_NAME_CODE_POINTS = 200;
    static final int MAX_MONITOR_QUOTA = 10_000_000;

    private final TenantStore tenants;

    public TenantRoutes(TenantStore tenants) {
        this.tenants = tenants;
    }

    /** {@code POST /v1/tenants} body. */
    public record CreateTenantRequest(String name, Integer monitorQuota) {}

    /** A new tenant with its first key; the key is shown only here. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TenantCreated(
            UUID id,
            String name,
            Integer monitorQuota,
            String apiKey,
            UUID keyId,
            String keyPrefix) {}

    /** A newly issued key; shown only here. */
    public record KeyIssued(UUID id, UUID tenantId, String apiKey, String prefix) {}

    public List<Route> routes() {
        return List.of(
                Route.post("/v1/tenants", Access.ADMIN, this::createTenant),
                Route.post("/v1/tenants/{id}/keys", Access.ADMIN, this::issueKey),
                Route.delete("/v1/keys/{keyId}", Access.ADMIN_OR_TENANT, this::revokeKey));
    }

    private void createTenant(Context ctx, Caller caller) throws SQLException {
        CreateTenantRequest request = JsonBodies.read(ctx, CreateTenantRequest.class);
        Map<String, String> problems = validate(request);
        if (!problems.isEmpty()) {
            throw ApiException.validation(problems);
        }
        String name = request.name().strip();
        TenantStore.IssuedKey issued = tenants.createTenant(name, request.monitorQuota());
        Json.respond(
                ctx,
                201,
                new TenantCreated(
                        issued.tenantId(),
                        name,
                        request.monitorQuota(),
                        issued.key().secret(),
                        issued.keyId(),
                        issued.key().displayPrefix()));
    }

    static Map<String, String> validate(CreateTenantRequest request) {
        Map<String, String> problems = new LinkedHashMap<>(TextSafety.problems(request));
        String name = request.name();
        if (name == null || name.isBlank()) {
            problems.putIfAbsent("name", "is required");
        } else if (name.strip().codePointCount(0, name.strip().length()) > MAX_NAME_CODE_POINTS) {
            problems.putIfAbsent("name", "must be at most " + MAX_NAME_CODE_POINTS + " characters");
        }
        Integer quota = request.monitorQuota();
        if (quota != null && (quota < 0 || quota > MAX_MONITOR_QUOTA)) {
            problems.put("monitorQuota", "must be between 0 and " + MAX_MONITOR_QUOTA);
        }
        return problems;
    }

    private void issueKey(Context ctx, Caller caller) throws SQLException {
        UUID tenantId = QueryParams.pathId(ctx, "id", "tenant");
        TenantStore.IssuedKey issued =
                tenants.issueKey(tenantId).orElseThrow(() -> ApiException.notFound("tenant"));
        Json.respond(
                ctx,
                201,
                new KeyIssued(
                        issued.keyId(),
                        tenantId,
                        issued.key().secret(),
                        issued.key().displayPrefix()));
    }

    private void revokeKey(Context ctx, Caller caller) throws SQLException {
        UUID keyId = QueryParams.pathId(ctx, "keyId", "key");
        if (!tenants.revokeKey(keyId, caller.admin() ? null : caller.requireTenant())) {
            throw ApiException.notFound("key");
        }
        ctx.status(204);
    }
}
