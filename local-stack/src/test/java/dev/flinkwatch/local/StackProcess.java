package dev.flinkwatch.local;

import static org.awaitility.Awaitility.await;

import dev.flinkwatch.embedded.ServerProcesses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The run command's JVM ({@link LocalStackMain} with the flags of the exec plugin in the pom) as a
 * child process group of its own, the way a terminal runs it: {@code setsid} makes it the leader of
 * a new session and process group, so the test can signal the whole group like a terminal, an OOM
 * killer or a closed tab does.
 */
final class StackProcess implements AutoCloseable {
    private static final Pattern API = Pattern.compile("Control API\\s+(http://\\S+)");

    private final Process process;
    private final Path output;

    private StackProcess(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /** Starts a stack on {@code dataDir} with loopback fetching allowed, plus {@code env}. */
    static StackProcess start(Path dataDir, Path output, Map<String, String> env)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add("/usr/bin/setsid");
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-Xmx1536m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        command.addAll(List.of("-cp", System.getProperty("java.class.path")));
        command.add(LocalStackMain.class.getName());
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(output.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        Map<String, String> environment = builder.environment();
        environment.put("MONITOR_DATA_DIR", dataDir.toString());
        environment.put("MONITOR_API_PORT", "0");
        environment.put("MONITOR_DASHBOARD_PORT", "0");
        environment.put("MONITOR_ADMIN_TOKEN", "crash-admin-token");
        environment.put("MONITOR_MIN_INTERVAL_SECONDS", "1");
        environment.put("MONITOR_FETCH_ALLOW_PRIVATE", "true");
        environment.putAll(env);
        return new StackProcess(builder.start(), output);
    }

    /** The pid of the stack JVM, also its process group id (setsid execs, it does not fork). */
    long pid() {
        return process.pid();
    }

    String output() throws IOException {
        return Files.readString(output, StandardCharsets.UTF_8);
    }

    /** Waits for the ready banner and returns the control API's URL. */
    String awaitReady(Duration timeout) {
        String[] url = new String[1];
        await().atMost(timeout)
                .pollInterval(Duration.ofMillis(250))
                .until(
                        () -> {
                            if (!process.isAlive()) {
                                throw new AssertionError("stack exited:\n" + output());
                            }
                            Matcher m = API.matcher(output());
                            if (m.find()) {
                                url[0] = m.group(1);
                                return true;
                            }
                            return false;
                        });
        return url[0];
    }

    /** Waits for the process to exit and returns its status. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("still running after " + timeout);
        }
        return process.exitValue();
    }

    /** Sends a signal ("KILL", "TERM") to the whole process group. */
    void signalGroup(String signal) throws Exception {
        Process kill =
                new ProcessBuilder("kill", "-s", signal, "--", "-" + pid())
                        .redirectErrorStream(true)
                        .start();
        kill.waitFor(10, TimeUnit.SECONDS);
    }

    /** Processes of this user whose command line mentions the directory (servers, watchdogs). */
    static List<String> processesMentioning(Path dir) {
        String marker = dir.toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.pid() != ProcessHandle.current().pid())
                .map(p -> p.pid() + " " + ServerProcesses.commandLine(p))
                .filter(line -> line.contains(marker))
                .toList();
    }

    /** Kills whatever is left of the group, so a failed test leaves nothing running. */
    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            signalGroup("KILL");
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
