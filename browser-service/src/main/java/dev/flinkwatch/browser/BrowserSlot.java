package dev.flinkwatch.browser;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.PlaywrightException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One render at a time on its own thread, with its own Playwright driver and Chromium: Playwright
 * objects are not thread-safe, and a crash or hang takes down one slot, not the pool. A dead
 * browser is replaced before the next render; {@link #kill} (the watchdog, from another thread)
 * touches only OS processes, never Playwright objects.
 */
final class BrowserSlot {
    private static final Logger LOG = LoggerFactory.getLogger(BrowserSlot.class);

    /** Playwright.create() starts the driver as a child of this JVM: found by diffing children. */
    private static final Object DRIVER_SPAWN = new Object();

    private final int id;
    private final BrowserConfig config;
    private final PageRenderer renderer;
    private final BrowserMetrics metrics;
    private final ExecutorService thread;

    // Slot thread only.
    private Playwright playwright;
    private Browser browser;

    private volatile ProcessHandle driver;
    private volatile boolean up;
    private volatile boolean killed;

    BrowserSlot(int id, BrowserConfig config, PageRenderer renderer, BrowserMetrics metrics) {
        this.id = id;
        this.config = config;
        this.renderer = renderer;
        this.metrics = metrics;
        this.thread =
                Executors.newSingleThreadExecutor(
                        r -> {
                            Thread t = new Thread(r, "browser-slot-" + id);
                            t.setDaemon(true);
                            return t;
                        });
    }

    /** Starts the browser on the slot thread; completes when it is up (or failed to start). */
    CompletableFuture<Void> start() {
        return CompletableFuture.runAsync(this::ensureBrowser, thread);
    }

    /** Whether this slot's browser process is running (no Playwright call: any thread). */
    boolean isUp() {
        ProcessHandle d = driver;
        // Without a known driver (not found at spawn), the disconnected event is all there is.
        return up && !killed && (d == null || d.isAlive() && d.children().findAny().isPresent());
    }

    CompletableFuture<RenderResult> render(
            RenderRequest request, long deadlineNanos, long startNanos) {
        return CompletableFuture.supplyAsync(
                () -> renderOnThread(request, deadlineNanos, startNanos), thread);
    }

    private RenderResult renderOnThread(
            RenderRequest request, long deadlineNanos, long startNanos) {
        ensureBrowser();
        try {
            PageRenderer.Outcome outcome =
                    renderer.renderAndClose(browser, request, deadlineNanos, startNanos);
            if (outcome.browserDirty()) {
                LOG.warn("event=browser_replaced slot={} reason=context_not_closed", id);
                replace("dirty");
            }
            if (outcome.failure() != null) {
                throw outcome.failure();
            }
            return outcome.page();
        } catch (RenderFailure e) {
            throw e;
        } catch (PlaywrightException e) {
            if (browser.isConnected() && !PageRenderer.isClosed(e)) {
                // Not the page's fault and not a crash: still an answer, never a 500.
                throw new RenderFailure(ErrorCode.NAVIGATION_FAILED, PageRenderer.shortMessage(e));
            }
            LOG.warn("event=browser_crashed slot={} during=render", id);
            replace("crashed");
            throw new RenderFailure(
                    ErrorCode.BROWSER_CRASHED, "the browser died during the render; replaced");
        } catch (RuntimeException e) {
            // Playwright's client broke on what the page did: this session is not to be trusted.
            LOG.warn(
                    "event=browser_replaced slot={} reason=client_error error={}",
                    id,
                    e.toString());
            replace("dirty");
            throw new RenderFailure(
                    ErrorCode.NAVIGATION_FAILED, "the page broke the browser session; replaced");
        }
    }

    /** Launches or replaces the browser unless it is connected and its process alive. */
    private void ensureBrowser() {
        if (browser != null && browser.isConnected() && isUp()) {
            return;
        }
        if (browser != null) {
            LOG.warn("event=browser_crashed slot={} during=idle", id);
            replace("crashed");
        } else {
            launch();
        }
    }

    private void replace(String reason) {
        up = false;
        closeQuietly();
        if (killed) {
            // The watchdog gave up on this slot and started another: no browser for it again.
            throw new RenderFailure(ErrorCode.TIMEOUT, "the render did not finish in time");
        }
        metrics.restarted(reason);
        launch();
    }

    private void launch() {
        synchronized (DRIVER_SPAWN) {
            Set<Long> before = childPids();
            playwright =
                    Playwright.create(
                            new Playwright.CreateOptions()
                                    .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
            Set<ProcessHandle> spawned =
                    ProcessHandle.current()
                            .children()
                            .filter(p -> !before.contains(p.pid()))
                            .filter(BrowserSlot::isDriver)
                            .collect(Collectors.toSet());
            driver = spawned.size() == 1 ? spawned.iterator().next() : null;
        }
        try {
            browser =
                    playwright
                            .chromium()
                            .launch(
                                    new BrowserType.LaunchOptions()
                                            .setExecutablePath(config.chromiumPath())
                                            .setArgs(config.chromiumArgs())
                                            .setHeadless(true));
        } catch (RuntimeException e) {
            closeQuietly(); // no driver without a browser; the next render tries again
            throw e;
        }
        browser.onDisconnected(b -> up = false);
        up = true;
        LOG.info("event=browser_started slot={}", id);
    }

    /** Playwright's driver: its bundled node running the playwright CLI. */
    private static boolean isDriver(ProcessHandle p) {
        String command = p.info().command().orElse("");
        String[] args = p.info().arguments().orElse(new String[0]);
        return command.contains("playwright")
                || java.util.Arrays.asList(args).contains("run-driver");
    }

    private static Set<Long> childPids() {
        Set<Long> pids = new HashSet<>();
        ProcessHandle.current().children().forEach(p -> pids.add(p.pid()));
        return pids;
    }

    /**
     * The watchdog: kills the driver and its browsers (any thread). A Playwright call stuck on the
     * slot thread then fails with a closed connection; the slot is not used again.
     */
    void kill() {
        killed = true;
        up = false;
        ProcessHandle d = driver;
        if (d != null) {
            d.descendants().forEach(ProcessHandle::destroyForcibly);
            d.destroyForcibly();
        }
        thread.submit(this::closeQuietly);
        thread.shutdown();
    }

    /** Stops the browser and the driver; waits for the render in progress to end first. */
    void close() {
        thread.submit(this::closeQuietly);
        thread.shutdown();
        try {
            if (!thread.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
    }

    private void closeQuietly() {
        up = false;
        if (playwright != null) {
            try {
                playwright.close();
            } catch (RuntimeException e) {
                // the driver is gone already
            }
        }
        ProcessHandle d = driver;
        if (d != null && d.isAlive()) {
            d.descendants().forEach(ProcessHandle::destroyForcibly);
            d.destroyForcibly();
        }
        playwright = null;
        browser = null;
        driver = null;
    }
}
