package dev.flinkwatch.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server processes the embedded services start (PostgreSQL, the Kafka broker's JVM): finding
 * one left over from a crashed run through its pid file, stopping it, and a watchdog that stops a
 * server when the JVM that started it disappears, even by {@code kill -9}.
 *
 * <p>Both servers run in their own session (pg_ctl puts the postmaster there; the broker is started
 * with setsid), so a signal to the stack's process group never reaches them directly: the stack
 * stops them in order on a clean shutdown, and the watchdog covers everything else.
 */
public final class ServerProcesses {
    private static final Logger LOG = LoggerFactory.getLogger(ServerProcesses.class);
    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private ServerProcesses() {}

    /** The pid on the first line of a pid file (PostgreSQL's postmaster.pid format), if any. */
    public static Optional<Long> readPid(Path pidFile) {
        try {
            if (!Files.isRegularFile(pidFile)) {
                return Optional.empty();
            }
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
            return lines.isEmpty()
                    ? Optional.empty()
                    : Optional.of(Long.parseLong(lines.get(0).strip()));
        } catch (IOException | NumberFormatException e) {
            // a torn or foreign file is not a running server
            return Optional.empty();
        }
    }

    /**
     * The live process with the pid in {@code pidFile} whose command line contains {@code marker}
     * (e.g. its data directory), so a recycled pid of an unrelated process is never taken for it.
     */
    public static Optional<ProcessHandle> leftover(Path pidFile, String marker) {
        return readPid(pidFile)
                .flatMap(ProcessHandle::of)
                .filter(ProcessHandle::isAlive)
                .filter(p -> commandLine(p).contains(marker));
    }

    /** The process's full command line ({@code /proc/<pid>/cmdline}), or "" when unreadable. */
    public static String commandLine(ProcessHandle process) {
        try {
            byte[] raw =
                    Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "cmdline"));
            return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').strip();
        } catch (IOException e) {
            return process.info().commandLine().orElse("");
        }
    }

    /**
     * Stops a process with a signal (e.g. "INT" for PostgreSQL's fast shutdown, "TERM" for Kafka's
     * controlled shutdown) and waits for it to exit; kills it when it takes longer than {@code
     * grace}.
     */
    public static void stop(ProcessHandle process, String signal, Duration grace, String what) {
        long pid = process.pid();
        signal(pid, signal);
        try {
            process.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("event=leftover_stopped what={} pid={} signal={}", what, pid, signal);
        } catch (java.util.concurrent.TimeoutException e) {
            process.destroyForcibly();
            LOG.warn("event=leftover_killed what={} pid={} after={}", what, pid, grace);
            process.onExit().join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping " + what, e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("could not wait for " + what + " to stop", e);
        }
    }

    /**
     * Starts a watchdog for a server process: a tiny shell in its own session that reads a pipe
     * from this JVM and, when the pipe closes (this JVM exited, however it died), sends {@code
     * signal} to the server. Stop it with {@link Process#destroy()} before stopping the server
     * cleanly, so it never signals a pid that has been recycled.
     *
     * @param label shown in the watchdog's command line (e.g. the data directory), so a user can
     *     tell what it guards
     */
    public static Process watchdog(long pid, String signal, String label) throws IOException {
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
            command.add(SETSID.toString());
        }
        command.addAll(
                List.of(
                        "/bin/sh",
                        "-c",
                        // read returns non-zero at EOF: the parent is gone
                        "while read -r _; do :; done; kill -s \"$1\" \"$2\" 2>/dev/null",
                        "flinkwatch-watchdog",
                        signal,
                        Long.toString(pid),
                        label));
        return new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    /** Stops a watchdog without letting it signal its server. */
    public static void disarm(Process watchdog) {
        if (watchdog == null) {
            return;
        }
        watchdog.destroy();
        try {
            watchdog.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** True when nothing can listen on 127.0.0.1:{@code port} because something else does. */
    public static boolean portInUse(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** A port that was free on 127.0.0.1 a moment ago. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void signal(long pid, String signal) {
        try {
            Process kill =
                    new ProcessBuilder("kill", "-s", signal, Long.toString(pid))
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .start();
            kill.waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
