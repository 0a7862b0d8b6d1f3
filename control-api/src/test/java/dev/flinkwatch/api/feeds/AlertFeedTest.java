package dev.flinkwatch.api.feeds;

import static org.assertj.core.api.Assertions.assertThat;

import com.rometools.rome.feed.synd.SyndEntry;
import com.rometools.rome.feed.synd.SyndFeed;
import com.rometools.rome.io.SyndFeedInput;
import dev.flinkwatch.api.history.AlertView;
import dev.flinkwatch.model.AlertKind;
import java.io.StringReader;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class AlertFeedTest {
    private static final String ORIGIN = "https://flinkwatch.example";
    private static final UUID FEED = UUID.fromString("00000000-0000-0000-0000-0000000000f1");
    private static final UUID MONITOR = UUID.fromString("00000000-0000-0000-0000-0000000000a1");
    private static final Instant CREATED = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void entriesCarryTitleLinkTimesAndAPlainTextSummary() throws Exception {
        AlertView newer =
                alert("k2", AlertKind.CONDITION_MET, 42L, "2026-02-02T10:00:00Z", "price 45 < 50");
        AlertView older =
                alert("k1", AlertKind.MONITOR_FAILING, null, "2026-02-01T10:00:00Z", "timeout");
        SyndFeed feed = parse(AlertFeed.render(head(), ORIGIN, List.of(newer, older)));

        assertThat(feed.getFeedType()).isEqualTo("atom_1.0");
        assertThat(feed.getUri()).isEqualTo("urn:uuid:" + FEED);
        assertThat(feed.getTitle()).isEqualTo("Flinkwatch alerts: Widget <price>");
        assertThat(feed.getPublishedDate().toInstant()).isEqualTo(newer.detectedAt());
        List<SyndEntry> entries = feed.getEntries();
        assertThat(entries)
                .extracting(SyndEntry::getUri)
                .containsExactly("urn:flinkwatch:alert:k2", "urn:flinkwatch:alert:k1");
        SyndEntry first = entries.get(0);
        assertThat(first.getTitle()).isEqualTo("Widget <price>: condition met");
        assertThat(first.getLink()).isEqualTo(ORIGIN + "/app/monitors/" + MONITOR + "#check-42");
        assertThat(first.getUpdatedDate().toInstant()).isEqualTo(newer.detectedAt());
        assertThat(first.getDescription().getType()).isEqualTo("text");
        assertThat(first.getDescription().getValue())
                .isEqualTo("price 45 < 50\n\n- $55 & <b>old</b>\n+ $45");
        // no stored check: the link goes to the monitor's page
        assertThat(entries.get(1).getLink()).isEqualTo(ORIGIN + "/app/monitors/" + MONITOR);
        assertThat(entries.get(1).getTitle()).endsWith(": failing");
    }

    @Test
    void anEmptyFeedIsValidAndDatedByItsCreation() throws Exception {
        SyndFeed feed = parse(AlertFeed.render(head(), ORIGIN, List.of()));
        assertThat(feed.getEntries()).isEmpty();
        assertThat(feed.getPublishedDate().toInstant()).isEqualTo(CREATED);
    }

    @Test
    void controlCharactersAreDroppedAndLongDiffsQuotedInPart() throws Exception {
        String diff =
                IntStream.range(0, 100)
                        .mapToObj(i -> "+ line " + i)
                        .collect(Collectors.joining("\n"));
        AlertView hostile =
                new AlertView(
                        "k\u0001",
                        AlertKind.CONDITION_MET,
                        MONITOR,
                        "bell\u0007 \uD800name",
                        "https://shop.example/?key=secret",
                        Instant.parse("2026-02-02T10:00:00Z"),
                        "reason\u0000 with NUL",
                        "excerpt",
                        diff,
                        7L,
                        Instant.parse("2026-02-02T10:00:01Z"),
                        List.of());
        String xml = AlertFeed.render(head(), ORIGIN, List.of(hostile));
        assertThat(xml).doesNotContain("secret").doesNotContain("shop.example");
        SyndEntry entry = parse(xml).getEntries().get(0);
        assertThat(entry.getTitle()).isEqualTo("bell name: condition met");
        String summary = entry.getDescription().getValue();
        assertThat(summary).startsWith("reason with NUL\n\n+ line 0\n").endsWith("+ line 19\n…");
        assertThat(summary).doesNotContain("line 20");
    }

    @Test
    void summariesAreBounded() {
        String longReason = "r".repeat(10_000);
        AlertView alert =
                new AlertView(
                        "k",
                        AlertKind.CONDITION_MET,
                        MONITOR,
                        "m",
                        "https://a.example",
                        CREATED,
                        longReason,
                        null,
                        null,
                        null,
                        CREATED,
                        List.of());
        assertThat(AlertFeed.summary(alert)).hasSize(AlertFeed.MAX_SUMMARY_CHARS).endsWith("…");
    }

    @Test
    void everyAlertKindHasALabel() {
        for (AlertKind kind : AlertKind.values()) {
            assertThat(AlertFeed.label(kind)).isNotBlank();
        }
    }

    private static AlertFeed.Head head() {
        return new AlertFeed.Head(
                FEED,
                "Flinkwatch alerts: Widget <price>",
                ORIGIN + "/app/monitors/" + MONITOR,
                CREATED);
    }

    private static AlertView alert(
            String key, AlertKind kind, Long checkId, String at, String reason) {
        return new AlertView(
                key,
                kind,
                MONITOR,
                "Widget <price>",
                "https://shop.example/widget?token=s3cret",
                Instant.parse(at),
                reason,
                "Price: $45",
                kind == AlertKind.CONDITION_MET ? "- $55 & <b>old</b>\n+ $45" : null,
                checkId,
                Instant.parse(at).plusSeconds(1),
                List.of());
    }

    private static SyndFeed parse(String xml) throws Exception {
        return new SyndFeedInput().build(new StringReader(xml));
    }
}
