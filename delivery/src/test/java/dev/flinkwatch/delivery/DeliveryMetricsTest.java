package dev.flinkwatch.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class DeliveryMetricsTest {
    @Test
    void countsAreExportedPerOutcomeAndChannelType() {
        DeliveryMetrics metrics = new DeliveryMetrics();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        metrics.bindTo(registry);
        metrics.queued(3);
        metrics.delivered(ChannelType.WEBHOOK);
        metrics.delivered(ChannelType.WEBHOOK);
        metrics.retried(ChannelType.WEBHOOK);
        metrics.failed(ChannelType.WEBHOOK);
        metrics.delivered(ChannelType.SLACK);
        metrics.failed(null); // a channel deleted before its delivery: counted in the total only
        metrics.channelDisabled();

        assertThat(deliveries(registry, "delivered")).isEqualTo(2);
        assertThat(deliveries(registry, "retried")).isEqualTo(1);
        assertThat(deliveries(registry, "failed")).isEqualTo(1);
        assertThat(registry.get("flinkwatch.delivery.alerts.queued").functionCounter().count())
                .isEqualTo(3);
        assertThat(
                        registry.get("flinkwatch.deliveries")
                                .tag("outcome", "delivered")
                                .tag("channel_type", "slack")
                                .functionCounter()
                                .count())
                .isEqualTo(1);
        assertThat(metrics.failedCount()).isEqualTo(2);
        assertThat(registry.get("flinkwatch.delivery.channels.disabled").functionCounter().count())
                .isEqualTo(1);
    }

    private static double deliveries(SimpleMeterRegistry registry, String outcome) {
        return registry.get("flinkwatch.deliveries")
                .tag("outcome", outcome)
                .tag("channel_type", "webhook")
                .functionCounter()
                .count();
    }
}
