package dev.flinkwatch.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims due deliveries and runs their attempts, at most {@code maxInFlight} at once and at most
 * {@code maxInFlightPerReceiver} per receiver host: a saturated receiver's rows are skipped in the
 * claim itself, so a hanging receiver holds its few slots and everyone else keeps flowing. Outcomes
 * are written on a small JDBC pool, never on the HTTP client's I/O threads.
 *
 * <p>A channel row is sent with the channel's settings as they are at the attempt (read once per
 * round): a deleted or disabled channel's deliveries fail without an attempt. A 410 Gone disables
 * the channel at once; a channel whose attempts have all failed for longer than the retry window
 * (so at least one alert was given up on) is disabled too, and the tenant gets a notice.
 */
final class Dispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    private final DeliveryStore store;
    private final ChannelStore channels;
    private final WebhookSecrets secrets;
    private final ChannelSenders senders;
    private final DeliveryConfig config;
    private final DeliveryMetrics metrics;
    private final Duration lease;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Map<String, AtomicInteger> perReceiver = new ConcurrentHashMap<>();
    private final ExecutorService writers = Executors.newFixedThreadPool(4, daemon("delivery-db"));
    private final Thread loop;
    private final Object wake = new Object();
    private volatile boolean running = true;

    Dispatcher(
            DeliveryStore store,
            WebhookSecrets secrets,
            ChannelSenders senders,
            DeliveryConfig config,
            DeliveryMetrics metrics) {
        this.store = store;
        this.channels = store.channels();
        this.secrets = secrets;
        this.senders = senders;
        this.config = config;
        this.metrics = metrics;
        this.lease = lease(config);
        this.loop = daemon("delivery-dispatcher").newThread(this::run);
    }

    /**
     * Longer than any attempt can take, so a live attempt's row is never claimed twice: an HTTP
     * attempt ends within the request timeout; an email within the connect timeout plus a few SMTP
     * exchanges (greeting, envelope, data, end), each bounded by the SMTP timeout.
     */
    static Duration lease(DeliveryConfig config) {
        Duration email =
                config.smtp().connectTimeout().plus(config.smtp().timeout().multipliedBy(4));
        Duration longest =
                email.compareTo(config.requestTimeout()) > 0 ? email : config.requestTimeout();
        return longest.multipliedBy(2).plusSeconds(10);
    }

    void start() {
        loop.start();
    }

    /** Look for due work now (new rows were queued). */
    void wakeUp() {
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    private void run() {
        while (running) {
            try {
                int claimed = round();
                if (claimed == 0) {
                    synchronized (wake) {
                        wake.wait(config.pollInterval().toMillis());
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                LOG.warn("event=delivery_round_failed error={}", e.toString());
                sleepQuietly(config.pollInterval().toMillis());
            }
        }
    }

    private int round() throws Exception {
        int free = config.maxInFlight() - inFlight.get();
        if (free <= 0) {
            return 0;
        }
        Set<String> saturated = new HashSet<>();
        perReceiver.forEach(
                (receiver, n) -> {
                    if (n.get() >= config.maxInFlightPerReceiver()) {
                        saturated.add(receiver);
                    }
                });
        List<DeliveryStore.Claimed> rows = store.claim(Math.min(free, 100), saturated, lease);
        Map<UUID, ChannelStore.Channel> byId =
                channels.byIds(
                        rows.stream()
                                .map(DeliveryStore.Claimed::channelId)
                                .filter(Objects::nonNull)
                                .collect(Collectors.toSet()));
        // One secrets lookup per tenant and round: a rotation is seen from the next round on.
        Map<UUID, List<String>> signing = new HashMap<>();
        for (DeliveryStore.Claimed row : rows) {
            ChannelStore.Channel channel =
                    row.channelId() == null ? null : byId.get(row.channelId());
            if (row.channelId() != null && !usable(channel, row)) {
                writers.execute(() -> channelGone(row, channel));
                continue;
            }
            AtomicInteger forReceiver =
                    perReceiver.computeIfAbsent(row.receiver(), r -> new AtomicInteger());
            if (forReceiver.get() >= config.maxInFlightPerReceiver()) {
                // Claimed together with siblings of the same receiver: try it in the next round.
                store.release(row.id());
                continue;
            }
            forReceiver.incrementAndGet();
            inFlight.incrementAndGet();
            attempt(row, channel, signing)
                    .whenCompleteAsync(
                            (result, error) -> {
                                try {
                                    record(row, channel, result);
                                } finally {
                                    forReceiver.decrementAndGet();
                                    inFlight.decrementAndGet();
                                    wakeUp();
                                }
                            },
                            writers);
        }
        return rows.size();
    }

    private static boolean usable(ChannelStore.Channel channel, DeliveryStore.Claimed row) {
        return channel != null && channel.enabled() && channel.tenantId().equals(row.tenantId());
    }

    /** A channel row whose channel was deleted or disabled after the alert was queued. */
    private void channelGone(DeliveryStore.Claimed row, ChannelStore.Channel channel) {
        String why =
                channel == null || !channel.tenantId().equals(row.tenantId())
                        ? "the channel was deleted"
                        : "the channel is disabled";
        try {
            store.failed(row.id(), null, DeliveryError.CHANNEL_DISABLED, why);
            metrics.failed(channel == null ? null : channel.type());
            LOG.info(
                    "event=delivery_skipped monitorId={} alertId={} channelId={} reason={}",
                    row.monitorId(),
                    row.alertKey(),
                    row.channelId(),
                    why);
        } catch (Exception e) {
            // The lease expires and the row is looked at again.
            LOG.warn(
                    "event=delivery_record_failed monitorId={} alertId={} error={}",
                    row.monitorId(),
                    row.alertKey(),
                    e.toString());
        }
    }

    private CompletableFuture<AttemptResult> attempt(
            DeliveryStore.Claimed row,
            ChannelStore.Channel channel,
            Map<UUID, List<String>> signing) {
        try {
            ChannelType type = typeOf(channel);
            List<String> tenantSecrets = List.of();
            if (type == ChannelType.WEBHOOK) {
                tenantSecrets = signing.get(row.tenantId());
                if (tenantSecrets == null) {
                    tenantSecrets = secrets.signingSecrets(row.tenantId());
                    signing.put(row.tenantId(), tenantSecrets);
                }
            }
            ChannelSettings settings =
                    channel == null ? ChannelSettings.ofUrl(row.targetUrl()) : channel.settings();
            return senders.send(type, settings, row.payload(), row.alertKey(), tenantSecrets);
        } catch (Exception e) {
            return CompletableFuture.completedFuture(
                    AttemptResult.failed(DeliveryError.CONNECTION_ERROR, e.toString()));
        }
    }

    /** A legacy row (no channel) is a webhook to its own URL. */
    private static ChannelType typeOf(ChannelStore.Channel channel) {
        return channel == null ? ChannelType.WEBHOOK : channel.type();
    }

    private void record(
            DeliveryStore.Claimed row, ChannelStore.Channel channel, AttemptResult result) {
        try {
            if (result.delivered()) {
                store.delivered(row.id(), result.httpStatus());
                if (channel != null && channel.failingSince() != null) {
                    channels.succeeded(channel.id());
                }
                metrics.delivered(typeOf(channel));
                LOG.info(
                        "event=delivered monitorId={} alertId={} attempts={} http={}",
                        row.monitorId(),
                        row.alertKey(),
                        row.attempts(),
                        result.httpStatus());
                return;
            }
            Optional<Instant> next =
                    result.error().retryable()
                            ? config.retry()
                                    .next(
                                            row.attempts(),
                                            Instant.now(),
                                            row.deliverBy(),
                                            result.retryAfter(),
                                            ThreadLocalRandom.current()::nextDouble)
                            : Optional.empty();
            if (next.isPresent()) {
                store.retryAt(row.id(), next.get(), result);
                metrics.retried(typeOf(channel));
                LOG.info(
                        "event=delivery_retry monitorId={} alertId={} attempts={} error={}",
                        row.monitorId(),
                        row.alertKey(),
                        row.attempts(),
                        result.error());
            } else {
                DeliveryError error =
                        result.error().retryable() ? DeliveryError.WINDOW_EXPIRED : result.error();
                String message =
                        error == DeliveryError.WINDOW_EXPIRED
                                ? "gave up after "
                                        + row.attempts()
                                        + " attempts, last: "
                                        + DeliveryStore.errorText(result.error(), result.message())
                                : result.message();
                store.failed(row.id(), result.httpStatus(), error, message);
                metrics.failed(typeOf(channel));
                LOG.warn(
                        "event=delivery_failed monitorId={} alertId={} attempts={} error={}",
                        row.monitorId(),
                        row.alertKey(),
                        row.attempts(),
                        error);
            }
            if (channel != null) {
                channelFailed(row, channel, result);
            }
        } catch (Exception e) {
            // The lease expires and the row is tried again: at-least-once, never lost.
            LOG.warn(
                    "event=delivery_record_failed monitorId={} alertId={} error={}",
                    row.monitorId(),
                    row.alertKey(),
                    e.toString());
        }
    }

    /**
     * Keeps a channel's failure run: a 410 disables it at once, a run longer than the retry window
     * disables it too (every alert of that window was given up on).
     */
    private void channelFailed(
            DeliveryStore.Claimed row, ChannelStore.Channel channel, AttemptResult result)
            throws Exception {
        String reason = null;
        if (result.error() == DeliveryError.GONE) {
            reason = "the receiver answered 410 Gone";
        } else if (channel.failingSince() == null) {
            channels.failed(channel.id(), Instant.now());
        } else if (channel.failingSince().plus(config.retry().window()).isBefore(Instant.now())) {
            reason =
                    "every delivery failed since "
                            + channel.failingSince()
                            + ", last: "
                            + DeliveryStore.errorText(result.error(), result.message());
        }
        if (reason != null && store.disableChannel(row.tenantId(), channel.id(), reason)) {
            metrics.channelDisabled();
            LOG.warn(
                    "event=channel_disabled monitorId={} channelId={} tenantId={} error={}",
                    row.monitorId(),
                    channel.id(),
                    row.tenantId(),
                    result.error());
        }
    }

    /** Stops claiming, lets the attempts in flight end (each is bounded by the request timeout). */
    @Override
    public void close() throws InterruptedException {
        running = false;
        loop.interrupt();
        loop.join(10_000);
        long deadline = System.nanoTime() + lease.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        writers.shutdown();
        writers.awaitTermination(10, TimeUnit.SECONDS);
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
