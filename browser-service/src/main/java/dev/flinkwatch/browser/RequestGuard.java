package dev.flinkwatch.browser;

import dev.flinkwatch.fetch.SsrfGuard;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The SSRF decision for one URL a page wants: the fetcher's {@link SsrfGuard}, waited for on the
 * calling (slot) thread. Thread-safe: one instance serves every slot. Refusal messages come from
 * the guard, which never names the address a host resolved to.
 */
final class RequestGuard {
    /** Schemes the browser serves from memory: nothing leaves the process. */
    private static final Set<String> LOCAL_SCHEMES = Set.of("data", "blob", "about");

    /** Why a URL is not fetched; {@code blocked} for a policy refusal, false for a DNS failure. */
    record Refusal(boolean blocked, String message) {}

    private final SsrfGuard guard;
    private final Duration maxWait;

    /**
     * @param maxWait longest wait for a verdict (DNS included); the guard's own lookup timeout is
     *     shorter
     */
    RequestGuard(SsrfGuard guard, Duration maxWait) {
        this.guard = guard;
        this.maxWait = maxWait;
    }

    /** Empty when the URL may be requested. */
    Optional<Refusal> check(String url) {
        int colon = url.indexOf(':');
        String scheme = colon < 0 ? "" : url.substring(0, colon).toLowerCase(Locale.ROOT);
        if (LOCAL_SCHEMES.contains(scheme)) {
            return Optional.empty();
        }
        URI uri = origin(url);
        if (uri == null) {
            return Optional.of(new Refusal(true, "not a valid http(s) URL"));
        }
        try {
            guard.check(uri).get(maxWait.toMillis(), TimeUnit.MILLISECONDS);
            return Optional.empty();
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return Optional.of(new Refusal(SsrfGuard.isRefusal(cause), cause.getMessage()));
        } catch (TimeoutException e) {
            return Optional.of(new Refusal(false, "resolving " + uri.getHost() + " took too long"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of(new Refusal(false, "interrupted"));
        }
    }

    /**
     * Scheme, host and port of a URL as the browser sends it: all the guard looks at. Parsed
     * leniently ({@link URL}): browsers leave characters such as '|' unescaped that {@link URI}
     * refuses.
     */
    private static URI origin(String url) {
        try {
            URL u = new URL(url);
            return new URI(u.getProtocol(), null, u.getHost(), u.getPort(), null, null, null);
        } catch (MalformedURLException | URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }

    /** The absolute target of a redirect's Location header, or null when it is not a URL. */
    static String redirectTarget(String from, String location) {
        try {
            return new URI(from).resolve(location.trim()).toString();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }
}
