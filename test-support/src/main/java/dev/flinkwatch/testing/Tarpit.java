package dev.flinkwatch.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hostile HTTP server for fairness tests and benchmarks: it answers every connection with a 200
 * and its headers (declaring a large {@code Content-Length}), then either goes silent ({@link
 * Mode#SILENT}) or sends one body byte per second ({@link Mode#TRICKLE}), and never finishes. One
 * accept thread and one timer thread serve any number of connections, which stay open until the
 * client gives up or the tarpit closes. Bind it to another loopback address (127.0.0.2: Linux
 * routes all of 127/8 to loopback) to give it an address of its own.
 */
public final class Tarpit implements AutoCloseable {
    /** What happens after the headers. */
    public enum Mode {
        /** Nothing: header-then-silence. */
        SILENT,
        /** One byte per second. */
        TRICKLE
    }

    private final ServerSocket server;
    private final Mode mode;
    private final long declaredLength;
    private final ScheduledExecutorService timer;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Thread acceptor;

    private Tarpit(ServerSocket server, Mode mode, long declaredLength) {
        this.server = server;
        this.mode = mode;
        this.declaredLength = declaredLength;
        this.timer =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "tarpit-timer");
                            t.setDaemon(true);
                            return t;
                        });
        this.acceptor = new Thread(this::acceptLoop, "tarpit-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * @param address the loopback address to listen on, e.g. "127.0.0.2"
     * @param declaredLength the Content-Length the headers promise
     */
    public static Tarpit start(String address, Mode mode, long declaredLength) {
        try {
            ServerSocket server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getByName(address), 0), 1024);
            return new Tarpit(server, mode, declaredLength);
        } catch (IOException e) {
            throw new IllegalStateException("tarpit did not start on " + address, e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    public String address() {
        return server.getInetAddress().getHostAddress();
    }

    /** Connections accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                accepted.incrementAndGet();
                open.add(socket);
                OutputStream out = socket.getOutputStream();
                out.write(
                        ("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "
                                        + declaredLength
                                        + "\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                if (mode == Mode.TRICKLE) {
                    trickle(socket);
                }
            } catch (IOException e) {
                // closed, or a client that went away: next
            }
        }
    }

    private void trickle(Socket socket) {
        timer.schedule(
                () -> {
                    try {
                        socket.getOutputStream().write('x');
                        socket.getOutputStream().flush();
                        trickle(socket);
                    } catch (IOException e) {
                        close(socket);
                    }
                },
                1,
                TimeUnit.SECONDS);
    }

    private void close(Socket socket) {
        open.remove(socket);
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        timer.shutdownNow();
        open.forEach(this::close);
    }
}
