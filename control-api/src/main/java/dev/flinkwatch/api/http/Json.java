package dev.flinkwatch.api.http;

import dev.flinkwatch.model.ModelCodec;
import io.javalin.http.Context;

/** Writes JSON responses with the platform's one codec (ISO-8601 times, contract field names). */
public final class Json {
    public static final String CONTENT_TYPE = "application/json";

    private Json() {}

    public static void respond(Context ctx, int status, Object body) {
        ctx.status(status).contentType(CONTENT_TYPE).result(ModelCodec.toJsonBytes(body));
    }
}
