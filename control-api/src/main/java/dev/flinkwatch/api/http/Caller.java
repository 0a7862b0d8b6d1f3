package dev.flinkwatch.api.http;

import java.util.Objects;
import java.util.UUID;

/**
 * Who is calling, as established by authentication.
 *
 * @param tenantId the tenant a valid API key belongs to; null for the operator and anonymous
 * @param admin true when the admin token was presented
 */
public record Caller(UUID tenantId, boolean admin) {
    public static final Caller ANONYMOUS = new Caller(null, false);
    public static final Caller ADMIN = new Caller(null, true);

    public static Caller tenant(UUID tenantId) {
        return new Caller(Objects.requireNonNull(tenantId, "tenantId"), false);
    }

    /** The tenant of a {@link Access#TENANT} route (authentication guarantees there is one). */
    public UUID requireTenant() {
        if (tenantId == null) {
            throw new IllegalStateException("route requires a tenant caller");
        }
        return tenantId;
    }
}
