package dev.flinkwatch.browser;

import com.microsoft.playwright.APIResponse;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.PlaywrightException;
import com.microsoft.playwright.Request;
import com.microsoft.playwright.Response;
import com.microsoft.playwright.Route;
import com.microsoft.playwright.TimeoutError;
import com.microsoft.playwright.options.ScreenshotType;
import com.microsoft.playwright.options.ServiceWorkerPolicy;
import com.microsoft.playwright.options.WaitUntilState;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Renders one page in a fresh {@link BrowserContext} (no cookies, storage or cache shared with any
 * other render) of the given browser. Runs on the browser's slot thread: Playwright objects are not
 * thread-safe.
 *
 * <p>Every HTTP request of the page (document, redirect hops, scripts, XHR/fetch, iframes, images)
 * goes through {@link #onRoute}: refused types are aborted, the URL is checked by the SSRF guard,
 * and allowed requests are re-issued by Playwright with redirects off, so each {@code Location} is
 * checked before the browser may follow it. WebSockets are closed without connecting; service
 * workers (which bypass interception) are blocked.
 */
final class PageRenderer {
    private static final Set<String> HEAVY_TYPES = Set.of("image", "font", "media");
    private static final int MAX_MESSAGE = 300;

    private final BrowserConfig config;
    private final RequestGuard guard;
    private final BrowserMetrics metrics;

    PageRenderer(BrowserConfig config, RequestGuard guard, BrowserMetrics metrics) {
        this.config = config;
        this.guard = guard;
        this.metrics = metrics;
    }

    /** What went wrong with the main document inside the route handler, read after navigation. */
    private static final class DocumentState {
        RenderFailure failure;
        int redirects;
    }

    /**
     * A render's page (or null when it failed) and whether its context could not be closed cleanly:
     * then the browser may hold the context's leftovers and is replaced.
     */
    record Outcome(RenderResult page, RenderFailure failure, boolean browserDirty) {}

    /**
     * Renders and closes the context; never throws for page-caused problems.
     *
     * @throws PlaywrightException when the browser itself failed (the caller decides: crash)
     */
    Outcome renderAndClose(
            Browser browser, RenderRequest request, long deadlineNanos, long startNanos) {
        BrowserContext context =
                browser.newContext(
                        new Browser.NewContextOptions()
                                .setServiceWorkers(ServiceWorkerPolicy.BLOCK)
                                .setAcceptDownloads(false)
                                .setViewportSize(config.viewportWidth(), 800));
        RenderResult page = null;
        RenderFailure failure = null;
        RuntimeException error = null;
        try {
            page = render(context, request, deadlineNanos, startNanos);
        } catch (RenderFailure e) {
            failure = e;
        } catch (RuntimeException e) {
            error = e;
        }
        boolean dirty = false;
        try {
            context.close();
        } catch (PlaywrightException e) {
            // the browser is gone; the slot notices before its next render
        } catch (RuntimeException e) {
            // Playwright's own event handling failed on what the page did: the context may live
            // on inside the browser.
            dirty = true;
        }
        if (error != null) {
            throw error;
        }
        return new Outcome(page, failure, dirty);
    }

    /**
     * @param deadlineNanos {@link System#nanoTime()} by which the render must be done
     * @throws RenderFailure for every page-caused problem
     * @throws PlaywrightException when the browser itself failed (the caller decides: crash)
     */
    private RenderResult render(
            BrowserContext context, RenderRequest request, long deadlineNanos, long startNanos) {
        boolean loadImages = request.screenshot() && config.screenshotImages();
        {
            double timeout = remainingMs(deadlineNanos);
            context.setDefaultTimeout(timeout);
            context.setDefaultNavigationTimeout(timeout);
            DocumentState document = new DocumentState();
            context.route(
                    url -> true, route -> onRoute(route, document, loadImages, deadlineNanos));
            context.routeWebSocket(
                    url -> true,
                    // Never connected to a server: the page talks to nothing. Not closed by us
                    // either: Playwright 1.57's client fails on the close event that follows.
                    ws -> metrics.blocked("websocket"));
            Page page = context.newPage();
            boolean[] crashed = {false};
            page.onCrash(p -> crashed[0] = true);
            Response response = navigate(page, request, document, deadlineNanos);
            if (request.waitFor() instanceof RenderRequest.WaitFor.Selector selector) {
                waitForSelector(page, selector.css(), deadlineNanos);
            }
            String html = page.content();
            boolean truncated = html.length() > config.maxHtmlChars();
            if (truncated) {
                int end = config.maxHtmlChars();
                if (Character.isHighSurrogate(html.charAt(end - 1))) {
                    end--;
                }
                html = html.substring(0, end);
            }
            String shot = null;
            String omitted = null;
            if (request.screenshot()) {
                shot = screenshot(page);
                omitted = shot == null ? "too_large" : null;
            }
            if (crashed[0]) {
                throw new RenderFailure(ErrorCode.BROWSER_CRASHED, "the page's renderer crashed");
            }
            return new RenderResult(
                    response == null ? 200 : response.status(),
                    page.url(),
                    html,
                    truncated,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
                    shot,
                    omitted);
        }
    }

    private Response navigate(
            Page page, RenderRequest request, DocumentState document, long deadlineNanos) {
        WaitUntilState until =
                request.waitFor() instanceof RenderRequest.WaitFor.NetworkIdle
                        ? WaitUntilState.NETWORKIDLE
                        : WaitUntilState.LOAD;
        try {
            return page.navigate(
                    request.url().toString(),
                    new Page.NavigateOptions()
                            .setWaitUntil(until)
                            .setTimeout(remainingMs(deadlineNanos)));
        } catch (TimeoutError e) {
            throw timeout();
        } catch (PlaywrightException e) {
            if (document.failure != null) {
                throw document.failure;
            }
            if (isClosed(e)) {
                throw e;
            }
            throw new RenderFailure(ErrorCode.NAVIGATION_FAILED, shortMessage(e));
        }
    }

    private void waitForSelector(Page page, String css, long deadlineNanos) {
        try {
            page.waitForSelector(
                    css, new Page.WaitForSelectorOptions().setTimeout(remainingMs(deadlineNanos)));
        } catch (TimeoutError e) {
            throw timeout();
        } catch (PlaywrightException e) {
            if (isClosed(e)) {
                throw e;
            }
            // Most likely a selector the engine cannot parse: the caller's input.
            throw RenderFailure.invalid("waitFor.selector", shortMessage(e));
        }
    }

    private void onRoute(
            Route route, DocumentState document, boolean loadImages, long deadlineNanos) {
        Request request = route.request();
        String type = request.resourceType();
        if (HEAVY_TYPES.contains(type) && !(loadImages && type.equals("image"))) {
            route.abort("blockedbyclient");
            return;
        }
        boolean mainDocument =
                request.isNavigationRequest() && request.frame().parentFrame() == null;
        String url = request.url();
        if (refused(url, mainDocument, document)) {
            route.abort("blockedbyclient");
            return;
        }
        APIResponse response;
        try {
            response =
                    route.fetch(
                            new Route.FetchOptions()
                                    .setMaxRedirects(0)
                                    .setTimeout(remainingMs(deadlineNanos)));
        } catch (PlaywrightException e) {
            if (mainDocument && document.failure == null) {
                document.failure =
                        e instanceof TimeoutError || remainingMs(deadlineNanos) <= 1
                                ? timeout()
                                : new RenderFailure(ErrorCode.NAVIGATION_FAILED, shortMessage(e));
            }
            abortQuietly(route);
            return;
        }
        int status = response.status();
        if (status >= 300 && status < 400 && response.headers().containsKey("location")) {
            String target = RequestGuard.redirectTarget(url, response.headers().get("location"));
            // Checked here, before the browser sees the hop, whether or not it routes the hop
            // again.
            if (target == null || refused(target, mainDocument, document)) {
                abortQuietly(route);
                return;
            }
            if (mainDocument && ++document.redirects > config.maxRedirects()) {
                document.failure =
                        new RenderFailure(
                                ErrorCode.NAVIGATION_FAILED,
                                "more than " + config.maxRedirects() + " redirects");
                abortQuietly(route);
                return;
            }
        }
        try {
            route.fulfill(new Route.FulfillOptions().setResponse(response));
        } finally {
            // The driver keeps every fetched body until disposed: free it now, not at context
            // close.
            response.dispose();
        }
    }

    private boolean refused(String url, boolean mainDocument, DocumentState document) {
        Optional<RequestGuard.Refusal> refusal = guard.check(url);
        if (refusal.isEmpty()) {
            return false;
        }
        if (refusal.get().blocked()) {
            metrics.blocked("ssrf");
        }
        if (mainDocument && document.failure == null) {
            document.failure =
                    new RenderFailure(
                            refusal.get().blocked()
                                    ? ErrorCode.BLOCKED_ADDRESS
                                    : ErrorCode.NAVIGATION_FAILED,
                            refusal.get().message());
        }
        return true;
    }

    /** A JPEG of the page from the top, or null when even the smaller retake is too large. */
    private String screenshot(Page page) {
        Object height = page.evaluate("() => document.documentElement.scrollHeight");
        double h = height instanceof Number n ? n.doubleValue() : 800;
        h = Math.max(1, Math.min(h, config.screenshotMaxHeight()));
        int quality = config.screenshotQuality();
        for (int attempt = 0; attempt < 2; attempt++) {
            byte[] jpeg =
                    page.screenshot(
                            new Page.ScreenshotOptions()
                                    .setType(ScreenshotType.JPEG)
                                    .setQuality(quality)
                                    .setFullPage(true)
                                    .setClip(0, 0, config.viewportWidth(), h));
            if (jpeg.length <= config.screenshotMaxBytes()) {
                return Base64.getEncoder().encodeToString(jpeg);
            }
            quality = Math.max(1, quality / 2);
        }
        return null;
    }

    private static void abortQuietly(Route route) {
        try {
            route.abort("blockedbyclient");
        } catch (PlaywrightException e) {
            // the page is gone already
        }
    }

    static boolean isClosed(PlaywrightException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("has been closed")
                || m.contains("Browser closed")
                || m.contains("Target crashed")
                || m.contains("connection closed");
    }

    private static RenderFailure timeout() {
        return new RenderFailure(ErrorCode.TIMEOUT, "the render did not finish in time");
    }

    private static double remainingMs(long deadlineNanos) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }

    /** The first line of Playwright's message (the rest is its call log), bounded. */
    static String shortMessage(PlaywrightException e) {
        String m = String.valueOf(e.getMessage()).strip();
        int nl = m.indexOf('\n');
        if (nl > 0) {
            m = m.substring(0, nl);
        }
        return m.length() > MAX_MESSAGE ? m.substring(0, MAX_MESSAGE) : m;
    }
}
