package dev.flinkwatch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.asynchttpclient.AsyncHandler.State;
import org.asynchttpclient.netty.EagerResponseBodyPart;
import org.asynchttpclient.netty.NettyResponseStatus;
import org.asynchttpclient.uri.Uri;
import org.junit.jupiter.api.Test;

/** The collector's memory follows the bytes that arrived, never what the headers promise. */
class BodyCollectorTest {
    private static final long LIMIT = 200L * 1024 * 1024;

    @Test
    void aDeclaredHundredMegabytesAllocateNothingBeforeTheBytesArrive() {
        BodyCollector collector = new BodyCollector(LIMIT, false);
        collector.onStatusReceived(status(200));

        State state = collector.onHeadersReceived(headers(100L * 1024 * 1024));

        assertThat(state).isEqualTo(State.CONTINUE);
        assertThat(collector.bufferSize()).isZero();
        assertThat(collector.headersAtNanos()).isNotZero();

        collector.onBodyPartReceived(part("x"));
        assertThat(collector.bufferSize()).isEqualTo(16 * 1024);
        assertThat(collector.receivedBytes()).isEqualTo(1);
    }

    @Test
    void theBufferDoublesAsBytesArriveAndTheBodyIsExact() {
        BodyCollector collector = new BodyCollector(LIMIT, false);
        collector.onStatusReceived(status(200));
        collector.onHeadersReceived(headers(40_000));
        String chunk = "a".repeat(10_000);
        for (int i = 0; i < 4; i++) {
            collector.onBodyPartReceived(part(chunk));
        }

        assertThat(collector.bufferSize()).isEqualTo(64 * 1024);
        HopResponse response = collector.onCompleted();
        assertThat(response.body()).hasSize(40_000);
        assertThat(response.receivedBytes()).isEqualTo(40_000);
    }

    @Test
    void aDeclaredLengthOverTheLimitStopsAtTheHeaders() {
        BodyCollector collector = new BodyCollector(1024, false);
        collector.onStatusReceived(status(200));

        assertThat(collector.onHeadersReceived(headers(1025))).isEqualTo(State.ABORT);
        assertThat(collector.onCompleted().stoppedWith()).isEqualTo(FetchStatus.TOO_LARGE);
        assertThat(collector.bufferSize()).isZero();
    }

    private static NettyResponseStatus status(int code) {
        return new NettyResponseStatus(
                Uri.create("http://site.test/"),
                new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(code)),
                null);
    }

    private static DefaultHttpHeaders headers(long contentLength) {
        DefaultHttpHeaders headers = new DefaultHttpHeaders();
        headers.set(HttpHeaderNames.CONTENT_TYPE, "text/html");
        headers.set(HttpHeaderNames.CONTENT_LENGTH, Long.toString(contentLength));
        return headers;
    }

    private static EagerResponseBodyPart part(String text) {
        return new EagerResponseBodyPart(Unpooled.copiedBuffer(text.getBytes()), false);
    }
}
