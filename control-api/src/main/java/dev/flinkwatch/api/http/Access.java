package dev.flinkwatch.api.http;

/** Who may call a route. */
public enum Access {
    /** Anyone: health, readiness, metrics, the OpenAPI document. */
    PUBLIC,
    /**
     * Anyone, and the operator sees more: without {@code X-Admin-Token} the caller is anonymous; a
     * token that is sent must be valid.
     */
    PUBLIC_OR_ADMIN,
    /** The operator, with {@code X-Admin-Token}. */
    ADMIN,
    /** A tenant, with {@code Authorization: Bearer <apiKey>}. */
    TENANT,
    /** Either of the above (the admin token is tried first when it is sent). */
    ADMIN_OR_TENANT
}
