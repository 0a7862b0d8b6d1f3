package dev.flinkwatch.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ConfigurationUtils;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;

/**
 * A real standalone Flink session cluster: the JobManager and each TaskManager are separate JVMs
 * started from the Maven-resolved Flink jars the way Flink's scripts start them (memory flags from
 * {@code BashJavaUtils}, {@code env.java.opts.all}, log4j with {@code log.file}), on flink-conf/
 * with the test's overrides (loopback, free ports, temp storage). Jobs are submitted and stopped
 * with Flink's own CLI ({@code CliFrontend}, i.e. {@code flink run} / {@code flink stop}) in a
 * child JVM; state is read from the REST API.
 */
final class StandaloneCluster implements AutoCloseable {
    private static final String RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";
    private static final Pattern JOB_ID = Pattern.compile("submitted with JobID ([0-9a-f]{32})");
    private static final Pattern SAVEPOINT = Pattern.compile("Savepoint completed\\. Path: (\\S+)");

    private final Path work;
    private final Path confDir;
    private final String classpath;
    private final List<String> jvmOptions;
    private final int restPort;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private Process jobManager;
    private final List<Process> taskManagers = new ArrayList<>();
    private int started;

    /**
     * @param work a fresh directory for configuration, logs, checkpoints and savepoints
     * @param overrides settings applied over flink-conf/config.yaml
     */
    StandaloneCluster(Path work, Map<String, String> overrides) throws IOException {
        this.work = work;
        this.confDir = Files.createDirectories(work.resolve("conf"));
        this.restPort = freePort();
        Configuration dynamic = new Configuration();
        dynamic.setString("jobmanager.rpc.address", "127.0.0.1");
        dynamic.setString("jobmanager.rpc.port", String.valueOf(freePort()));
        dynamic.setString("jobmanager.bind-host", "127.0.0.1");
        dynamic.setString("taskmanager.bind-host", "127.0.0.1");
        dynamic.setString("taskmanager.host", "127.0.0.1");
        dynamic.setString("rest.address", "127.0.0.1");
        dynamic.setString("rest.bind-address", "127.0.0.1");
        dynamic.setString("rest.port", String.valueOf(restPort));
        dynamic.setString(
                "execution.checkpointing.dir", work.resolve("checkpoints").toUri().toString());
        dynamic.setString(
                "execution.checkpointing.savepoint-dir",
                work.resolve("savepoints").toUri().toString());
        overrides.forEach(dynamic::setString);
        // Flink's own loader reads the real file; the result is written back as the cluster's file
        Configuration conf =
                GlobalConfiguration.loadConfiguration(Repo.flinkConf().toString(), dynamic);
        Files.write(
                confDir.resolve(GlobalConfiguration.FLINK_CONF_FILENAME),
                ConfigurationUtils.convertConfigToWritableLines(conf, false));
        for (String log : List.of("log4j.properties", "log4j-console.properties")) {
            Files.copy(
                    Repo.flinkConf().resolve(log),
                    confDir.resolve(log),
                    StandardCopyOption.REPLACE_EXISTING);
        }
        this.jvmOptions =
                Arrays.stream(conf.get(CoreOptions.FLINK_JVM_OPTIONS).trim().split("\\s+"))
                        .filter(s -> !s.isEmpty())
                        .toList();
        this.classpath =
                Repo.flinkDist().stream().map(Path::toString).collect(Collectors.joining(":"));
        Files.createDirectories(work.resolve("log"));
    }

    String restUrl() {
        return "http://127.0.0.1:" + restPort;
    }

    Path logDir() {
        return work.resolve("log");
    }

    void startJobManager() throws IOException, InterruptedException {
        List<String> memory = memoryParams("GET_JM_RESOURCE_PARAMS");
        jobManager =
                launch(
                        "jobmanager",
                        memory.get(0),
                        "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
                        memory.size() > 1 ? memory.get(1) : "");
    }

    /** Starts one more TaskManager; returns its index for {@link #killTaskManager}. */
    int startTaskManager() throws IOException, InterruptedException {
        List<String> memory = memoryParams("GET_TM_RESOURCE_PARAMS");
        taskManagers.add(
                launch(
                        "taskmanager-" + taskManagers.size(),
                        memory.get(0),
                        "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                        memory.get(1)));
        return taskManagers.size() - 1;
    }

    /** kill -9: no shutdown hooks, no goodbye to the JobManager. */
    void killTaskManager(int index) throws InterruptedException {
        Process p = taskManagers.get(index);
        p.destroyForcibly(); // SIGKILL on Linux
        p.waitFor(30, TimeUnit.SECONDS);
    }

    /** {@code flink run -d [-s savepoint] -p N -c entryClass jar args}; returns the job id. */
    String run(Path jar, String entryClass, int parallelism, String savepoint, List<String> args)
            throws IOException, InterruptedException {
        List<String> cli = new ArrayList<>(List.of("run", "-d", "-p", String.valueOf(parallelism)));
        if (savepoint != null) {
            cli.addAll(List.of("-s", savepoint));
        }
        cli.addAll(List.of("-c", entryClass, jar.toString()));
        cli.addAll(args);
        return find(JOB_ID, cli("run", cli));
    }

    /** {@code flink stop --savepointPath dir jobId}: stop with a savepoint; returns its path. */
    String stopWithSavepoint(String jobId) throws IOException, InterruptedException {
        String dir = work.resolve("savepoints").toUri().toString();
        return find(SAVEPOINT, cli("stop", List.of("stop", "--savepointPath", dir, jobId)));
    }

    /** GET on the REST API. */
    JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(URI.create(restUrl() + path))
                                .timeout(Duration.ofSeconds(30))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + path + " answered " + response.statusCode());
        }
        return json.readTree(response.body());
    }

    /** The state of a job, or "UNKNOWN" while the REST API does not answer. */
    String jobState(String jobId) {
        try {
            return get("/jobs/" + jobId).path("state").asText();
        } catch (IOException e) {
            return "UNKNOWN";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "UNKNOWN";
        }
    }

    /** Every vertex RUNNING with all its subtasks (not merely the job). */
    boolean allTasksRunning(String jobId) {
        try {
            JsonNode job = get("/jobs/" + jobId);
            if (!"RUNNING".equals(job.path("state").asText())) {
                return false;
            }
            for (JsonNode vertex : job.path("vertices")) {
                if (vertex.path("tasks").path("RUNNING").asInt()
                        != vertex.path("parallelism").asInt()) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Registered TaskManagers, or -1 while the REST API does not answer. */
    int registeredTaskManagers() {
        try {
            return get("/taskmanagers").path("taskmanagers").size();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private List<String> memoryParams(String command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(java(), "-cp", classpath));
        cmd.addAll(
                List.of(
                        "org.apache.flink.runtime.util.bash.BashJavaUtils",
                        command,
                        "--configDir",
                        confDir.toString()));
        Path out = work.resolve("log").resolve(command + ".out");
        Process p =
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(out.toFile())
                        .start();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(command + " failed: " + Files.readString(out));
        }
        List<String> results =
                Files.readAllLines(out).stream()
                        .filter(l -> l.startsWith(RESULT_PREFIX))
                        .map(l -> l.substring(RESULT_PREFIX.length()).trim())
                        .toList();
        if (results.isEmpty()) {
            throw new IllegalStateException(
                    command + " printed no result: " + Files.readString(out));
        }
        return results;
    }

    private Process launch(String name, String memoryJvmParams, String mainClass, String dynamic)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of(java()));
        cmd.addAll(jvmOptions);
        cmd.addAll(split(memoryJvmParams));
        cmd.add("-Dlog.file=" + logDir().resolve(name + ".log"));
        cmd.add("-Dlog4j.configurationFile=file:" + confDir.resolve("log4j.properties"));
        cmd.addAll(List.of("-cp", classpath, mainClass, "--configDir", confDir.toString()));
        cmd.addAll(split(dynamic));
        Path out = logDir().resolve(name + ".out");
        started++;
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                .start();
    }

    private String cli(String name, List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(java()));
        cmd.addAll(jvmOptions);
        cmd.add("-Dlog.file=" + logDir().resolve("client-" + started + ".log"));
        cmd.add("-Dlog4j.configurationFile=file:" + confDir.resolve("log4j.properties"));
        cmd.addAll(List.of("-cp", classpath, "org.apache.flink.client.cli.CliFrontend"));
        cmd.addAll(args);
        Path out = logDir().resolve("cli-" + name + "-" + (started++) + ".out");
        ProcessBuilder pb =
                new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().put("FLINK_CONF_DIR", confDir.toString());
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException(
                    "flink " + name + " did not finish: " + Files.readString(out));
        }
        String output = Files.readString(out);
        if (p.exitValue() != 0) {
            throw new IllegalStateException("flink " + name + " failed: " + output);
        }
        return output;
    }

    private static String find(Pattern pattern, String output) {
        Matcher m = pattern.matcher(output);
        if (!m.find()) {
            throw new IllegalStateException("unexpected CLI output: " + output);
        }
        return m.group(1);
    }

    private static List<String> split(String s) {
        return Arrays.stream(s.trim().split("\\s+")).filter(x -> !x.isEmpty()).toList();
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        for (Process p : taskManagers) {
            p.destroy();
        }
        if (jobManager != null) {
            jobManager.destroy();
        }
        List<Process> all = new ArrayList<>(taskManagers);
        if (jobManager != null) {
            all.add(jobManager);
        }
        for (Process p : all) {
            try {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
