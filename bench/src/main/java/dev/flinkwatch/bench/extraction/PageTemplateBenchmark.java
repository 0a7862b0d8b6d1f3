package dev.flinkwatch.bench.extraction;

import dev.flinkwatch.extraction.PageReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What a page template saves per check, on one thread: microseconds to read a page that differs on
 * every response outside the watched element, parsed every time (templates off) vs reusing its
 * source's template, for the benchmark site's 8.5 KB product page and a 60 KB store page (800 links
 * and images with tracking ids, a JSON-LD block, inline scripts with nonces and timestamps).
 *
 * <pre>bench/run.sh dev.flinkwatch.bench.extraction.PageTemplateBenchmark [pages]</pre>
 */
public final class PageTemplateBenchmark {
    private PageTemplateBenchmark() {}

    public static void main(String[] args) throws IOException {
        int pages = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        List<String> lines = new ArrayList<>();
        lines.add("# PageTemplateBenchmark " + Instant.now() + ", one thread, " + pages + " pages");
        for (String kind : List.of("product-8.5KB", "store-60KB")) {
            double parsed = microsPerPage(kind, pages, 0);
            double reused = microsPerPage(kind, pages, 64L << 20);
            lines.add(
                    String.format(
                            "%-14s selector=#price parsed=%.1f us/page template=%.1f us/page"
                                    + " ratio=%.1fx",
                            kind, parsed, reused, parsed / reused));
        }
        lines.forEach(System.out::println);
        Path out = Path.of("bench/results/page-templates.txt");
        Files.createDirectories(out.getParent());
        Files.write(out, lines, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Median of 5 rounds, the first a warm-up. */
    private static double microsPerPage(String kind, int pages, long templateBytes) {
        PageReader reader =
                new PageReader(
                        256 * 1024,
                        Duration.ofSeconds(1),
                        System::nanoTime,
                        templateBytes,
                        PageReader.TemplateEvents.NONE);
        PageReader.Series series = new PageReader.Series(UUID.randomUUID(), "https://s/" + kind);
        List<Double> rounds = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            String[] bodies = new String[pages];
            for (int i = 0; i < pages; i++) {
                bodies[i] = kind.startsWith("product") ? product() : store();
            }
            long t0 = System.nanoTime();
            for (String body : bodies) {
                PageReader.Read read =
                        reader.read(series, body, "text/html", null, "#price", List.of());
                if (!"$59.99".equals(read.text())) {
                    throw new IllegalStateException("unexpected text " + read.text());
                }
            }
            rounds.add((System.nanoTime() - t0) / 1e3 / pages);
        }
        List<Double> measured = new ArrayList<>(rounds.subList(1, rounds.size()));
        measured.sort(Double::compare);
        return measured.get(measured.size() / 2);
    }

    private static String nonce() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong())
                + Long.toHexString(ThreadLocalRandom.current().nextLong());
    }

    /** The benchmark site's /d/N.html as nginx renders it. */
    static String product() {
        StringBuilder sb =
                new StringBuilder("<!doctype html><html><head><title>Product</title>")
                        .append("<meta name=\"csrf-token\" content=\"")
                        .append(nonce())
                        .append("\"><script>window.session=\"")
                        .append(ThreadLocalRandom.current().nextInt(1000))
                        .append("-1\";window.renderedAt=")
                        .append(System.currentTimeMillis() / 1000.0)
                        .append(";</script></head><body>");
        for (int i = 0; i < 150; i++) {
            sb.append("<p>Line ")
                    .append(i)
                    .append(" of a typical product page with some text.</p>");
        }
        return sb.append("<span id=\"price\">$59.99</span><img src=\"/px.gif?rid=")
                .append(nonce())
                .append("\" width=\"1\" height=\"1\"></body></html>")
                .toString();
    }

    /** A store page: navigation, 400 product tiles with tracked links and images, scripts. */
    static String store() {
        String session = nonce();
        StringBuilder sb =
                new StringBuilder("<!doctype html><html lang=en><head><meta charset=utf-8>")
                        .append("<title>Store</title><meta name=csrf-token content=\"")
                        .append(nonce())
                        .append("\"><link rel=stylesheet href=\"/s.css?v=3\">")
                        .append("<script nonce=\"")
                        .append(nonce())
                        .append("\">window.dataLayer=[{\"session\":\"")
                        .append(session)
                        .append("\",\"ts\":")
                        .append(System.currentTimeMillis())
                        .append("}];</script>")
                        .append("<script type=application/ld+json>{\"@type\":\"Product\",")
                        .append("\"offers\":{\"price\":\"59.99\"}}</script>")
                        .append("<style>.tile{display:inline-block}</style></head><body>")
                        .append("<nav><ul>");
        for (int i = 0; i < 20; i++) {
            sb.append("<li><a href=\"/c/").append(i).append("?sid=").append(session);
            sb.append("\">Category ").append(i).append("</a></li>");
        }
        sb.append("</ul></nav><main><h1>Deals</h1><div class=\"grid\">");
        for (int i = 0; i < 400; i++) {
            sb.append("<div class=\"tile\" data-pos=\"").append(i).append("\">");
            sb.append("<a href=\"/p/").append(i).append("?ref=").append(nonce()).append("\">");
            sb.append("<img src=\"/i/").append(i).append(".jpg\" alt=\"Item ").append(i);
            sb.append("\" loading=lazy></a><span class=name>Item ").append(i);
            sb.append("</span></div>");
        }
        return sb.append("</div><span id=\"price\">$59.99</span></main>")
                .append("<script>track(\"")
                .append(nonce())
                .append("\",")
                .append(System.nanoTime())
                .append(")</script></body></html>")
                .toString();
    }
}
