package dev.flinkwatch.api.tenants;

import dev.flinkwatch.api.http.Access;
import dev.flinkwatch.api.http.ApiException;
import dev.flinkwatch.api.http.Caller;
import dev.flinkwatch.api.http.CallerResolver;
import io.javalin.http.Context;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * Establishes the caller: the operator by {@code X-Admin-Token} (compared in constant time), a
 * tenant by {@code Authorization: Bearer <apiKey>} (looked up by the key's hash, so revocation
 * takes effect on the next request). Every refusal is the same 401, whatever was wrong.
 */
public final class Authenticator implements CallerResolver {
    public static final String ADMIN_HEADER = "X-Admin-Token";

    private final TenantStore tenants;
    private final byte[] adminTokenHash;

    public Authenticator(TenantStore tenants, String adminToken) {
        this.tenants = tenants;
        this.adminTokenHash = ApiKeys.sha256(adminToken);
    }

    @Override
    public Caller resolve(Context ctx, Access access) throws SQLException {
        return switch (access) {
            case PUBLIC -> Caller.ANONYMOUS;
            case PUBLIC_OR_ADMIN ->
                    ctx.header(ADMIN_HEADER) != null ? admin(ctx) : Caller.ANONYMOUS;
            case ADMIN -> admin(ctx);
            case TENANT -> tenant(ctx);
            case ADMIN_OR_TENANT -> ctx.header(ADMIN_HEADER) != null ? admin(ctx) : tenant(ctx);
        };
    }

    private Caller admin(Context ctx) {
        String token = ctx.header(ADMIN_HEADER);
        // Comparing digests keeps the comparison constant-time whatever the token's length.
        if (token == null || !MessageDigest.isEqual(ApiKeys.sha256(token), adminTokenHash)) {
            throw ApiException.unauthorized("a valid " + ADMIN_HEADER + " header is required");
        }
        return Caller.ADMIN;
    }

    private Caller tenant(Context ctx) throws SQLException {
        String key = bearerToken(ctx.header("Authorization"));
        if (key == null || !key.startsWith(ApiKeys.PREFIX) || key.length() > 200) {
            throw missingKey();
        }
        Optional<UUID> tenant = tenants.tenantForKeyHash(ApiKeys.sha256(key));
        return Caller.tenant(tenant.orElseThrow(Authenticator::missingKey));
    }

    private static String bearerToken(String header) {
        if (header == null) {
            return null;
        }
        String[] parts = header.strip().split("\\s+", 2);
        if (parts.length != 2 || !parts[0].toLowerCase(Locale.ROOT).equals("bearer")) {
            return null;
        }
        return parts[1];
    }

    private static ApiException missingKey() {
        return ApiException.unauthorized(
                "a valid API key is required: Authorization: Bearer <key>");
    }
}
