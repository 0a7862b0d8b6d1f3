package dev.flinkwatch.testing;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's headless Chromium ({@code /usr/bin/chromium}; {@code .ci/run} installs it) for browser
 * tests: {@link #flags} for one-shot command-line runs ({@code --dump-dom}, {@code --screenshot}),
 * and, for pages that need clicks and typing (the Flink dashboard's metric picker), a session
 * driven over the DevTools protocol on a loopback port: real mouse and keyboard events, JavaScript
 * for reading the page, screenshots.
 */
public final class HeadlessChromium implements AutoCloseable {
    public static final Path EXECUTABLE = Path.of("/usr/bin/chromium");
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    /** The flags this offline machine needs, with the profile in {@code profile}. */
    public static List<String> flags(Path profile) {
        return List.of(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile);
    }

    /** Starts Chromium with one blank page of {@code width} x {@code height} to drive. */
    public static HeadlessChromium start(Path profile, int width, int height) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(EXECUTABLE.toString());
        command.addAll(flags(profile));
        command.addAll(
                List.of(
                        "--remote-debugging-address=127.0.0.1",
                        "--remote-debugging-port=0",
                        "--window-size=" + width + "," + height,
                        "about:blank"));
        Process process =
                new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String browser = browserEndpoint(process);
            URI http = URI.create(browser.replaceFirst("^ws", "http")).resolve("/json/list");
            HttpClient client = HttpClient.newHttpClient();
            JsonNode targets =
                    JSON.readTree(
                            client.send(
                                            HttpRequest.newBuilder(http).build(),
                                            HttpResponse.BodyHandlers.ofString())
                                    .body());
            String page = null;
            for (JsonNode t : targets) {
                if ("page".equals(t.path("type").asText())) {
                    page = t.path("webSocketDebuggerUrl").asText();
                }
            }
            if (page == null) {
                throw new IllegalStateException("chromium has no page target: " + targets);
            }
            return new HeadlessChromium(process, client, URI.create(page));
        } catch (Exception e) {
            process.destroyForcibly();
            throw e;
        }
    }

    private static String browserEndpoint(Process process) throws IOException {
        BufferedReader err =
                new BufferedReader(
                        new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
        List<String> seen = new ArrayList<>();
        for (String line; (line = err.readLine()) != null; ) {
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                // keep draining stderr, or a chatty browser blocks on a full pipe
                Thread drain =
                        new Thread(
                                () -> {
                                    try {
                                        while (err.readLine() != null) {}
                                    } catch (IOException ignored) {
                                        // the browser is gone
                                    }
                                },
                                "chromium-stderr");
                drain.setDaemon(true);
                drain.start();
                return m.group(1);
            }
            seen.add(line);
        }
        throw new IllegalStateException("chromium exited before listening: " + seen);
    }

    private HeadlessChromium(Process process, HttpClient client, URI page) throws Exception {
        this.process = process;
        this.socket =
                client.newWebSocketBuilder()
                        .buildAsync(page, new Listener())
                        .get(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Opens the URL and waits for its load event. */
    public void navigate(String url) throws Exception {
        send("Page.enable", Map.of());
        send("Page.navigate", Map.of("url", url));
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> "complete".equals(evaluate("document.readyState").asText()));
    }

    /** The value of a JavaScript expression (JSON-serializable), evaluated in the page. */
    public JsonNode evaluate(String expression) throws Exception {
        JsonNode result =
                send(
                        "Runtime.evaluate",
                        Map.of(
                                "expression",
                                expression,
                                "returnByValue",
                                true,
                                "awaitPromise",
                                true));
        if (result.has("exceptionDetails")) {
            throw new IllegalStateException(
                    "script failed: " + expression + ": " + result.get("exceptionDetails"));
        }
        return result.path("result").path("value");
    }

    /** Waits until an element matches the CSS selector and is visible. */
    public void awaitVisible(String selector) {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> box(selector) != null);
    }

    /** Whether an element matches the CSS selector and is visible now. */
    public boolean isVisible(String selector) throws Exception {
        return box(selector) != null;
    }

    /** A trusted mouse click in the middle of the first visible element the selector matches. */
    public void click(String selector) throws Exception {
        awaitVisible(selector);
        double[] xy = box(selector);
        for (String type : List.of("mouseMoved", "mousePressed", "mouseReleased")) {
            send(
                    "Input.dispatchMouseEvent",
                    Map.of(
                            "type",
                            type,
                            "x",
                            xy[0],
                            "y",
                            xy[1],
                            "button",
                            "left",
                            "clickCount",
                            1));
        }
    }

    /**
     * Clicks (from script) every element matching the selector whose text is {@code text}: for
     * toggles repeated per item, where a trusted click per element would need its coordinates.
     *
     * @return how many were clicked
     */
    public int clickAll(String selector, String text) throws Exception {
        return evaluate(
                        "(() => { let n = 0; for (const e of document.querySelectorAll("
                                + JSON.writeValueAsString(selector)
                                + ")) { if (e.textContent.trim() === "
                                + JSON.writeValueAsString(text)
                                + ") { e.click(); n++; } } return n; })()")
                .asInt();
    }

    /** Types text into the focused element, as the keyboard would. */
    public void type(String text) throws Exception {
        send("Input.insertText", Map.of("text", text));
    }

    /** Saves a PNG of the page as it is shown now. */
    public void screenshot(Path file) throws Exception {
        JsonNode shot = send("Page.captureScreenshot", Map.of("format", "png"));
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, Base64.getDecoder().decode(shot.path("data").asText()));
    }

    private double[] box(String selector) throws Exception {
        JsonNode r =
                evaluate(
                        "(() => { for (const e of document.querySelectorAll("
                                + JSON.writeValueAsString(selector)
                                + ")) { const b = e.getBoundingClientRect();"
                                + " if (b.width > 0 && b.height > 0) return [b.x + b.width / 2,"
                                + " b.y + b.height / 2]; } return null; })()");
        return r.isArray() ? new double[] {r.get(0).asDouble(), r.get(1).asDouble()} : null;
    }

    private JsonNode send(String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        ObjectNode message = JSON.createObjectNode();
        message.put("id", id);
        message.put("method", method);
        message.set("params", JSON.valueToTree(params));
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        socket.sendText(JSON.writeValueAsString(message), true)
                .get(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        JsonNode answer = reply.get(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (answer.has("error")) {
            throw new IllegalStateException(method + " failed: " + answer.get("error"));
        }
        return answer.path("result");
    }

    @Override
    public void close() throws Exception {
        socket.abort();
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Collects (possibly fragmented) replies and completes the command they answer. */
    private final class Listener implements WebSocket.Listener {
        private final StringBuilder parts = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            parts.append(data);
            if (last) {
                try {
                    JsonNode message = JSON.readTree(parts.toString());
                    CompletableFuture<JsonNode> reply =
                            message.has("id") ? pending.remove(message.get("id").asInt()) : null;
                    if (reply != null) {
                        reply.complete(message);
                    }
                } catch (IOException e) {
                    pending.values().forEach(f -> f.completeExceptionally(e));
                }
                parts.setLength(0);
            }
            ws.request(1);
            return null;
        }
    }
}
