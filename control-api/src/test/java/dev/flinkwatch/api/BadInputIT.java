package dev.flinkwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flinkwatch.api.ApiHarness.Response;
import dev.flinkwatch.api.ApiHarness.Tenant;
import dev.flinkwatch.model.ModelCodec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed and hostile requests, each with the status, error code and error field it must get.
 * Requests that are odd but valid (SQL-looking or exotic Unicode text) must be stored verbatim.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputIT {
    private static final String MONITORS = "/v1/monitors";

    private ApiHarness harness;
    private Tenant tenant;
    private String existingMonitor;

    @BeforeAll
    void start() {
        harness = ApiHarness.start();
        tenant = harness.createTenant("Hostile Input Tester");
        existingMonitor =
                harness.createMonitor(
                                tenant, ApiHarness.monitorBody("target", "https://t.example/"))
                        .get("id")
                        .asText();
    }

    @AfterAll
    void stop() {
        harness.close();
    }

    /**
     * One request and what it must get.
     *
     * @param name what is wrong with it
     * @param method HTTP method
     * @param path path and query
     * @param contentType Content-Type header, or null for none
     * @param body the body, or null for none
     * @param chunked send the body without Content-Length
     * @param auth send the tenant's key
     * @param status expected status
     * @param code expected error code, null for a success
     * @param field expected key in error.fields, or null when the error names no field
     */
    record Case(
            String name,
            String method,
            String path,
            String contentType,
            String body,
            boolean chunked,
            boolean auth,
            int status,
            String code,
            String field) {
        @Override
        public String toString() {
            return name + " -> " + status + (field == null ? "" : " " + field);
        }
    }

    static Stream<Case> cases() {
        List<Case> c = new ArrayList<>();
        // Malformed documents
        c.add(
                post(
                        "truncated JSON",
                        "{\"name\": \"x\", \"sources\": [",
                        400,
                        "malformed_json",
                        "sources"));
        c.add(post("empty body", "", 400, "malformed_json", "$"));
        c.add(post("JSON null", "null", 400, "malformed_json", "$"));
        c.add(post("array instead of object", "[]", 400, "malformed_json", "$"));
        c.add(post("string instead of object", "\"monitor\"", 400, "malformed_json", "$"));
        c.add(post("trailing garbage", valid().toString() + " {}", 400, "malformed_json", "$"));
        c.add(
                post(
                        "duplicate key",
                        "{\"name\": \"a\", \"name\": \"b\"}",
                        400,
                        "malformed_json",
                        "$"));
        c.add(post("single quotes", "{'name': 'x'}", 400, "malformed_json", "$"));
        c.add(post("comments", "{/* hi */ \"name\": \"x\"}", 400, "malformed_json", "$"));
        c.add(
                post(
                        "deeply nested arrays",
                        "{\"extra\": " + "[".repeat(5000) + "]".repeat(5000) + "}",
                        400,
                        "malformed_json",
                        null));
        c.add(post("invalid UTF-8 bytes", "{\"name\": \"\\xff\"}", 400, "malformed_json", "name"));
        // Wrong types
        c.add(post("name is a number", with("name", 5), 400, "validation_failed", "name"));
        c.add(
                post(
                        "name is an object",
                        with("name", Map.of("first", "x")),
                        400,
                        "validation_failed",
                        "name"));
        c.add(
                post(
                        "interval as string",
                        with("intervalSeconds", "300"),
                        400,
                        "validation_failed",
                        "intervalSeconds"));
        c.add(
                post(
                        "interval as float",
                        with("intervalSeconds", 300.5),
                        400,
                        "validation_failed",
                        "intervalSeconds"));
        c.add(
                post(
                        "interval overflows int",
                        valid().toString().replace("300", "99999999999"),
                        400,
                        "validation_failed",
                        "intervalSeconds"));
        c.add(
                post(
                        "sources is a string",
                        with("sources", "https://x.example"),
                        400,
                        "validation_failed",
                        "sources"));
        c.add(
                post(
                        "ignoreCase is a string",
                        with(
                                "condition",
                                Map.of("type", "contains", "text", "x", "ignoreCase", "yes")),
                        400,
                        "validation_failed",
                        "condition.ignoreCase"));
        c.add(
                post(
                        "condition value is a string",
                        with("condition", Map.of("type", "number", "op", "<", "value", "fifty")),
                        400,
                        "validation_failed",
                        "condition.value"));
        // Missing and out-of-range fields
        c.add(post("missing name", without("name"), 400, "validation_failed", "name"));
        c.add(post("blank name", with("name", "   "), 400, "validation_failed", "name"));
        c.add(
                post(
                        "name too long",
                        with("name", "n".repeat(201)),
                        400,
                        "validation_failed",
                        "name"));
        c.add(post("missing sources", without("sources"), 400, "validation_failed", "sources"));
        c.add(
                post(
                        "empty sources",
                        with("sources", List.of()),
                        400,
                        "validation_failed",
                        "sources"));
        c.add(
                post(
                        "21 sources",
                        with("sources", manySources(21)),
                        400,
                        "validation_failed",
                        "sources"));
        c.add(
                post(
                        "missing interval",
                        without("intervalSeconds"),
                        400,
                        "validation_failed",
                        "intervalSeconds"));
        c.add(
                post(
                        "negative interval",
                        with("intervalSeconds", -300),
                        400,
                        "validation_failed",
                        "intervalSeconds"));
        c.add(
                post(
                        "interval under the floor",
                        with("intervalSeconds", 59),
                        400,
                        "validation_failed",
                        "intervalSeconds"));
        c.add(
                post(
                        "interval over 7 days",
                        with("intervalSeconds", 604801),
                        400,
                        "validation_failed",
                        "intervalSeconds"));
        c.add(
                post(
                        "missing condition",
                        without("condition"),
                        400,
                        "validation_failed",
                        "condition"));
        c.add(
                post(
                        "unknown condition type",
                        with("condition", Map.of("type", "magic")),
                        400,
                        "validation_failed",
                        "condition.type"));
        c.add(
                post(
                        "number without op",
                        with("condition", Map.of("type", "number", "value", 5)),
                        400,
                        "validation_failed",
                        "condition.op"));
        c.add(
                post(
                        "unknown comparison",
                        with("condition", Map.of("type", "number", "op", "=~", "value", 5)),
                        400,
                        "validation_failed",
                        "condition.op"));
        c.add(
                post(
                        "infinite threshold",
                        with("condition", Map.of("type", "number", "op", "<", "value", 1))
                                .replace("\"value\":1", "\"value\":1e400"),
                        400,
                        "validation_failed",
                        "condition.value"));
        c.add(
                post(
                        "invalid regex",
                        with("condition", Map.of("type", "regex", "pattern", "(unclosed")),
                        400,
                        "validation_failed",
                        "condition.pattern"));
        c.add(
                post(
                        "field of another condition type",
                        with("condition", Map.of("type", "contains", "text", "x", "pattern", "y")),
                        400,
                        "validation_failed",
                        "condition.pattern"));
        c.add(
                post(
                        "llm prompt too long",
                        with("condition", Map.of("type", "llm", "prompt", "p".repeat(2001))),
                        400,
                        "validation_failed",
                        "condition.prompt"));
        c.add(
                post(
                        "invalid ignore regex",
                        with("ignore", List.of("[")),
                        400,
                        "validation_failed",
                        "ignore[0]"));
        c.add(
                post(
                        "invalid selector",
                        withSource("https://s.example/", "div["),
                        400,
                        "validation_failed",
                        "sources[0].selector"));
        c.add(
                post(
                        "duplicate source URLs",
                        with(
                                "sources",
                                List.of(
                                        Map.of("url", "https://d.example/"),
                                        Map.of("url", "https://d.example/"))),
                        400,
                        "validation_failed",
                        "sources[1].url"));
        // Hostile URLs
        c.add(
                post(
                        "ftp URL",
                        withSource("ftp://files.example/x", null),
                        400,
                        "validation_failed",
                        "sources[0].url"));
        c.add(
                post(
                        "javascript URL",
                        withSource("javascript:alert(1)", null),
                        400,
                        "validation_failed",
                        "sources[0].url"));
        c.add(
                post(
                        "file URL",
                        withSource("file:///etc/passwd", null),
                        400,
                        "validation_failed",
                        "sources[0].url"));
        c.add(
                post(
                        "credentials in URL",
                        withSource("https://user:pw@shop.example/", null),
                        400,
                        "validation_failed",
                        "sources[0].url"));
        c.add(
                post(
                        "loopback IP",
                        withSource("http://127.0.0.1:8080/admin", null),
                        400,
                        "validation_failed",
                        "sources[0].url"));
        c.add(
                post(
                        "cloud metadata IP",
                        withSource("http://169.254.169.254/latest/meta-data/", null),
                        400,
                        "validation_failed",
                        "sources[0].url"));
        c.add(
                post(
                        "private IP",
                        withSource("http://10.1.2.3/", null),
                        400,
                        "validation_failed",
                        "sources[0].url"));
        c.add(
                post(
                        "decimal loopback",
                        withSource("http://2130706433/", null),
                        400,
                        "validation_failed",
                        "sources[0].url"));
        c.add(
                post(
                        "IPv6 loopback",
                        withSource("http://[::1]/", null),
                        400,
                        "validation_failed",
                        "sources[0].url"));
        c.add(
                post(
                        "IPv4-mapped private IPv6",
                        withSource("http://[::ffff:192.168.1.1]/", null),
                        400,
                        "validation_failed",
                        "sources[0].url"));
        c.add(
                post(
                        "localhost",
                        withSource("http://localhost:5432/", null),
                        400,
                        "validation_failed",
                        "sources[0].url"));
        c.add(
                post(
                        "private webhook",
                        with("notify", Map.of("webhookUrl", "http://192.168.0.10/hook")),
                        400,
                        "validation_failed",
                        "notify.webhookUrl"));
        // Text that cannot be stored
        c.add(post("NUL in name", with("name", "a\u0000b"), 400, "validation_failed", "name"));
        c.add(
                post(
                        "lone surrogate in name",
                        valid().toString().replace("\"Widget\"", "\"\\ud800x\""),
                        400,
                        "validation_failed",
                        "name"));
        c.add(
                post(
                        "NUL in condition text",
                        with("condition", Map.of("type", "contains", "text", "in\u0000stock")),
                        400,
                        "validation_failed",
                        "condition.text"));
        // Odd but valid: stored verbatim
        c.add(
                post(
                        "SQL-looking name",
                        with("name", "x'); DROP TABLE monitors; --"),
                        201,
                        null,
                        null));
        c.add(
                post(
                        "Unicode name (emoji, RTL, combining)",
                        with("name", "\uD83D\uDCC8 \u05DE\u05D7\u05D9\u05E8 e\u0301 \u202E"),
                        201,
                        null,
                        null));
        // Size and media type
        c.add(
                post(
                        "body over 64 KiB",
                        with("name", "x".repeat(100 * 1024)),
                        413,
                        "payload_too_large",
                        null));
        c.add(
                new Case(
                        "chunked body over 64 KiB",
                        "POST",
                        MONITORS,
                        "application/json",
                        with("name", "x".repeat(200 * 1024)),
                        true,
                        true,
                        413,
                        "payload_too_large",
                        null));
        c.add(
                new Case(
                        "text/plain body",
                        "POST",
                        MONITORS,
                        "text/plain",
                        valid().toString(),
                        false,
                        true,
                        415,
                        "unsupported_media_type",
                        null));
        c.add(
                new Case(
                        "no content type",
                        "POST",
                        MONITORS,
                        null,
                        valid().toString(),
                        false,
                        true,
                        415,
                        "unsupported_media_type",
                        null));
        c.add(
                new Case(
                        "form encoded",
                        "POST",
                        MONITORS,
                        "application/x-www-form-urlencoded",
                        "name=x",
                        false,
                        true,
                        415,
                        "unsupported_media_type",
                        null));
        // Parameters, paths, methods, auth
        c.add(get("limit zero", MONITORS + "?limit=0", 400, "invalid_parameter", "limit"));
        c.add(
                get(
                        "limit not a number",
                        MONITORS + "?limit=ten",
                        400,
                        "invalid_parameter",
                        "limit"));
        c.add(
                get(
                        "limit too large",
                        MONITORS + "?limit=100000",
                        400,
                        "invalid_parameter",
                        "limit"));
        c.add(
                get(
                        "SQL-looking cursor",
                        MONITORS + "?cursor=" + enc("' OR 1=1 --"),
                        400,
                        "invalid_parameter",
                        "cursor"));
        c.add(
                get(
                        "since not a time",
                        "/v1/alerts?since=yesterday",
                        400,
                        "invalid_parameter",
                        "since"));
        c.add(get("SQL-looking id", MONITORS + "/" + enc("1' OR '1'='1"), 404, "not_found", null));
        c.add(get("id not a UUID", MONITORS + "/12345", 404, "not_found", null));
        c.add(get("unknown route", "/v1/monitorz", 404, "not_found", null));
        c.add(
                new Case(
                        "PATCH not allowed",
                        "PATCH",
                        MONITORS,
                        "application/json",
                        "{}",
                        false,
                        true,
                        405,
                        "method_not_allowed",
                        null));
        c.add(
                new Case(
                        "no API key",
                        "GET",
                        MONITORS,
                        null,
                        null,
                        false,
                        false,
                        401,
                        "unauthorized",
                        null));
        c.add(
                new Case(
                        "tenant create without admin token",
                        "POST",
                        "/v1/tenants",
                        "application/json",
                        "{\"name\": \"x\"}",
                        false,
                        true,
                        401,
                        "unauthorized",
                        null));
        return c.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void answersWithTheExpectedStatusCodeAndField(Case c) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (c.auth()) {
            headers.putAll(tenant.auth());
        }
        if (c.contentType() != null) {
            headers.put("Content-Type", c.contentType());
        }
        String path = c.path().replace("{existing}", existingMonitor);
        HttpRequest.BodyPublisher body;
        if (c.body() == null) {
            body = HttpRequest.BodyPublishers.noBody();
        } else if (c.chunked()) {
            byte[] bytes = c.body().getBytes(StandardCharsets.UTF_8);
            body = HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes));
        } else {
            body = HttpRequest.BodyPublishers.ofByteArray(bytes(c.body()));
        }
        Response r = harness.sendRaw(c.method(), path, headers, body);

        assertThat(r.status()).as(c + ": " + r.body()).isEqualTo(c.status());
        if (c.code() == null) {
            JsonNode sent = json(c.body());
            assertThat(r.json().get("name")).as("stored verbatim").isEqualTo(sent.get("name"));
            assertThat(
                            harness.get(MONITORS + "/" + r.json().get("id").asText(), tenant)
                                    .json()
                                    .get("name"))
                    .isEqualTo(sent.get("name"));
            return;
        }
        assertThat(r.errorCode()).as(c + ": " + r.body()).isEqualTo(c.code());
        assertThat(r.json().at("/error/message").asText()).isNotBlank();
        if (c.field() != null) {
            assertThat(r.errorFields().has(c.field())).as(c + ": " + r.body()).isTrue();
        }
    }

    @Test
    void tableHasAtLeastThirtyCasesAndTheServerIsHealthyAfterwards() {
        assertThat(cases().count()).isGreaterThanOrEqualTo(30);
        assertThat(harness.send("GET", "/readyz", Map.of(), null).status()).isEqualTo(200);
        assertThat(harness.get(MONITORS + "/" + existingMonitor, tenant).status()).isEqualTo(200);
    }

    @Test
    void validationReportsEveryProblemAtOnce() {
        ObjectNode body = valid();
        body.put("name", "");
        body.put("intervalSeconds", 5);
        body.set("sources", ModelCodec.mapper().valueToTree(List.of(Map.of("url", "gopher://x"))));
        Response r = harness.send("POST", MONITORS, tenant.auth(), body.toString());
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorFields().fieldNames())
                .toIterable()
                .containsExactly("name", "sources[0].url", "intervalSeconds");
    }

    private static Case post(String name, String body, int status, String code, String field) {
        return new Case(
                name, "POST", MONITORS, "application/json", body, false, true, status, code, field);
    }

    private static Case get(String name, String path, int status, String code, String field) {
        return new Case(name, "GET", path, null, null, false, true, status, code, field);
    }

    private static ObjectNode valid() {
        return (ObjectNode) json(ApiHarness.monitorBody("Widget", "https://shop.example/w"));
    }

    private static String with(String field, Object value) {
        ObjectNode body = valid();
        body.set(field, ModelCodec.mapper().valueToTree(value));
        return body.toString();
    }

    private static String withSource(String url, String selector) {
        Map<String, String> source = new LinkedHashMap<>();
        source.put("url", url);
        if (selector != null) {
            source.put("selector", selector);
        }
        return with("sources", List.of(source));
    }

    private static String without(String field) {
        ObjectNode body = valid();
        body.remove(field);
        return body.toString();
    }

    private static List<Map<String, String>> manySources(int n) {
        List<Map<String, String>> sources = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sources.add(Map.of("url", "https://many.example/" + i));
        }
        return sources;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The body's bytes; the marker {@code \xff} stands for an invalid UTF-8 byte. */
    private static byte[] bytes(String body) {
        byte[] utf8 = body.getBytes(StandardCharsets.UTF_8);
        String marker = "\\xff";
        int at = body.indexOf(marker);
        if (at < 0) {
            return utf8;
        }
        byte[] prefix = body.substring(0, at).getBytes(StandardCharsets.UTF_8);
        byte[] suffix = body.substring(at + marker.length()).getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[prefix.length + 1 + suffix.length];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        out[prefix.length] = (byte) 0xff;
        System.arraycopy(suffix, 0, out, prefix.length + 1, suffix.length);
        return out;
    }

    private static JsonNode json(String text) {
        try {
            return ModelCodec.mapper().readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
