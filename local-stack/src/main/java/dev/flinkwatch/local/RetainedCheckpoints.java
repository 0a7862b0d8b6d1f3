package dev.flinkwatch.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The pipeline's retained checkpoints in the data directory: {@code <dir>/<job id>/chk-<n>}. Every
 * submission of the pipeline is a new job (a MiniCluster never takes a finished job id again), so
 * the newest checkpoint is searched across job directories, and directories of older jobs are
 * removed once a newer one is the restore point.
 */
final class RetainedCheckpoints {
    private static final Pattern JOB_DIR = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern CHECKPOINT_DIR = Pattern.compile("chk-(\\d+)");

    private final Path dir;

    RetainedCheckpoints(Path dir) {
        this.dir = dir;
    }

    Path directory() {
        return dir;
    }

    /** The newest completed checkpoint (one with {@code _metadata}) of any job, if any. */
    Optional<Path> latest() throws IOException {
        Comparator<Path> newest =
                Comparator.comparing(RetainedCheckpoints::completedAt)
                        .thenComparingLong(RetainedCheckpoints::number);
        return jobDirs().flatMap(RetainedCheckpoints::completed).max(newest);
    }

    /** Removes the directories of every job except the one holding {@code keep}. */
    void pruneExcept(Path keep) throws IOException {
        Path keepJob = keep.getParent();
        for (Path job : jobDirs().filter(j -> !j.equals(keepJob)).toList()) {
            deleteRecursively(job);
        }
    }

    private Stream<Path> jobDirs() throws IOException {
        if (!Files.isDirectory(dir)) {
            return Stream.empty();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            List<Path> jobs =
                    entries.filter(Files::isDirectory)
                            .filter(d -> JOB_DIR.matcher(d.getFileName().toString()).matches())
                            .toList();
            return jobs.stream();
        }
    }

    private static Stream<Path> completed(Path jobDir) {
        try (Stream<Path> entries = Files.list(jobDir)) {
            return entries
                    .filter(d -> CHECKPOINT_DIR.matcher(d.getFileName().toString()).matches())
                    .filter(d -> Files.exists(d.resolve("_metadata")))
                    .toList()
                    .stream();
        } catch (IOException e) {
            // a job directory being removed while we look holds nothing to restore
            return Stream.empty();
        }
    }

    private static FileTime completedAt(Path checkpoint) {
        try {
            return Files.getLastModifiedTime(checkpoint.resolve("_metadata"));
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    private static long number(Path checkpoint) {
        var m = CHECKPOINT_DIR.matcher(checkpoint.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(Comparator.reverseOrder())
                    .forEach(
                            p -> {
                                try {
                                    Files.deleteIfExists(p);
                                } catch (IOException e) {
                                    throw new UncheckedIOException(e);
                                }
                            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
