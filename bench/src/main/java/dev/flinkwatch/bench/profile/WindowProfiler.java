package dev.flinkwatch.bench.profile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import one.profiler.AsyncProfiler;

/**
 * A CPU profile of a benchmark's measured window only (async-profiler, in-process): warm-up, JIT
 * compilation of the first minutes and shutdown stay out of it. Enabled by the system property
 * {@code profile=<path prefix>}: writes {@code <prefix>.html} (flame graph) and {@code
 * <prefix>.collapsed} (folded stacks, for scripts). Off (a no-op) without it.
 */
public final class WindowProfiler {
    private final AsyncProfiler profiler;
    private final String prefix;

    private WindowProfiler(AsyncProfiler profiler, String prefix) {
        this.profiler = profiler;
        this.prefix = prefix;
    }

    /** Starts profiling CPU (itimer when perf events are not allowed), or nothing. */
    public static WindowProfiler start() throws IOException {
        String prefix = System.getProperty("profile");
        if (prefix == null || prefix.isBlank()) {
            return new WindowProfiler(null, null);
        }
        Files.createDirectories(Path.of(prefix).toAbsolutePath().getParent());
        AsyncProfiler profiler = AsyncProfiler.getInstance();
        try {
            profiler.execute("start,event=cpu,interval=10ms");
        } catch (IllegalStateException | IOException e) {
            profiler.execute("start,event=itimer,interval=10ms");
        }
        return new WindowProfiler(profiler, prefix);
    }

    /** Stops and writes the flame graph and the folded stacks. */
    public void stop() throws IOException {
        if (profiler == null) {
            return;
        }
        profiler.execute("dump,collapsed,file=" + prefix + ".collapsed");
        profiler.execute("stop,file=" + prefix + ".html");
        System.out.println("profile: " + prefix + ".html, " + prefix + ".collapsed");
    }
}
