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
 * A hostile HTTP server for fairness tests and benchmarks: it answers every request with a 200 and
 * its headers (declaring a large {@code Content-Length}), then either goes silent ({@link
 * Mode#SILENT}) or sends one body byte per second ({@link Mode#TRICKLE}), and never finishes. One
 * selector thread serves any number of connections, which stay open until the client gives up or
 * the tarpit closes. {@code /robots.txt} answers 404 at once, so a fetcher that honours robots.txt
 * reaches the tarpit. Bind it to another loopback address (127.0.0.2: Linux routes all of 127/8 to
 * loopback) to give it an address of its own. Counts connections, so a test can see how many a
 * fetcher holds.
 */
public final class Tarpit implements AutoCloseable {
    /** What happens after the headers. */
    public enum Mode {
        /** Nothing: header-then-silence. */
        SILENT,
        /** One byte per second. */
        TRICKLE
    }

    private static final long TRICKLE_INTERVAL_NANOS = 1_000_000_000L;
    private static final byte[] NOT_FOUND =
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII);

    private final ServerSocketChannel server;
    private final Selector selector;
    private final Thread loop;
    private final byte[] headers;
    private final boolean trickle;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger maxOpen = new AtomicInteger();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile boolean running = true;

    private Tarpit(String address, Mode mode, long declaredLength) throws IOException {
        this.headers =
                ("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "
                                + declaredLength
                                + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
        this.trickle = mode == Mode.TRICKLE;
        this.selector = Selector.open();
        this.server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(address, 0), 1024);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        this.loop = new Thread(this::run, "tarpit-" + address);
        loop.setDaemon(true);
        loop.start();
    }

    /**
     * @param address the loopback address to listen on, e.g. "127.0.0.2"
     * @param declaredLength the Content-Length the headers promise
     */
    public static Tarpit start(String address, Mode mode, long declaredLength) {
        try {
            return new Tarpit(address, mode, declaredLength);
        } catch (IOException e) {
            throw new IllegalStateException("tarpit did not start on " + address, e);
        }
    }

    public int port() {
        return ((InetSocketAddress) server.socket().getLocalSocketAddress()).getPort();
    }

    /** The URL of a path on this tarpit under a host name (which must resolve to its address). */
    public String url(String hostName, String path) {
        return "http://" + hostName + ":" + port() + path;
    }

    public String address() {
        return ((InetSocketAddress) server.socket().getLocalSocketAddress())
                .getAddress()
                .getHostAddress();
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

    /** One held connection: the request read so far, then when the next byte is due. */
    private static final class Conn {
        final StringBuilder request = new StringBuilder();
        boolean answered;
        long nextByte;
    }

    private void run() {
        List<SelectionKey> trickling = new ArrayList<>();
        while (running) {
            try {
                selector.select(trickle ? 100 : 1000);
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
                if (trickle) {
                    trickling.clear();
                    for (SelectionKey key : selector.keys()) {
                        if (key.isValid() && key.attachment() instanceof Conn c && c.answered) {
                            trickling.add(key);
                        }
                    }
                    long now = System.nanoTime();
                    for (SelectionKey key : trickling) {
                        trickleOne(key, now);
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
            if (c.answered) {
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
            c.answered = true;
            c.nextByte = System.nanoTime() + TRICKLE_INTERVAL_NANOS;
            ch.write(ByteBuffer.wrap(headers));
        } catch (IOException e) {
            close(key);
        }
    }

    private void trickleOne(SelectionKey key, long now) {
        Conn c = (Conn) key.attachment();
        if (now < c.nextByte) {
            return;
        }
        c.nextByte = now + TRICKLE_INTERVAL_NANOS;
        try {
            ((SocketChannel) key.channel()).write(ByteBuffer.wrap(new byte[] {'x'}));
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
