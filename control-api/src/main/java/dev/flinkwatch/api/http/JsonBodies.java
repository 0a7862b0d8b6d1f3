package dev.flinkwatch.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flinkwatch.model.CodecException;
import dev.flinkwatch.model.ModelCodec;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;

/**
 * Reads request bodies: JSON only (415 otherwise), at most {@value #MAX_BYTES} bytes unless a route
 * allows more (413), decoded strictly by {@link ModelCodec} (400 naming the field).
 */
public final class JsonBodies {
    public static final int MAX_BYTES = 64 * 1024;

    /**
     * How much of an oversized body is read and discarded before answering 413, so that a client
     * still sending it receives the response instead of a reset connection.
     */
    private static final long MAX_DRAIN_BYTES = 4L * 1024 * 1024;

    private JsonBodies() {}

    public static <T> T read(Context ctx, Class<T> type) {
        return read(ctx, type, MAX_BYTES);
    }

    /** Like {@link #read(Context, Class)} for routes that take larger bodies (batches). */
    public static <T> T read(Context ctx, Class<T> type, int maxBytes) {
        requireJson(ctx);
        byte[] body = readBounded(ctx, maxBytes);
        if (body.length == 0) {
            throw new ApiException(
                    400, "malformed_json", "a JSON body is required", Map.of("$", "is required"));
        }
        try {
            return ModelCodec.decodePlain(body, type);
        } catch (CodecException e) {
            throw ApiException.fromCodec(e);
        }
    }

    /**
     * A JSON body of at most {@code maxBytes} as a tree, for documents read part by part (batches,
     * imports) so that one bad part does not hide the others.
     */
    public static JsonNode readTree(Context ctx, int maxBytes) {
        requireJson(ctx);
        byte[] body = readBounded(ctx, maxBytes);
        try {
            JsonNode tree = ModelCodec.mapper().readTree(body);
            if (tree == null || !tree.isObject()) {
                throw new ApiException(
                        400,
                        "malformed_json",
                        "the body must be a JSON object",
                        Map.of("$", "must be a JSON object"));
            }
            return tree;
        } catch (IOException e) {
            throw new ApiException(
                    400,
                    "malformed_json",
                    "the body is not a JSON document",
                    Map.of("$", "is not a JSON document"));
        }
    }

    /** The body's media type, lower case without parameters; empty when there is none. */
    public static String mediaType(Context ctx) {
        String contentType = ctx.header("Content-Type");
        return contentType == null
                ? ""
                : contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    }

    private static void requireJson(Context ctx) {
        if (!mediaType(ctx).equals("application/json")) {
            throw new ApiException(
                    415, "unsupported_media_type", "the body must be sent as application/json");
        }
    }

    /** The raw body of any media type, at most {@code maxBytes} (413 beyond). */
    public static byte[] readBounded(Context ctx, int maxBytes) {
        try {
            InputStream in = ctx.req().getInputStream();
            if (ctx.req().getContentLengthLong() > maxBytes) {
                throw tooLarge(in, maxBytes);
            }
            byte[] body = in.readNBytes(maxBytes + 1);
            if (body.length > maxBytes) {
                throw tooLarge(in, maxBytes);
            }
            return body;
        } catch (IOException e) {
            throw new ApiException(400, "malformed_request", "the request body could not be read");
        }
    }

    private static ApiException tooLarge(InputStream in, int maxBytes) throws IOException {
        long drained = 0;
        byte[] sink = new byte[8192];
        int n;
        while (drained < MAX_DRAIN_BYTES && (n = in.read(sink)) > 0) {
            drained += n;
        }
        return new ApiException(
                413, "payload_too_large", "the body must be at most " + maxBytes + " bytes");
    }
}
