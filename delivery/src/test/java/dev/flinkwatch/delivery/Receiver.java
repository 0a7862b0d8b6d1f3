package dev.flinkwatch.delivery;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;

/**
 * A webhook receiver on loopback (random port, a thread per request so a hanging answer blocks
 * nothing else) that records every request and answers by a rule over the request's number.
 */
final class Receiver implements AutoCloseable {
    /** Status that means "never answer" (the request hangs until {@link #close()}). */
    static final int HANG = -1;

    /**
     * @param target the request's path and query, as sent
     */
    record Request(
            String method,
            String target,
            Map<String, List<String>> headers,
            String body,
            int answered) {
        String header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile IntUnaryOperator rule;

    private final String host;

    private Receiver(String host, IntUnaryOperator rule) {
        this.rule = rule;
        this.host = host;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * @param rule request number (0-based) to status, or {@link #HANG}
     */
    static Receiver answering(IntUnaryOperator rule) {
        return new Receiver("127.0.0.1", rule);
    }

    /** A receiver on another loopback address (e.g. 127.0.0.2, outside a test's allow list). */
    static Receiver answeringOn(String loopbackAddress, IntUnaryOperator rule) {
        return new Receiver(loopbackAddress, rule);
    }

    void answer(IntUnaryOperator newRule) {
        rule = newRule;
    }

    String url() {
        return base() + "/hook";
    }

    /** {@code http://host:port}, without a path. */
    String base() {
        return "http://" + host + ":" + server.getAddress().getPort();
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        int status;
        synchronized (this) {
            status = rule.applyAsInt(requests.size());
            requests.add(
                    new Request(
                            exchange.getRequestMethod(),
                            exchange.getRequestURI().toString(),
                            Map.copyOf(lowerCase(exchange)),
                            body,
                            status));
        }
        if (status == HANG) {
            try {
                released.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
            return;
        }
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    private static Map<String, List<String>> lowerCase(HttpExchange exchange) {
        Map<String, List<String>> headers = new java.util.HashMap<>();
        exchange.getRequestHeaders()
                .forEach(
                        (k, v) ->
                                headers.put(k.toLowerCase(java.util.Locale.ROOT), List.copyOf(v)));
        return headers;
    }

    @Override
    public void close() {
        released.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
