package dev.flinkwatch.fetch;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Locale;
import org.asynchttpclient.AsyncHandler;
import org.asynchttpclient.HttpResponseBodyPart;
import org.asynchttpclient.HttpResponseStatus;

/**
 * Streams one response and stops it as soon as it breaks a limit: more body than {@code maxBytes}
 * (counted after decompression, so a gzip bomb stops too), or a content type we do not process.
 * Memory stays bounded by the limit because nothing beyond it is ever buffered, and follows the
 * bytes that actually arrived: the buffer grows as they do, never sized from a Content-Length
 * header up front (a header-only tarpit declaring 100 MB costs nothing). Bodies of non-2xx
 * responses are counted and dropped (read up to a small limit to keep the connection reusable).
 * {@link #receivedBytes} and {@link #headersAtNanos} may be read from another thread (the slow body
 * watchdog).
 */
final class BodyCollector implements AsyncHandler<HopResponse> {
    /** Past this, an error or redirect body is not worth reading just to reuse the connection. */
    private static final long DISCARD_LIMIT = 64 * 1024;

    /** The first allocation: a typical small page fits, a large one doubles a few times. */
    private static final int INITIAL_BUFFER = 16 * 1024;

    private final long maxBytes;
    private final boolean anyContentType;
    private int status;
    private String statusText = "";
    // Stays empty when a response has no headers (the client then skips onHeadersReceived).
    private HttpHeaders headers = new DefaultHttpHeaders();
    private boolean keepBody;
    private byte[] body;
    private int size;
    private volatile long received;
    private volatile long headersAtNanos;
    private FetchStatus stoppedWith;

    /**
     * @param anyContentType skip the content type check (robots.txt is served as anything)
     */
    BodyCollector(long maxBytes, boolean anyContentType) {
        this.maxBytes = maxBytes;
        this.anyContentType = anyContentType;
    }

    @Override
    public State onStatusReceived(HttpResponseStatus responseStatus) {
        status = responseStatus.getStatusCode();
        statusText = responseStatus.getStatusText();
        keepBody = status >= 200 && status < 300;
        return State.CONTINUE;
    }

    @Override
    public State onHeadersReceived(HttpHeaders received) {
        headersAtNanos = System.nanoTime();
        headers = received;
        if (!keepBody) {
            return State.CONTINUE;
        }
        String contentType = received.get(HttpHeaderNames.CONTENT_TYPE);
        if (!anyContentType && contentType != null && !isAccepted(contentType)) {
            stoppedWith = FetchStatus.UNSUPPORTED_CONTENT_TYPE;
            return State.ABORT;
        }
        if (declaredLength(received) > maxBytes) {
            stoppedWith = FetchStatus.TOO_LARGE;
            return State.ABORT;
        }
        return State.CONTINUE;
    }

    @Override
    public State onBodyPartReceived(HttpResponseBodyPart part) {
        long total = received + part.length();
        received = total; // only this callback thread writes it
        if (!keepBody) {
            return total > DISCARD_LIMIT ? State.ABORT : State.CONTINUE;
        }
        if (total > maxBytes) {
            stoppedWith = FetchStatus.TOO_LARGE;
            return State.ABORT;
        }
        append(part.getBodyByteBuffer());
        return State.CONTINUE;
    }

    /** Body bytes received so far (kept or discarded). */
    long receivedBytes() {
        return received;
    }

    /** When the headers arrived ({@link System#nanoTime}), 0 before. */
    long headersAtNanos() {
        return headersAtNanos;
    }

    /** The size of the body buffer now (tests: memory follows arrived bytes). */
    int bufferSize() {
        return body == null ? 0 : body.length;
    }

    @Override
    public void onThrowable(Throwable t) {
        // The response future fails with t; the fetcher turns it into a result.
    }

    @Override
    public HopResponse onCompleted() {
        byte[] bytes;
        if (!keepBody || stoppedWith != null || body == null) {
            bytes = new byte[0];
        } else {
            bytes = size == body.length ? body : Arrays.copyOf(body, size);
        }
        return new HopResponse(status, statusText, headers, bytes, received, stoppedWith);
    }

    /** Copies a body part (a view of Netty's buffer, valid only during the callback). */
    private void append(ByteBuffer part) {
        int n = part.remaining();
        if (body == null) {
            body = new byte[(int) Math.min(maxBytes, Math.max(n, INITIAL_BUFFER))];
        } else if (size + n > body.length) {
            // Grow by doubling, never past the limit (received <= maxBytes here).
            body =
                    Arrays.copyOf(
                            body, (int) Math.min(maxBytes, Math.max(size + n, 2L * body.length)));
        }
        part.get(body, size, n);
        size += n;
    }

    /** HTML, XHTML, XML, plain text and JSON (including +xml / +json types such as RSS, Atom). */
    static boolean isAccepted(String contentType) {
        String type = mediaType(contentType);
        return type.equals("text/html")
                || type.equals("application/xhtml+xml")
                || type.equals("text/xml")
                || type.equals("application/xml")
                || type.endsWith("+xml")
                || type.equals("text/plain")
                || type.equals("application/json")
                || type.endsWith("+json");
    }

    static String mediaType(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
                .trim()
                .toLowerCase(Locale.ROOT);
    }

    private static long declaredLength(HttpHeaders headers) {
        String value = headers.get(HttpHeaderNames.CONTENT_LENGTH);
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
