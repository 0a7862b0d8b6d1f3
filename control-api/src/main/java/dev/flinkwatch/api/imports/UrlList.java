package dev.flinkwatch.api.imports;

import java.util.ArrayList;
import java.util.List;

/**
 * A plain URL list: one page per line, {@code URL [name]} (the name is the rest of the line after
 * whitespace); blank lines and lines starting with {@code #} are skipped.
 */
final class UrlList {
    private UrlList() {}

    /**
     * One listed page.
     *
     * @param line 1-based line number in the text
     * @param name null when the line has none
     */
    record Entry(int line, String url, String name) {}

    static List<Entry> parse(String text) {
        List<Entry> entries = new ArrayList<>();
        String[] lines = text.split("\r\n|\r|\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (i == 0 && line.startsWith("\uFEFF")) {
                line = line.substring(1).strip();
            }
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+", 2);
            entries.add(new Entry(i + 1, parts[0], parts.length > 1 ? parts[1] : null));
        }
        return entries;
    }
}
