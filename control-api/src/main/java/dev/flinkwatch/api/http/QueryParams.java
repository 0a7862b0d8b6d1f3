package dev.flinkwatch.api.http;

import io.javalin.http.Context;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.UUID;

/** Query and path parameters shared by the routes. */
public final class QueryParams {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 200;

    private QueryParams() {}

    /** {@code limit}: 1 to {@value #MAX_LIMIT}, default {@value #DEFAULT_LIMIT}. */
    public static int limit(Context ctx) {
        String raw = ctx.queryParam("limit");
        if (raw == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(raw.strip());
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiException.invalidParameter(
                "limit", "must be an integer between 1 and " + MAX_LIMIT);
    }

    /** An optional ISO-8601 instant ({@code 2025-01-31T12:00:00Z}). */
    public static Instant instant(Context ctx, String name) {
        String raw = ctx.queryParam(name);
        if (raw == null) {
            return null;
        }
        try {
            return Instant.parse(raw.strip());
        } catch (DateTimeParseException e) {
            throw ApiException.invalidParameter(
                    name, "must be an ISO-8601 instant such as 2025-01-31T12:00:00Z");
        }
    }

    /**
     * A path id. Something that is not a UUID cannot name anything, so it is a 404 like any other
     * unknown id.
     */
    public static UUID pathId(Context ctx, String name, String what) {
        try {
            String raw = ctx.pathParam(name);
            if (raw.length() == 36) {
                return UUID.fromString(raw);
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw ApiException.notFound(what);
    }
}
