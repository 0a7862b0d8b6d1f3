package dev.flinkwatch.api.http;

import dev.flinkwatch.model.CodecException;
import dev.flinkwatch.model.ModelCodec;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;

/**
 * Reads request bodies: JSON only (415 otherwise), at most {@value #MAX_BYTES} bytes (413), decoded
 * strictly by {@link ModelCodec} (400 naming the field).
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
        requireJson(ctx);
        byte[] body = readBounded(ctx);
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

    private static void requireJson(Context ctx) {
        String contentType = ctx.header("Content-Type");
        String mediaType =
                contentType == null
                        ? ""
                        : contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!mediaType.equals("application/json")) {
            throw new ApiException(
                    415, "unsupported_media_type", "the body must be sent as application/json");
        }
    }

    private static byte[] readBounded(Context ctx) {
        try {
            InputStream in = ctx.req().getInputStream();
            if (ctx.req().getContentLengthLong() > MAX_BYTES) {
                throw tooLarge(in);
            }
            byte[] body = in.readNBytes(MAX_BYTES + 1);
            if (body.length > MAX_BYTES) {
                throw tooLarge(in);
            }
            return body;
        } catch (IOException e) {
            throw new ApiException(400, "malformed_request", "the request body could not be read");
        }
    }

    private static ApiException tooLarge(InputStream in) throws IOException {
        long drained = 0;
        byte[] sink = new byte[8192];
        int n;
        while (drained < MAX_DRAIN_BYTES && (n = in.read(sink)) > 0) {
            drained += n;
        }
        return new ApiException(
                413, "payload_too_large", "the body must be at most " + MAX_BYTES + " bytes");
    }
}
