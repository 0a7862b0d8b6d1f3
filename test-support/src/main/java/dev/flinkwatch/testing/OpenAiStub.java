package dev.flinkwatch.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A local OpenAI-compatible server ({@code POST /v1/chat/completions}) over real HTTP, for tests of
 * code that uses the real openai-java client. Answers come from a FIFO script first, then from a
 * default answerer; every request body is recorded.
 */
public final class OpenAiStub implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor;
    private final ConcurrentLinkedQueue<Reply> script = new ConcurrentLinkedQueue<>();
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private final AtomicLong ids = new AtomicLong();
    private volatile Function<JsonNode, Reply> answerer =
            request -> verdict(false, "no answer scripted", null);

    private OpenAiStub(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    public static OpenAiStub start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
            ExecutorService executor =
                    Executors.newCachedThreadPool(
                            r -> {
                                Thread t = new Thread(r, "openai-stub");
                                t.setDaemon(true);
                                return t;
                            });
            OpenAiStub stub = new OpenAiStub(server, executor);
            server.createContext("/v1/chat/completions", stub::handle);
            server.setExecutor(executor);
            server.start();
            return stub;
        } catch (IOException e) {
            throw new IllegalStateException("OpenAI stub did not start", e);
        }
    }

    /** The base URL to configure clients with, e.g. {@code http://127.0.0.1:1234/v1}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** Queues replies, used in order before the default answerer. */
    public OpenAiStub enqueue(Reply... replies) {
        script.addAll(List.of(replies));
        return this;
    }

    /** Sets how requests are answered once the script is empty. */
    public OpenAiStub answerWith(Function<JsonNode, Reply> answerer) {
        this.answerer = answerer;
        return this;
    }

    /** Every request body received so far, in arrival order. */
    public List<JsonNode> requests() {
        return new ArrayList<>(requests);
    }

    public void clear() {
        script.clear();
        requests.clear();
    }

    /** The text of every message of a recorded request, joined, for assertions. */
    public static String messagesText(JsonNode request) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode message : request.path("messages")) {
            sb.append(message.path("role").asText())
                    .append(": ")
                    .append(message.path("content").asText())
                    .append('\n');
        }
        return sb.toString();
    }

    /** A chat completion whose content is the verdict JSON the evaluator asks for. */
    public static Reply verdict(boolean triggered, String reason, String value) {
        ObjectNode content = JSON.createObjectNode();
        content.put("triggered", triggered);
        content.put("reason", reason);
        if (value == null) {
            content.putNull("value");
        } else {
            content.put("value", value);
        }
        return completion(content.toString());
    }

    /** A successful chat completion with arbitrary assistant content (e.g. malformed JSON). */
    public static Reply completion(String content) {
        return new Reply(200, Map.of(), null, content, Duration.ZERO);
    }

    /** An HTTP error with optional headers (e.g. Retry-After) and an OpenAI-style error body. */
    public static Reply error(int status, Map<String, String> headers) {
        String body =
                "{\"error\":{\"message\":\"stub error "
                        + status
                        + "\",\"type\":\"server_error\",\"code\":null}}";
        return new Reply(status, headers, body, null, Duration.ZERO);
    }

    /**
     * A scripted reply.
     *
     * @param status HTTP status
     * @param headers extra response headers
     * @param rawBody a literal body (errors); null to build a chat completion from {@code content}
     * @param content assistant message content of a chat completion
     * @param delay how long to wait before answering
     */
    public record Reply(
            int status,
            Map<String, String> headers,
            String rawBody,
            String content,
            Duration delay) {
        public Reply after(Duration newDelay) {
            return new Reply(status, headers, rawBody, content, newDelay);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonNode request = JSON.readTree(exchange.getRequestBody());
            requests.add(request);
            Reply reply = script.poll();
            if (reply == null) {
                reply = answerer.apply(request);
            }
            if (!reply.delay().isZero()) {
                Thread.sleep(reply.delay().toMillis());
            }
            String body =
                    reply.rawBody() != null ? reply.rawBody() : completionBody(request, reply);
            reply.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            LocalSite.send(exchange, reply.status(), body.getBytes(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // client gave up (timeout); nothing to answer
        }
    }

    private String completionBody(JsonNode request, Reply reply) {
        ObjectNode root = JSON.createObjectNode();
        root.put("id", "chatcmpl-stub-" + ids.incrementAndGet());
        root.put("object", "chat.completion");
        root.put("created", System.currentTimeMillis() / 1000);
        root.put("model", request.path("model").asText("stub-model"));
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        choice.put("finish_reason", "stop");
        choice.putNull("logprobs");
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", reply.content());
        message.putNull("refusal");
        int promptTokens = Math.max(1, request.toString().length() / 4);
        int completionTokens = Math.max(1, reply.content().length() / 4);
        ObjectNode usage = root.putObject("usage");
        usage.put("prompt_tokens", promptTokens);
        usage.put("completion_tokens", completionTokens);
        usage.put("total_tokens", promptTokens + completionTokens);
        return root.toString();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
