package dev.flinkwatch.local;

import dev.flinkwatch.embedded.ServerProcesses;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Exclusive use of a data directory by one stack: an OS file lock on {@code stack.lock} (released
 * by the kernel when the process dies, even by {@code kill -9}, so a crash never leaves the
 * directory locked) and the holder's pid in {@code stack.pid} for the message a second stack shows.
 * Taken before anything else in the directory is touched.
 */
final class DataDirLock implements AutoCloseable {
    static final String LOCK_FILE = "stack.lock";
    static final String PID_FILE = "stack.pid";

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(Path dir, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks the directory for this process.
     *
     * @throws StackStartException naming the directory and the running stack's pid when another
     *     stack (in this or another process) holds it
     */
    static DataDirLock acquire(Path dir) throws IOException {
        Files.createDirectories(dir);
        FileChannel channel =
                FileChannel.open(
                        dir.resolve(LOCK_FILE),
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by another stack in this JVM
        }
        if (lock == null) {
            channel.close();
            throw new StackStartException(
                    "data directory "
                            + dir
                            + " is in use by a running local stack ("
                            + holder(dir)
                            + "): stop it first, or set MONITOR_DATA_DIR (--monitor.data.dir) to"
                            + " another directory");
        }
        Files.writeString(
                dir.resolve(PID_FILE),
                ProcessHandle.current().pid() + "\n",
                StandardCharsets.UTF_8);
        return new DataDirLock(dir, channel, lock);
    }

    private static String holder(Path dir) {
        Optional<Long> pid = ServerProcesses.readPid(dir.resolve(PID_FILE));
        return pid.map(p -> "pid " + p).orElse("pid unknown");
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(dir.resolve(PID_FILE));
            lock.release();
            channel.close();
        } catch (IOException e) {
            // the kernel drops the lock when the process exits anyway
        }
    }
}
