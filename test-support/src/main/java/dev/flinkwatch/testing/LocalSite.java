package dev.flinkwatch.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on a loopback address (127.0.0.1 unless told otherwise) whose pages a test can
 * change between checks. Plain pages answer conditional GETs (ETag / If-None-Match) like a typical
 * web server; any path can instead get a custom handler for slow, endless, redirecting or failing
 * responses. Requests run on their own threads, so one slow handler does not hold up the others.
 */
public final class LocalSite implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, HttpHandler> handlers = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final String address;

    private LocalSite(HttpServer server, ExecutorService executor, String address) {
        this.server = server;
        this.executor = executor;
        this.address = address;
    }

    public static LocalSite start() {
        return start("127.0.0.1");
    }

    /**
     * A site on another loopback address (any of 127.0.0.0/8 on Linux), so a test can have distinct
     * servers that a fetcher sees as distinct addresses.
     */
    public static LocalSite start(String address) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(address, 0), 256);
            ExecutorService executor =
                    Executors.newCachedThreadPool(
                            r -> {
                                Thread t = new Thread(r, "local-site");
                                t.setDaemon(true);
                                return t;
                            });
            LocalSite site = new LocalSite(server, executor, address);
            server.createContext("/", site::dispatch);
            server.setExecutor(executor);
            server.start();
            return site;
        } catch (IOException e) {
            throw new IllegalStateException("local site did not start", e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Absolute URL of a path on this site, e.g. {@code url("/a.html")}. */
    public String url(String path) {
        return "http://" + address + ":" + port() + path;
    }

    /** URL of a path under a host name that the test's resolver maps to this site's address. */
    public String url(String hostName, String path) {
        return "http://" + hostName + ":" + port() + path;
    }

    /** Serves (or replaces) an HTML page in UTF-8, with an ETag derived from its content. */
    public LocalSite page(String path, String html) {
        return page(path, html.getBytes(StandardCharsets.UTF_8), "text/html; charset=utf-8");
    }

    /** Serves (or replaces) a body with the given content type and a content-derived ETag. */
    public LocalSite page(String path, String text, String contentType, Charset charset) {
        return page(path, text.getBytes(charset), contentType);
    }

    /** Serves (or replaces) raw bytes with the given content type and a content-derived ETag. */
    public LocalSite page(String path, byte[] body, String contentType) {
        String etag = "\"" + Integer.toHexString(java.util.Arrays.hashCode(body)) + "\"";
        return handle(
                path,
                exchange -> {
                    if (etag.equals(exchange.getRequestHeaders().getFirst("If-None-Match"))) {
                        exchange.getResponseHeaders().set("ETag", etag);
                        exchange.sendResponseHeaders(304, -1);
                        return;
                    }
                    exchange.getResponseHeaders().set("Content-Type", contentType);
                    exchange.getResponseHeaders().set("ETag", etag);
                    send(exchange, 200, body);
                });
    }

    /** Installs a custom handler for a path (exact match). */
    public LocalSite handle(String path, HttpHandler handler) {
        handlers.put(path, handler);
        return this;
    }

    /** Removes a path: it answers 404 from now on. */
    public LocalSite remove(String path) {
        handlers.remove(path);
        return this;
    }

    /** How many requests a path has received. */
    public int hits(String path) {
        AtomicInteger n = hits.get(path);
        return n == null ? 0 : n.get();
    }

    /** Writes a complete response with a known length. */
    public static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** Total requests over all paths. */
    public int totalHits() {
        return hits.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** Most requests this site was serving at once so far. */
    public int maxConcurrent() {
        return maxInFlight.get();
    }

    private void dispatch(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        try (exchange) {
            HttpHandler handler = handlers.get(path);
            if (handler == null) {
                send(exchange, 404, "not found".getBytes(StandardCharsets.UTF_8));
            } else {
                handler.handle(exchange);
            }
        } catch (IOException e) {
            // the client went away (timeouts, size limits): expected in fetch tests
        } finally {
            inFlight.decrementAndGet();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
