package dev.flinkwatch.delivery;

import static org.asynchttpclient.Dsl.asyncHttpClient;

import dev.flinkwatch.fetch.HostResolver;
import dev.flinkwatch.fetch.SsrfGuard;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.asynchttpclient.AsyncHandler;
import org.asynchttpclient.AsyncHttpClient;
import org.asynchttpclient.BoundRequestBuilder;
import org.asynchttpclient.DefaultAsyncHttpClientConfig;
import org.asynchttpclient.HttpResponseBodyPart;
import org.asynchttpclient.HttpResponseStatus;

/**
 * The one outbound HTTP path of every HTTP channel type: the URL passes the platform's {@link
 * SsrfGuard} (resolve, check, connect to exactly the checked address), redirects are never followed
 * (a 3xx is a final answer: following it would send an alert to an unchecked address), no cookies
 * are kept, the answer's body is discarded. Non-blocking; every attempt ends in an {@link
 * AttemptResult}, never an exception, and no result message contains the URL (it is a secret).
 */
public final class GuardedHttpPoster implements AutoCloseable {
    private final SsrfGuard guard;
    private final ExecutorService dnsExecutor;
    private final AsyncHttpClient client;

    public GuardedHttpPoster(DeliveryConfig config, HostResolver resolver) {
        this.dnsExecutor =
                Executors.newFixedThreadPool(
                        2,
                        r -> {
                            Thread t = new Thread(r, "delivery-dns");
                            t.setDaemon(true);
                            return t;
                        });
        this.guard =
                new SsrfGuard(
                        config.addressPolicy(), resolver, dnsExecutor, Duration.ofSeconds(30));
        this.client =
                asyncHttpClient(
                        new DefaultAsyncHttpClientConfig.Builder()
                                .setThreadPoolName("delivery-io")
                                .setIoThreadsCount(2)
                                .setConnectTimeout(config.requestTimeout())
                                .setReadTimeout(config.requestTimeout())
                                .setRequestTimeout(config.requestTimeout())
                                .setFollowRedirect(false)
                                .setCookieStore(null)
                                .setKeepAlive(true)
                                .setMaxRequestRetry(0)
                                .setUserAgent("Flinkwatch-Delivery/1")
                                .setShutdownQuietPeriod(Duration.ZERO)
                                .setShutdownTimeout(Duration.ofSeconds(2))
                                .build());
    }

    /**
     * Checks the URL with the SSRF guard only (channel creation); completes with a refusal or null.
     */
    public CompletableFuture<String> refusal(String url) {
        URI uri = parse(url);
        if (uri == null) {
            return CompletableFuture.completedFuture("not a valid http(s) URL");
        }
        return guard.check(uri)
                .handle(
                        (address, error) ->
                                error != null && SsrfGuard.isRefusal(error)
                                        ? unwrap(error).getMessage()
                                        : null);
    }

    /**
     * One POST of {@code body} with the given headers (names lower case).
     *
     * @param headers computed just before sending (e.g. signatures carrying the send time); called
     *     once the address is checked, never for a refused URL
     */
    public CompletableFuture<AttemptResult> post(
            String url, byte[] body, Function<URI, Map<String, String>> headers) {
        URI uri = parse(url);
        if (uri == null) {
            return CompletableFuture.completedFuture(
                    AttemptResult.failed(
                            DeliveryError.INVALID_SETTINGS, "not a valid http(s) URL"));
        }
        return guard.check(uri)
                .handle(
                        (address, error) -> {
                            if (error != null) {
                                return CompletableFuture.completedFuture(
                                        AttemptResult.failed(
                                                SsrfGuard.isRefusal(error)
                                                        ? DeliveryError.BLOCKED_ADDRESS
                                                        : DeliveryError.DNS_FAILURE,
                                                unwrap(error).getMessage()));
                            }
                            BoundRequestBuilder request =
                                    client.preparePost(uri.toASCIIString())
                                            // The address the guard checked, never a fresh DNS
                                            // answer.
                                            .setAddress(address)
                                            .setBody(body);
                            headers.apply(uri).forEach(request::setHeader);
                            return request.execute(new AnswerOnly())
                                    .toCompletableFuture()
                                    .handle(GuardedHttpPoster::classify);
                        })
                .thenCompose(Function.identity())
                .exceptionally(
                        error ->
                                AttemptResult.failed(
                                        DeliveryError.CONNECTION_ERROR,
                                        unwrap(error).getClass().getSimpleName()));
    }

    /** An absolute http(s) URL with a host, or null: what any channel may send to or link. */
    static URI parse(String url) {
        if (url == null) {
            return null;
        }
        try {
            URI uri = URI.create(url);
            String scheme = uri.getScheme();
            if (uri.getHost() == null
                    || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))) {
                return null;
            }
            return uri;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Keeps the status line and Retry-After and discards the body as it arrives: a receiver is
     * hostile input, and buffering whatever it sends back would let it fill our heap.
     */
    private static final class AnswerOnly implements AsyncHandler<AttemptResult> {
        private int status;
        private String statusText;
        private Duration retryAfter;

        @Override
        public State onStatusReceived(HttpResponseStatus responseStatus) {
            status = responseStatus.getStatusCode();
            statusText = responseStatus.getStatusText();
            return State.CONTINUE;
        }

        @Override
        public State onHeadersReceived(HttpHeaders headers) {
            retryAfter = parseRetryAfter(headers.get("retry-after"));
            return State.CONTINUE;
        }

        @Override
        public State onBodyPartReceived(HttpResponseBodyPart bodyPart) {
            return State.CONTINUE;
        }

        @Override
        public void onThrowable(Throwable t) {
            // the future fails with t; classify() reads it
        }

        @Override
        public AttemptResult onCompleted() {
            return AttemptResult.fromStatus(status, statusText, retryAfter);
        }
    }

    static AttemptResult classify(AttemptResult answered, Throwable error) {
        if (error == null) {
            return answered;
        }
        Throwable t = unwrap(error);
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof TimeoutException || c instanceof ConnectTimeoutException) {
                return AttemptResult.failed(DeliveryError.TIMEOUT, "no answer in time");
            }
            if (c instanceof ConnectException) {
                return AttemptResult.failed(DeliveryError.CONNECTION_ERROR, "connection refused");
            }
        }
        return AttemptResult.failed(DeliveryError.CONNECTION_ERROR, t.getClass().getSimpleName());
    }

    static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** Retry-After in delta-seconds (HTTP dates are rare for webhooks and read as absent). */
    static Duration parseRetryAfter(String value) {
        if (value == null
                || value.isBlank()
                || !value.strip().chars().allMatch(Character::isDigit)) {
            return null;
        }
        String v = value.strip();
        return v.length() > 9 ? Duration.ofDays(365) : Duration.ofSeconds(Long.parseLong(v));
    }

    @Override
    public void close() throws Exception {
        try {
            client.close();
        } finally {
            dnsExecutor.shutdownNow();
        }
    }
}
