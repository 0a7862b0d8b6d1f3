package dev.flinkwatch.api.monitors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.flinkwatch.api.http.ApiException;
import dev.flinkwatch.api.http.ItemProblem;
import dev.flinkwatch.model.CodecException;
import dev.flinkwatch.model.ModelCodec;
import dev.flinkwatch.model.MonitorSpec;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates many monitors of one tenant at once, all or nothing. Every item goes through {@link
 * MonitorRoutes#newMonitor}, the single create's own preparation, on a small bounded pool (the
 * checks are CPU only: creation resolves no host names, the fetcher checks resolved addresses on
 * every fetch). When any item is bad, the answer lists every problem of every item and nothing is
 * stored; otherwise all monitors and their outbox rows are written in one transaction ({@link
 * MonitorStore#createAll}).
 *
 * <p>With an {@code Idempotency-Key} the monitor ids are derived from (tenant, key, index), so a
 * retried request finds its monitors already stored and gets them back instead of duplicates; a
 * different request under a used key (other names or URLs, fewer or more items) is refused.
 */
public final class BatchCreate implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BatchCreate.class);

    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    static final int MAX_IDEMPOTENCY_KEY_LENGTH = 200;

    /** The preparation of one new monitor: {@link MonitorRoutes#newMonitor}. */
    @FunctionalInterface
    public interface Preparation {
        MonitorSpec newMonitor(MonitorSpec body, UUID id, UUID tenantId);
    }

    /**
     * One item as read from a request: a monitor body, or what made it unreadable.
     *
     * @param problems field path within the item to message; empty when {@code body} is set
     */
    public record Item(MonitorSpec body, Map<String, String> problems) {
        public static Item of(MonitorSpec body) {
            return new Item(body, Map.of());
        }

        public static Item unreadable(String field, String message) {
            return new Item(null, Map.of(field, message));
        }

        /** A JSON element of a request decoded like a single create's body. */
        public static Item fromJson(JsonNode element) {
            if (element == null || !element.isObject()) {
                return unreadable("$", "must be a JSON object");
            }
            try {
                return of(
                        ModelCodec.decodePlain(
                                ModelCodec.mapper().writeValueAsBytes(element), MonitorSpec.class));
            } catch (CodecException e) {
                return unreadable(e.field(), e.getMessage());
            } catch (JsonProcessingException e) {
                return unreadable("$", "must be a JSON object");
            }
        }
    }

    private final MonitorStore store;
    private final Preparation preparation;
    private final Runnable outboxWritten;
    private final int parallelism;
    private final ExecutorService pool;

    /**
     * @param parallelism threads that check items, shared by all concurrent batches
     * @param outboxWritten called after a batch committed its outbox rows
     */
    public BatchCreate(
            MonitorStore store, Preparation preparation, int parallelism, Runnable outboxWritten) {
        this.store = store;
        this.preparation = preparation;
        this.outboxWritten = outboxWritten;
        this.parallelism = Math.max(1, parallelism);
        this.pool =
                Executors.newFixedThreadPool(
                        this.parallelism,
                        r -> {
                            Thread t = new Thread(r, "batch-checks");
                            t.setDaemon(true);
                            return t;
                        });
    }

    /**
     * Checks every item and stores all of them, or none.
     *
     * @param itemsField the request's name for its list of items, used in error paths
     * @param maxItems at most this many items
     * @param idempotencyKey null for none
     * @throws ApiException 400 {@code validation_failed} with every problem of every item
     */
    public MonitorStore.Created create(
            UUID tenantId, String itemsField, List<Item> items, int maxItems, String idempotencyKey)
            throws SQLException {
        requireSize(itemsField, items.size(), maxItems);
        MonitorSpec[] specs = new MonitorSpec[items.size()];
        int chunk = (items.size() + parallelism - 1) / parallelism;
        List<CompletableFuture<List<ItemProblem>>> parts = new ArrayList<>();
        for (int from = 0; from < items.size(); from += chunk) {
            int start = from;
            int end = Math.min(items.size(), from + chunk);
            parts.add(
                    CompletableFuture.supplyAsync(
                            () -> prepare(tenantId, items, start, end, idempotencyKey, specs),
                            pool));
        }
        List<ItemProblem> all =
                parts.stream()
                        .flatMap(part -> part.join().stream())
                        .sorted(Comparator.comparingInt(ItemProblem::index))
                        .toList();
        if (!all.isEmpty()) {
            throw ApiException.itemValidation(itemsField, all);
        }
        MonitorStore.Created created =
                store.createAll(
                        tenantId,
                        List.of(specs),
                        idempotencyKey == null ? null : id(tenantId, idempotencyKey, specs.length));
        if (!created.replayed()) {
            outboxWritten.run();
        }
        LOG.info(
                "event=monitors_batch_created tenantId={} count={} replayed={}",
                tenantId,
                specs.length,
                created.replayed());
        return created;
    }

    /** 400 unless a request has 1 to {@code maxItems} items. */
    public static void requireSize(String itemsField, int size, int maxItems) {
        if (size == 0) {
            throw ApiException.validation(Map.of(itemsField, "must contain at least one monitor"));
        }
        if (size > maxItems) {
            throw ApiException.validation(
                    Map.of(
                            itemsField,
                            "must contain at most "
                                    + maxItems
                                    + " monitors per request, not "
                                    + size));
        }
    }

    private List<ItemProblem> prepare(
            UUID tenantId,
            List<Item> items,
            int start,
            int end,
            String idempotencyKey,
            MonitorSpec[] specs) {
        List<ItemProblem> problems = new ArrayList<>();
        for (int i = start; i < end; i++) {
            Item item = items.get(i);
            int index = i;
            if (item.body() == null) {
                item.problems().forEach((f, m) -> problems.add(new ItemProblem(index, f, m)));
                continue;
            }
            try {
                specs[i] =
                        preparation.newMonitor(
                                item.body(), id(tenantId, idempotencyKey, i), tenantId);
            } catch (ApiException e) {
                if (e.fields().isEmpty()) {
                    problems.add(new ItemProblem(index, "$", e.getMessage()));
                }
                e.fields().forEach((f, m) -> problems.add(new ItemProblem(index, f, m)));
            }
        }
        return problems;
    }

    /** A random id, or with a key the same id for the same item of the same request. */
    static UUID id(UUID tenantId, String idempotencyKey, int index) {
        if (idempotencyKey == null) {
            return UUID.randomUUID();
        }
        return UUID.nameUUIDFromBytes(
                ("flinkwatch-batch\n" + tenantId + "\n" + idempotencyKey + "\n" + index)
                        .getBytes(StandardCharsets.UTF_8));
    }

    /** The request's {@code Idempotency-Key}: null when absent, 400 when unusable. */
    public static String idempotencyKey(Context ctx) {
        String key = ctx.header(IDEMPOTENCY_KEY);
        if (key == null) {
            return null;
        }
        if (key.isEmpty()
                || key.length() > MAX_IDEMPOTENCY_KEY_LENGTH
                || !key.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f)) {
            throw ApiException.invalidParameter(
                    IDEMPOTENCY_KEY,
                    "must be 1 to " + MAX_IDEMPOTENCY_KEY_LENGTH + " visible ASCII characters");
        }
        return key;
    }

    @Override
    public void close() {
        pool.shutdown();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
