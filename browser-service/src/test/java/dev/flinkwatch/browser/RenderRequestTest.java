package dev.flinkwatch.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RenderRequestTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final BrowserConfig CONFIG = BrowserConfig.defaults();

    private static RenderRequest parse(String json) throws Exception {
        return RenderRequest.parse(JSON.readTree(json), CONFIG);
    }

    private static void assertField(String json, String field) {
        JsonNode body;
        try {
            body = JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertThatThrownBy(() -> RenderRequest.parse(body, CONFIG))
                .isInstanceOfSatisfying(
                        RenderFailure.class,
                        f -> {
                            assertThat(f.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
                            assertThat(f.fields()).containsKey(field);
                        });
    }

    @Test
    void defaultsComeFromTheConfig() throws Exception {
        RenderRequest r = parse("{\"url\": \"https://shop.example/a?b=1\"}");

        assertThat(r.url().toString()).isEqualTo("https://shop.example/a?b=1");
        assertThat(r.waitFor()).isEqualTo(new RenderRequest.WaitFor.Load());
        assertThat(r.timeout()).isEqualTo(CONFIG.defaultTimeout());
        assertThat(r.screenshot()).isFalse();
    }

    @Test
    void readsEveryField() throws Exception {
        RenderRequest r =
                parse(
                        "{\"url\": \"http://a.example/\", \"waitFor\": {\"selector\": \"#p\"},"
                                + " \"timeoutMs\": 1500, \"screenshot\": true}");

        assertThat(r.waitFor()).isEqualTo(new RenderRequest.WaitFor.Selector("#p"));
        assertThat(r.timeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(r.screenshot()).isTrue();
        assertThat(
                        parse("{\"url\": \"http://a.example/\", \"waitFor\": \"networkidle\"}")
                                .waitFor())
                .isEqualTo(new RenderRequest.WaitFor.NetworkIdle());
    }

    @Test
    void namesTheBadField() {
        assertField("[]", "body");
        assertField("{}", "url");
        assertField("{\"url\": 5}", "url");
        assertField("{\"url\": \"file:///etc/passwd\"}", "url");
        assertField("{\"url\": \"javascript:alert(1)\"}", "url");
        assertField("{\"url\": \"http://\"}", "url");
        assertField("{\"url\": \"http://a b/\"}", "url");
        assertField("{\"url\": \"http://a.example/\", \"waitFor\": \"soon\"}", "waitFor");
        assertField(
                "{\"url\": \"http://a.example/\", \"waitFor\": {\"selector\": \"\"}}", "waitFor");
        assertField(
                "{\"url\": \"http://a.example/\", \"waitFor\": {\"xpath\": \"//a\"}}", "waitFor");
        assertField("{\"url\": \"http://a.example/\", \"timeoutMs\": 0}", "timeoutMs");
        assertField("{\"url\": \"http://a.example/\", \"timeoutMs\": 1.5}", "timeoutMs");
        assertField("{\"url\": \"http://a.example/\", \"timeoutMs\": \"5\"}", "timeoutMs");
        assertField(
                "{\"url\": \"http://a.example/\", \"timeoutMs\": "
                        + (CONFIG.maxTimeout().toMillis() + 1)
                        + "}",
                "timeoutMs");
        assertField("{\"url\": \"http://a.example/\", \"screenshot\": \"yes\"}", "screenshot");
        assertField("{\"url\": \"http://a.example/\", \"cookies\": []}", "cookies");
        assertField("{\"url\": \"http://a.example/" + "x".repeat(9000) + "\"}", "url");
    }
}
