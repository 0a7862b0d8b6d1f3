package dev.flinkwatch.api.feeds;

import com.rometools.rome.feed.atom.Content;
import com.rometools.rome.feed.atom.Entry;
import com.rometools.rome.feed.atom.Feed;
import com.rometools.rome.feed.atom.Link;
import com.rometools.rome.feed.atom.Person;
import com.rometools.rome.io.FeedException;
import com.rometools.rome.io.WireFeedOutput;
import dev.flinkwatch.api.history.AlertView;
import dev.flinkwatch.extraction.TextSanitizer;
import dev.flinkwatch.model.AlertKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;

/**
 * An Atom 1.0 document of alerts, newest first, for feed readers. Each entry links to the change in
 * the web app ({@code /app/monitors/{monitorId}#check-{checkId}}) and sums it up as plain text: the
 * reason (the rule's or the LLM's) and the first lines of the diff. Text goes through {@link
 * TextSanitizer} (XML 1.0 cannot carry most control characters or lone surrogates). Nothing secret
 * goes in: no source URL (its query may hold credentials), no delivery details, not the feed's own
 * token URL.
 */
public final class AlertFeed {
    public static final String CONTENT_TYPE = "application/atom+xml; charset=utf-8";

    /** Diff lines quoted in an entry's summary; the link shows the whole change. */
    static final int SUMMARY_DIFF_LINES = 20;

    /** Bound of an entry's summary (the stored diff alone may be 8 KiB). */
    static final int MAX_SUMMARY_CHARS = 4_000;

    private AlertFeed() {}

    /**
     * What the feed is of.
     *
     * @param id the feed's id (stable: readers use it to recognize the feed)
     * @param title its title
     * @param link the web app page the feed belongs to (absolute)
     * @param emptySince the feed's updated time while it has no entries (its creation)
     */
    public record Head(UUID id, String title, String link, Instant emptySince) {}

    /**
     * The feed document (XML declaring UTF-8).
     *
     * @param origin scheme, host and port that links start with ({@code https://example.org})
     * @param alerts newest first
     */
    public static String render(Head head, String origin, List<AlertView> alerts) {
        Feed feed = new Feed("atom_1.0");
        feed.setId("urn:uuid:" + head.id());
        feed.setTitle(TextSanitizer.clean(head.title()));
        feed.setAlternateLinks(List.of(link(head.link())));
        Person author = new Person();
        author.setName("Flinkwatch");
        feed.setAuthors(List.of(author));
        Instant updated = alerts.isEmpty() ? head.emptySince() : alerts.get(0).detectedAt();
        feed.setUpdated(Date.from(updated));
        List<Entry> entries = new ArrayList<>();
        for (AlertView alert : alerts) {
            entries.add(entry(origin, alert));
        }
        feed.setEntries(entries);
        try {
            return new WireFeedOutput().outputString(feed);
        } catch (FeedException e) {
            throw new IllegalStateException("the Atom feed could not be written", e);
        }
    }

    private static Entry entry(String origin, AlertView alert) {
        Entry entry = new Entry();
        entry.setId("urn:flinkwatch:alert:" + TextSanitizer.clean(alert.id()));
        entry.setTitle(TextSanitizer.clean(alert.monitorName() + ": " + label(alert.kind())));
        entry.setAlternateLinks(List.of(link(changeLink(origin, alert))));
        entry.setUpdated(Date.from(alert.detectedAt()));
        entry.setPublished(Date.from(alert.detectedAt()));
        Content summary = new Content();
        summary.setType(Content.TEXT);
        summary.setValue(summary(alert));
        entry.setSummary(summary);
        return entry;
    }

    /** Where the web app shows the change: the monitor's history, at the check that raised it. */
    public static String changeLink(String origin, AlertView alert) {
        String page = origin + "/app/monitors/" + alert.monitorId();
        return alert.checkId() == null ? page : page + "#check-" + alert.checkId();
    }

    static String summary(AlertView alert) {
        StringBuilder sb = new StringBuilder(alert.reason());
        if (alert.diff() != null && !alert.diff().isBlank()) {
            String[] lines = alert.diff().split("\n", SUMMARY_DIFF_LINES + 1);
            sb.append("\n\n");
            for (int i = 0; i < Math.min(lines.length, SUMMARY_DIFF_LINES); i++) {
                sb.append(lines[i]).append('\n');
            }
            if (lines.length > SUMMARY_DIFF_LINES) {
                sb.append("…\n");
            }
        }
        String text = TextSanitizer.clean(sb.toString().strip());
        return text.length() <= MAX_SUMMARY_CHARS
                ? text
                : TextSanitizer.truncate(text, MAX_SUMMARY_CHARS - 1) + "…";
    }

    static String label(AlertKind kind) {
        return switch (kind) {
            case CONDITION_MET -> "condition met";
            case MONITOR_FAILING -> "failing";
            case MONITOR_RECOVERED -> "recovered";
            case LLM_BUDGET_EXCEEDED -> "LLM budget used up";
        };
    }

    private static Link link(String href) {
        Link link = new Link();
        link.setRel("alternate");
        link.setType("text/html");
        link.setHref(href);
        return link;
    }
}
