package dev.flinkwatch.api.http;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Opaque pagination cursors: the sort key of the last item returned, base64url encoded. Clients
 * pass them back unchanged; anything else is a 400 on {@code cursor}.
 */
public final class Cursor {
    public static final String PARAMETER = "cursor";
    private static final String SEPARATOR = "|";

    private Cursor() {}

    public static String encode(String... parts) {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(String.join(SEPARATOR, parts).getBytes(StandardCharsets.UTF_8));
    }

    /** The parts of a cursor made by {@link #encode} with {@code count} parts. */
    public static List<String> decode(String cursor, int count) {
        String text;
        try {
            text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid();
        }
        List<String> parts = List.of(text.split("\\" + SEPARATOR, -1));
        if (parts.size() != count) {
            throw invalid();
        }
        return parts;
    }

    public static ApiException invalid() {
        return ApiException.invalidParameter(PARAMETER, "is not a cursor returned by this API");
    }
}
