package dev.flinkwatch.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hostile HTTP server that holds connections open without ever finishing a response: either the
 * headers (with a large Content-Length) and then silence, or the whole response one byte per
 * second. One selector thread serves every connection, so thousands of held connections cost the
 * test nothing. {@code /robots.txt} answers 404 at once, so a fetcher that honours robots.txt
 * reaches the tarpit. Counts connections, so a test can see how many a fetcher holds.
 */
public final class Tarpit implements AutoCloseable {
    private static final long DRIP_INTERVAL_NANOS = 1_000_000_000L;
    private static final byte[] NOT_FOUND =
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII);

    private final ServerSocketChannel server;
    private final Selector selector;
    private final Thread loop;
    private final String host;
    private final byte[] headers;
    private final boolean drip;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger maxOpen = new AtomicInteger();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile boolean running = true;

    private Tarpit(String host, byte[] headers, boolean drip) throws IOException {
        this.host = host;
        this.headers = headers;
        this.drip = drip;
        this.selector = Selector.open();
        this.server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(host, 0), 1024);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        this.loop = new Thread(this::run, "tarpit-" + host);
        loop.setDaemon(true);
        loop.start();
    }

    /**
     * Sends a 200 status line and headers declaring {@code declaredLength} body bytes, then
     * nothing: the connection stays open until the client gives up.
     */
    public static Tarpit headersThenSilence(String host, long declaredLength) {
        String head =
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: "
                        + declaredLength
                        + "\r\n\r\n";
        return start(host, head, false);
    }

    /** Sends the response, status line first, one byte per second, never finishing it. */
    public static Tarpit oneBytePerSecond(String host) {
        return start(
                host,
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                        + "Content-Length: 1000000\r\n\r\n",
                true);
    }

    private static Tarpit start(String host, String head, boolean drip) {
        try {
            return new Tarpit(host, head.getBytes(StandardCharsets.US_ASCII), drip);
        } catch (IOException e) {
            throw new UncheckedIOException("tarpit on " + host + " did not start", e);
        }
    }

    public int port() {
        return ((InetSocketAddress) server.socket().getLocalSocketAddress()).getPort();
    }

    /** The URL of a path on this tarpit under a host name (which must resolve to its address). */
    public String url(String hostName, String path) {
        return "http://" + hostName + ":" + port() + path;
    }

    /** The address the tarpit listens on. */
    public String host() {
        return host;
    }

    /** Connections open now. */
    public int open() {
        return open.get();
    }

    /** Most connections open at once so far. */
    public int maxOpen() {
        return maxOpen.get();
    }

    /** Connections accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    /** One held connection: the request read so far, then the response position. */
    private static final class Conn {
        final StringBuilder request = new StringBuilder();
        ByteBuffer response;
        long nextDrip;
    }

    private void run() {
        List<SelectionKey> dripping = new ArrayList<>();
        while (running) {
            try {
                selector.select(drip ? 100 : 1000);
                for (SelectionKey key : selector.selectedKeys()) {
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        accept();
                    } else if (key.isReadable()) {
                        read(key);
                    }
                }
                selector.selectedKeys().clear();
                if (drip) {
                    dripping.clear();
                    for (SelectionKey key : selector.keys()) {
                        if (key.isValid()
                                && key.attachment() instanceof Conn c
                                && c.response != null) {
                            dripping.add(key);
                        }
                    }
                    long now = System.nanoTime();
                    for (SelectionKey key : dripping) {
                        dripOne(key, now);
                    }
                }
            } catch (IOException e) {
                if (running) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    private void accept() throws IOException {
        SocketChannel ch;
        while ((ch = server.accept()) != null) {
            ch.configureBlocking(false);
            ch.register(selector, SelectionKey.OP_READ, new Conn());
            accepted.incrementAndGet();
            maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
        }
    }

    private void read(SelectionKey key) {
        SocketChannel ch = (SocketChannel) key.channel();
        Conn c = (Conn) key.attachment();
        ByteBuffer buf = ByteBuffer.allocate(4096);
        try {
            int n = ch.read(buf);
            if (n < 0) {
                close(key);
                return;
            }
            if (c.response != null) {
                return; // a pipelined or repeated request: ignored, the response never ends
            }
            c.request.append(new String(buf.array(), 0, n, StandardCharsets.ISO_8859_1));
            if (c.request.indexOf("\r\n\r\n") < 0) {
                return;
            }
            String requestLine = c.request.substring(0, c.request.indexOf("\r\n"));
            if (requestLine.contains(" /robots.txt ")) {
                ch.write(ByteBuffer.wrap(NOT_FOUND));
                close(key);
                return;
            }
            c.response = ByteBuffer.wrap(headers);
            if (drip) {
                c.nextDrip = System.nanoTime();
            } else {
                ch.write(c.response);
            }
        } catch (IOException e) {
            close(key);
        }
    }

    private void dripOne(SelectionKey key, long now) {
        Conn c = (Conn) key.attachment();
        if (now < c.nextDrip) {
            return;
        }
        c.nextDrip = now + DRIP_INTERVAL_NANOS;
        byte next = c.response.hasRemaining() ? c.response.get() : (byte) 'a';
        ByteBuffer one = ByteBuffer.wrap(new byte[] {next});
        try {
            ((SocketChannel) key.channel()).write(one);
        } catch (IOException e) {
            close(key);
        }
    }

    private void close(SelectionKey key) {
        if (!key.isValid()) {
            return;
        }
        key.cancel();
        try {
            key.channel().close();
        } catch (IOException ignored) {
            // already gone
        }
        open.decrementAndGet();
    }

    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            loop.join(5_000);
            for (SelectionKey key : selector.keys()) {
                key.channel().close();
            }
            selector.close();
            server.close();
        } catch (IOException | InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
