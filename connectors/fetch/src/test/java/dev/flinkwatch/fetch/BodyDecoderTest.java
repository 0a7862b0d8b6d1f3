package dev.flinkwatch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BodyDecoderTest {
    private static final Charset SJIS = Charset.forName("Shift_JIS");

    @Test
    void aByteOrderMarkWinsOverTheHeader() {
        byte[] text = "<p>é</p>".getBytes(StandardCharsets.UTF_8);
        byte[] withBom = new byte[text.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(text, 0, withBom, 3, text.length);

        BodyDecoder.Decoded d = BodyDecoder.decode(withBom, "text/html; charset=iso-8859-1");

        assertThat(d.text()).isEqualTo("<p>é</p>");
        assertThat(d.charset()).isEqualTo(StandardCharsets.UTF_8);
    }

    @Test
    void utf16BomIsHonoured() {
        byte[] be = "\uFEFFhi ü".getBytes(StandardCharsets.UTF_16BE);

        assertThat(BodyDecoder.decode(be, null).text()).isEqualTo("hi ü");
    }

    @Test
    void headerCharsetBeatsTheMetaTag() {
        String html = "<meta charset=\"utf-8\"><p>日本</p>";

        assertThat(
                        BodyDecoder.decode(html.getBytes(SJIS), "text/html;charset=\"Shift_JIS\"")
                                .text())
                .isEqualTo(html);
    }

    @Test
    void readsXmlDeclarations() {
        String xml = "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><p>価格</p>";

        assertThat(BodyDecoder.decode(xml.getBytes(SJIS), "application/xml").text()).isEqualTo(xml);
    }

    @Test
    void declarationsAreFoundInAnyCaseWithinTheFirstKilobyteOnly() {
        String upper = "<META CHARSET=\"Shift_JIS\"><p>価格</p>";
        String mixed =
                "<meta http-equiv=\"Content-Type\" content=\"text/html; ChArSeT=Shift_JIS\">価";
        String late = "<p>" + "x".repeat(1024) + "</p><meta charset=\"Shift_JIS\"><p>価格</p>";

        assertThat(BodyDecoder.decode(upper.getBytes(SJIS), "text/html").text()).isEqualTo(upper);
        assertThat(BodyDecoder.decode(mixed.getBytes(SJIS), "text/html").text()).isEqualTo(mixed);
        assertThat(BodyDecoder.decode(late.getBytes(SJIS), "text/html").charset().name())
                .isEqualTo("windows-1252");
        assertThat(
                        BodyDecoder.containsAscii(
                                "xCHARSE".getBytes(StandardCharsets.US_ASCII), 7, "charset"))
                .isFalse();
        assertThat(
                        BodyDecoder.containsAscii(
                                "charsetx".getBytes(StandardCharsets.US_ASCII), 7, "charset"))
                .isTrue();
        assertThat(BodyDecoder.containsAscii(new byte[] {(byte) 0xC3, 'C'}, 2, "charset"))
                .isFalse();
        // The skip search must not jump over a match that starts inside a partial one.
        byte[] overlapping = "chacharsETcharset".getBytes(StandardCharsets.US_ASCII);
        assertThat(BodyDecoder.containsAscii(overlapping, 10, "charset")).isTrue();
        assertThat(BodyDecoder.containsAscii(overlapping, 9, "charset")).isFalse();
        assertThat(
                        BodyDecoder.containsAscii(
                                "encodinENCODING".getBytes(StandardCharsets.US_ASCII),
                                15,
                                "encoding"))
                .isTrue();
    }

    @Test
    void latin1LabelsMeanWindows1252LikeBrowsers() {
        byte[] euro = {'5', ' ', (byte) 0x80};

        BodyDecoder.Decoded d = BodyDecoder.decode(euro, "text/plain; charset=ISO-8859-1");

        assertThat(d.text()).isEqualTo("5 €");
        assertThat(d.charset().name()).isEqualTo("windows-1252");
    }

    @Test
    void unlabelledBytesAreUtf8WhenValidElseWindows1252() {
        assertThat(
                        BodyDecoder.decode("façade".getBytes(StandardCharsets.UTF_8), "text/html")
                                .text())
                .isEqualTo("façade");
        assertThat(BodyDecoder.decode("façade".getBytes(StandardCharsets.ISO_8859_1), null).text())
                .isEqualTo("façade");
    }

    @Test
    void aMetaTagClaimingUtf16MeansUtf8() {
        String html = "<meta charset=\"utf-16\"><p>ö</p>";

        assertThat(BodyDecoder.decode(html.getBytes(StandardCharsets.UTF_8), "text/html").text())
                .isEqualTo(html);
    }

    @Test
    void garbageNeverThrows() {
        byte[] garbage = {(byte) 0xFF, (byte) 0xFE, (byte) 0xFD, 0x00, (byte) 0xC3};

        assertThat(BodyDecoder.decode(garbage, "text/html; charset=\"\"").text()).isNotNull();
        assertThat(BodyDecoder.decode(garbage, "text/html; charset=x-unknown-42").text())
                .isNotNull();
        assertThat(BodyDecoder.decode(new byte[0], null).text()).isEmpty();
    }
}
