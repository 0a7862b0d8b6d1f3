package dev.flinkwatch.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the page-data message the way the system message tells the model to: the token announced in
 * the header, the BEGIN/END lines with that token, quoted page lines in between. Asserts the
 * framing holds: one BEGIN and one END line, nothing after END, and every line inside is either a
 * quoted page line or one of our two section headings.
 */
record PageDataBlock(String token, List<String> pageLines) {
    private static final List<String> HEADINGS =
            List.of("CHANGES SINCE THE PREVIOUS CHECK:", "CURRENT CONTENT:");

    static PageDataBlock parse(String message) {
        List<String> lines = Arrays.asList(message.split("\n", -1));
        String header = lines.get(0);
        String marker = "after the line \"BEGIN PAGE DATA ";
        int at = header.indexOf(marker);
        assertThat(at).as("header announces the token").isPositive();
        String token =
                header.substring(at + marker.length(), header.indexOf('"', at + marker.length()));
        assertThat(token).matches("[0-9a-f]{24}");
        assertThat(lines).filteredOn(l -> l.equals("BEGIN PAGE DATA " + token)).hasSize(1);
        assertThat(lines).filteredOn(l -> l.equals("END PAGE DATA " + token)).hasSize(1);
        assertThat(lines.get(1)).isEqualTo("BEGIN PAGE DATA " + token);
        assertThat(lines.get(lines.size() - 1)).isEqualTo("END PAGE DATA " + token);
        List<String> page = new ArrayList<>();
        for (String line : lines.subList(2, lines.size() - 1)) {
            if (HEADINGS.contains(line)) {
                continue;
            }
            assertThat(line).as("page text inside the block is quoted").startsWith("| ");
            page.add(line.substring(2));
        }
        assertThat(String.join("\n", lines.subList(2, lines.size() - 1)))
                .as("the page cannot contain the frame's token")
                .doesNotContain(token);
        return new PageDataBlock(token, page);
    }
}
