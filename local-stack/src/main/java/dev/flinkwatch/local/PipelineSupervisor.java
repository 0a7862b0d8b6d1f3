package dev.flinkwatch.local;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.util.SerializedThrowable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the pipeline job running on the MiniCluster. Flink's restart strategy absorbs ordinary task
 * failures; when a job still ends (the strategy gave up, or the failure is one it never restarts,
 * such as a failed restore), the supervisor logs the cause, reports it through {@link
 * #verifyRunning()} (the stack's {@code /readyz}), and resubmits the job from the newest retained
 * checkpoint after a backoff that doubles with each failure in a row.
 */
final class PipelineSupervisor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineSupervisor.class);

    /** A job that ran this long before failing starts the backoff over. */
    private static final Duration STABLE_RUN = Duration.ofMinutes(10);

    /** Builds the pipeline's job graph with this id, restoring from the checkpoint if present. */
    @FunctionalInterface
    interface JobFactory {
        JobGraph build(JobID id, Optional<Path> restoreFrom) throws Exception;
    }

    /** Why the pipeline is not running and when the next attempt is. */
    private record Down(Instant since, String cause, int failures, Instant nextAttempt) {
        String describe() {
            return "pipeline job failed at "
                    + since.truncatedTo(ChronoUnit.SECONDS)
                    + " ("
                    + cause
                    + "); resubmitting from the latest checkpoint at "
                    + nextAttempt.truncatedTo(ChronoUnit.SECONDS)
                    + " (failure "
                    + failures
                    + " in a row)";
        }
    }

    private final MiniCluster flink;
    private final JobFactory factory;
    private final RetainedCheckpoints checkpoints;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Clock clock = Clock.systemUTC();
    private final ScheduledExecutorService executor =
            Executors.newSingleThreadScheduledExecutor(
                    r -> {
                        Thread t = new Thread(r, "pipeline-supervisor");
                        t.setDaemon(true);
                        return t;
                    });

    private volatile JobID current;
    private volatile Instant submittedAt;
    private volatile String restoredFrom;
    private volatile Down down;
    private volatile boolean closed;
    private int failures;

    PipelineSupervisor(
            MiniCluster flink,
            JobFactory factory,
            RetainedCheckpoints checkpoints,
            Duration initialBackoff,
            Duration maxBackoff) {
        this.flink = flink;
        this.factory = factory;
        this.checkpoints = checkpoints;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
    }

    /** Submits the first job (from the newest checkpoint, if any) and starts watching it. */
    void start() throws Exception {
        submit();
    }

    /** The checkpoint the running job was restored from, or null. */
    String restoredFrom() {
        return restoredFrom;
    }

    /** The id of the job submitted last. */
    JobID currentJob() {
        return current;
    }

    /** Throws with the state and the last failure unless the pipeline job is RUNNING. */
    void verifyRunning() throws Exception {
        Down d = down;
        if (d != null) {
            throw new IllegalStateException(d.describe());
        }
        JobID id = current;
        if (id == null) {
            throw new IllegalStateException("pipeline job is not submitted yet");
        }
        JobStatus status = flink.getJobStatus(id).get(5, TimeUnit.SECONDS);
        if (status != JobStatus.RUNNING) {
            throw new IllegalStateException("pipeline job is " + status);
        }
    }

    private void submit() throws Exception {
        Optional<Path> latest = checkpoints.latest();
        JobID id = JobID.generate();
        JobGraph job = factory.build(id, latest);
        if (latest.isPresent()) {
            // older jobs' checkpoints are superseded by the one this job starts from
            checkpoints.pruneExcept(latest.get());
        }
        flink.submitJob(job).get(60, TimeUnit.SECONDS);
        current = id;
        submittedAt = clock.instant();
        restoredFrom = latest.map(Path::toString).orElse(null);
        down = null;
        LOG.info(
                "event=pipeline_submitted jobId={} restoredFrom={}",
                id,
                latest.map(Path::toString).orElse("none"));
        flink.requestJobResult(id)
                .whenCompleteAsync((result, error) -> onJobEnded(id, result, error), executor);
    }

    private void onJobEnded(JobID id, JobResult result, Throwable error) {
        if (closed || !id.equals(current)) {
            return;
        }
        String cause =
                error != null
                        ? rootCause(error)
                        : result.getSerializedThrowable()
                                .map(PipelineSupervisor::rootCause)
                                .orElse("ended " + result.getApplicationStatus());
        if (Duration.between(submittedAt, clock.instant()).compareTo(STABLE_RUN) > 0) {
            failures = 0;
        }
        scheduleResubmit(cause);
    }

    private void scheduleResubmit(String cause) {
        failures++;
        Duration backoff = backoff(failures);
        Instant now = clock.instant();
        down = new Down(now, cause, failures, now.plus(backoff));
        LOG.warn(
                "event=pipeline_failed jobId={} failures={} retryIn={} cause={}",
                current,
                failures,
                backoff,
                cause);
        executor.schedule(this::resubmit, backoff.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void resubmit() {
        if (closed) {
            return;
        }
        try {
            submit();
        } catch (Exception e) {
            scheduleResubmit("resubmission failed: " + rootCause(e));
        }
    }

    private Duration backoff(int failure) {
        Duration d = initialBackoff;
        for (int i = 1; i < failure && d.compareTo(maxBackoff) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    }

    /** The innermost cause, as "Type: message", one line. */
    static String rootCause(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String type =
                root instanceof SerializedThrowable s
                        ? s.getOriginalErrorClassName()
                        : root.getClass().getName();
        String message = root.getMessage();
        if (root instanceof SerializedThrowable && message != null && message.startsWith(type)) {
            // a serialized throwable's message repeats its class name
            message = message.substring(type.length()).replaceFirst("^:\\s*", "");
        }
        String simple = type.substring(type.lastIndexOf('.') + 1);
        String line = message == null || message.isBlank() ? simple : simple + ": " + message;
        return line.replaceAll("\\s+", " ").strip();
    }

    /** Stops supervising and cancels the job (its latest checkpoint is retained). */
    @Override
    public void close() {
        closed = true;
        executor.shutdownNow();
        JobID id = current;
        if (id == null) {
            return;
        }
        try {
            flink.cancelJob(id).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // already ended, or the cluster is going down with it
            LOG.info("event=pipeline_cancel_skipped jobId={} reason={}", id, rootCause(e));
        }
    }
}
