package dev.flinkwatch.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Leftover detection by pid file and command line, stopping, and the parent watchdog. */
class ServerProcessesTest {
    @TempDir Path dir;

    /** A stand-in server: a shell sleeping, with the marker in its command line. */
    private Process server(String marker) throws Exception {
        // a loop, not one command: a shell may exec a lone command and lose the marker
        return new ProcessBuilder("/bin/sh", "-c", "while :; do sleep 1; done", marker).start();
    }

    @Test
    void aLeftoverIsFoundByPidFileAndMarkerAndStopped() throws Exception {
        Process server = server(dir.toString());
        try {
            Path pidFile = dir.resolve("server.pid");
            Files.writeString(pidFile, server.pid() + "\n");

            assertThat(ServerProcesses.leftover(pidFile, "some-other-dir"))
                    .as("a recycled pid of an unrelated process is never taken for the server")
                    .isEmpty();
            var leftover = ServerProcesses.leftover(pidFile, dir.toString());
            assertThat(leftover).isPresent();

            ServerProcesses.stop(leftover.get(), "TERM", Duration.ofSeconds(10), "test");
            assertThat(server.isAlive()).isFalse();
            assertThat(ServerProcesses.leftover(pidFile, dir.toString())).isEmpty();
        } finally {
            server.destroyForcibly();
        }
    }

    @Test
    void theWatchdogSignalsTheServerWhenItsParentPipeCloses() throws Exception {
        Process server = server(dir.toString());
        Process watchdog = ServerProcesses.watchdog(server.pid(), "TERM", dir.toString());
        try {
            assertThat(server.waitFor(500, TimeUnit.MILLISECONDS)).isFalse();
            // what the kernel does when this JVM dies, however it dies
            watchdog.getOutputStream().close();
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).as("server stopped").isTrue();
            assertThat(watchdog.waitFor(30, TimeUnit.SECONDS)).as("watchdog exited").isTrue();
        } finally {
            server.destroyForcibly();
            watchdog.destroyForcibly();
        }
    }

    @Test
    void aDisarmedWatchdogLeavesTheServerAlone() throws Exception {
        Process server = server(dir.toString());
        Process watchdog = ServerProcesses.watchdog(server.pid(), "TERM", dir.toString());
        try {
            ServerProcesses.disarm(watchdog);
            assertThat(watchdog.isAlive()).isFalse();
            assertThat(server.waitFor(500, TimeUnit.MILLISECONDS)).isFalse();
        } finally {
            server.destroyForcibly();
            watchdog.destroyForcibly();
        }
    }
}
