package dev.flinkwatch.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * One watched URL of a monitor, optionally narrowed to the elements a CSS selector matches.
 *
 * @param url absolute http or https URL
 * @param selector CSS selector (jsoup syntax); null means the readable text of the whole page
 * @param render how the page is read; null means {@link Render#HTTP} (specs from before the field)
 * @param screenshot for browser sources: keep a screenshot with each change; null means no
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Source(String url, String selector, Render render, Boolean screenshot) {
    /** A plain HTTP source. */
    public Source(String url, String selector) {
        this(url, selector, null, null);
    }

    public static Source of(String url) {
        return new Source(url, null);
    }

    /** A source rendered by the browser service, without screenshots. */
    public static Source browser(String url, String selector) {
        return new Source(url, selector, Render.BROWSER, null);
    }

    /** Whether the page is rendered in a browser. */
    public boolean rendered() {
        return render == Render.BROWSER;
    }

    /** Whether a screenshot is kept with each change (browser sources only). */
    public boolean wantsScreenshot() {
        return rendered() && Boolean.TRUE.equals(screenshot);
    }

    /**
     * Whether another version of this source reads its page the same way (same selector and render
     * mode), so the texts the two extract can be compared.
     */
    public boolean readsLike(Source other) {
        return other != null
                && Objects.equals(selector, other.selector)
                && rendered() == other.rendered();
    }
}
