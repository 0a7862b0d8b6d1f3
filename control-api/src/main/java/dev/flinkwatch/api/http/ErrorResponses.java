package dev.flinkwatch.api.http;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders every failure as the error document. Expected failures are {@link ApiException}s;
 * Javalin's own (no such route, wrong method) are translated; a database that cannot be reached is
 * a 503; anything else is a logged 500 whose message reveals nothing internal.
 */
public final class ErrorResponses {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);

    private ErrorResponses() {}

    public static void install(Javalin app) {
        app.exception(ApiException.class, (e, ctx) -> respond(ctx, e));
        app.exception(HttpResponseException.class, (e, ctx) -> respond(ctx, translate(e)));
        app.exception(Exception.class, ErrorResponses::unexpected);
    }

    private static void respond(Context ctx, ApiException e) {
        if (e.status() == 401) {
            ctx.header("WWW-Authenticate", "Bearer");
        }
        if (e.retryAfterSeconds() > 0) {
            ctx.header("Retry-After", Long.toString(e.retryAfterSeconds()));
        }
        Json.respond(ctx, e.status(), ErrorBody.of(e));
    }

    private static ApiException translate(HttpResponseException e) {
        return switch (e.getStatus()) {
            case 404 -> new ApiException(404, "not_found", "no such route");
            case 405 -> new ApiException(405, "method_not_allowed", "method not allowed here");
            case 413 -> new ApiException(413, "payload_too_large", "the request is too large");
            default ->
                    new ApiException(
                            e.getStatus(),
                            e.getStatus() >= 500 ? "internal_error" : "bad_request",
                            e.getStatus() >= 500 ? "internal error" : "the request was refused");
        };
    }

    private static void unexpected(Exception e, Context ctx) {
        String route = ctx.attribute(RequestObserver.ROUTE_ATTRIBUTE);
        if (isDatabaseUnavailable(e)) {
            LOG.warn("event=database_unavailable route={} error={}", route, e.toString());
            respond(
                    ctx,
                    new ApiException(503, "unavailable", "the database is unavailable; retry"));
            return;
        }
        LOG.error("event=request_failed route={}", route, e);
        respond(ctx, new ApiException(500, "internal_error", "internal error"));
    }

    private static boolean isDatabaseUnavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql
                    && sql.getSQLState() != null
                    && sql.getSQLState().startsWith("08")) {
                return true;
            }
        }
        return false;
    }
}
