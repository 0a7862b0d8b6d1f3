package dev.flinkwatch.api.channels;

import dev.flinkwatch.api.http.Access;
import dev.flinkwatch.api.http.ApiException;
import dev.flinkwatch.api.http.Caller;
import dev.flinkwatch.api.http.Json;
import dev.flinkwatch.api.http.Route;
import dev.flinkwatch.delivery.WebhookSecrets;
import io.javalin.http.Context;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The tenant's Standard Webhooks signing secret. It is shown only in the answer of a rotation (it
 * is stored encrypted and never returned otherwise); the previous secret keeps signing during the
 * grace period, so receivers can switch without missing a delivery.
 */
public final class WebhookSecretRoutes {
    static final int DEFAULT_GRACE_HOURS = 24;
    static final int MAX_GRACE_HOURS = 7 * 24;

    private final WebhookSecrets secrets;

    /**
     * @param secrets null when the API has no delivery keyset: the route then answers 503
     */
    public WebhookSecretRoutes(WebhookSecrets secrets) {
        this.secrets = secrets;
    }

    /** The new secret, shown once. */
    public record Rotated(String secret, Instant previousValidUntil) {}

    public List<Route> routes() {
        return List.of(Route.post("/v1/webhook-secret/rotate", Access.TENANT, this::rotate));
    }

    private void rotate(Context ctx, Caller caller) throws SQLException {
        if (secrets == null) {
            throw new ApiException(
                    503, "not_configured", "webhook signing is not configured on this server");
        }
        int graceHours = graceHours(ctx.queryParam("graceHours"));
        Duration grace = Duration.ofHours(graceHours);
        String secret = secrets.rotate(caller.requireTenant(), grace);
        Json.respond(ctx, 200, new Rotated(secret, Instant.now().plus(grace)));
    }

    static int graceHours(String raw) {
        if (raw == null) {
            return DEFAULT_GRACE_HOURS;
        }
        try {
            int hours = Integer.parseInt(raw);
            if (hours >= 0 && hours <= MAX_GRACE_HOURS) {
                return hours;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiException.invalidParameter(
                "graceHours", "must be an integer between 0 and " + MAX_GRACE_HOURS);
    }
}
