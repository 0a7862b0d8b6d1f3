package dev.flinkwatch.delivery;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters of one delivery instance: alerts taken from the topic, attempt outcomes in total and per
 * channel type, channels disabled. {@link #bindTo} exports them as {@code
 * flinkwatch_deliveries_total{outcome, channel_type}}, {@code
 * flinkwatch_delivery_alerts_queued_total} and {@code flinkwatch_delivery_channels_disabled_total}.
 */
public final class DeliveryMetrics {
    /** What an attempt (or a delivery given up without one) ended with. */
    public enum Outcome {
        DELIVERED,
        RETRIED,
        FAILED
    }

    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong channelsDisabled = new AtomicLong();
    private final Map<Outcome, AtomicLong> total = new EnumMap<>(Outcome.class);
    private final Map<ChannelType, Map<Outcome, AtomicLong>> perType =
            new EnumMap<>(ChannelType.class);

    public DeliveryMetrics() {
        for (Outcome outcome : Outcome.values()) {
            total.put(outcome, new AtomicLong());
        }
        for (ChannelType type : ChannelType.values()) {
            Map<Outcome, AtomicLong> counters = new EnumMap<>(Outcome.class);
            for (Outcome outcome : Outcome.values()) {
                counters.put(outcome, new AtomicLong());
            }
            perType.put(type, counters);
        }
    }

    void queued(int n) {
        queued.addAndGet(n);
    }

    void delivered(ChannelType type) {
        add(type, Outcome.DELIVERED);
    }

    void retried(ChannelType type) {
        add(type, Outcome.RETRIED);
    }

    /** {@code type} is null when the channel is gone. */
    void failed(ChannelType type) {
        add(type, Outcome.FAILED);
    }

    void channelDisabled() {
        channelsDisabled.incrementAndGet();
    }

    private void add(ChannelType type, Outcome outcome) {
        total.get(outcome).incrementAndGet();
        if (type != null) {
            perType.get(type).get(outcome).incrementAndGet();
        }
    }

    public long queuedCount() {
        return queued.get();
    }

    public long deliveredCount() {
        return total.get(Outcome.DELIVERED).get();
    }

    public long retriedCount() {
        return total.get(Outcome.RETRIED).get();
    }

    public long failedCount() {
        return total.get(Outcome.FAILED).get();
    }

    /** Attempts of one channel type that ended with {@code outcome}. */
    public long count(ChannelType type, Outcome outcome) {
        return perType.get(type).get(outcome).get();
    }

    public long channelsDisabledCount() {
        return channelsDisabled.get();
    }

    /** Exports the counters into a Micrometer registry (the embedder's /metrics). */
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("flinkwatch.delivery.alerts.queued", queued, AtomicLong::get)
                .description("alerts taken from the alerts topic for delivery")
                .register(registry);
        FunctionCounter.builder(
                        "flinkwatch.delivery.channels.disabled", channelsDisabled, AtomicLong::get)
                .description("channels disabled after 410 Gone or a long failure run")
                .register(registry);
        perType.forEach(
                (type, counters) ->
                        counters.forEach(
                                (outcome, count) ->
                                        FunctionCounter.builder(
                                                        "flinkwatch.deliveries",
                                                        count,
                                                        AtomicLong::get)
                                                .description(
                                                        "delivery attempts per outcome and channel"
                                                                + " type")
                                                .tag(
                                                        "outcome",
                                                        outcome.name().toLowerCase(Locale.ROOT))
                                                .tag("channel_type", type.jsonName())
                                                .register(registry)));
    }
}
