package dev.flinkwatch.api.http;

import io.javalin.http.Context;

/** Authenticates a request for a route's {@link Access}; throws a 401 {@link ApiException}. */
@FunctionalInterface
public interface CallerResolver {
    Caller resolve(Context ctx, Access access) throws Exception;
}
