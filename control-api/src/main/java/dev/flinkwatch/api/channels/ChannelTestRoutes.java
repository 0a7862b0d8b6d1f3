package dev.flinkwatch.api.channels;

import dev.flinkwatch.api.http.Access;
import dev.flinkwatch.api.http.ApiException;
import dev.flinkwatch.api.http.Caller;
import dev.flinkwatch.api.http.Json;
import dev.flinkwatch.api.http.Route;
import dev.flinkwatch.delivery.AlertMessageContext;
import dev.flinkwatch.delivery.AttemptResult;
import dev.flinkwatch.delivery.ChannelSenders;
import dev.flinkwatch.delivery.ChannelStore;
import dev.flinkwatch.delivery.ChannelType;
import dev.flinkwatch.delivery.MessageRenderer;
import dev.flinkwatch.delivery.WebhookSecrets;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/channels/{id}/test}: sends a test message through the same renderer, senders and
 * SSRF guard as real deliveries, now, and answers with what the receiver said. Works on a disabled
 * channel too, so a tenant can check a fixed receiver before enabling it again.
 */
public final class ChannelTestRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(ChannelTestRoutes.class);

    private final ChannelStore channels;
    private final WebhookSecrets secrets;
    private final ChannelSenders senders;
    private final Duration patience;
    private final MessageRenderer renderer = new MessageRenderer();

    /**
     * @param senders null when the API has no delivery settings: the route then answers 503
     * @param patience how long the route waits for the receiver (the senders' own timeouts end
     *     every attempt earlier; this only bounds the request thread)
     */
    public ChannelTestRoutes(
            ChannelStore channels,
            WebhookSecrets secrets,
            ChannelSenders senders,
            Duration patience) {
        this.channels = channels;
        this.secrets = secrets;
        this.senders = senders;
        this.patience = patience;
    }

    public List<Route> routes() {
        return List.of(Route.post("/v1/channels/{id}/test", Access.TENANT, this::test));
    }

    /** What the receiver answered to the test message. */
    public record TestResult(boolean delivered, Integer httpStatus, String error, String message) {
        static TestResult of(AttemptResult result) {
            return new TestResult(
                    result.delivered(),
                    result.httpStatus(),
                    result.error() == null ? null : result.error().name(),
                    result.message());
        }
    }

    private void test(Context ctx, Caller caller) throws Exception {
        Json.respond(
                ctx,
                200,
                test(
                        caller.requireTenant(),
                        ChannelRoutes.channelId(ctx),
                        ctx.scheme() + "://" + ctx.host()));
    }

    /**
     * Sends a test message to one of the tenant's channels now (the REST route and the web app).
     *
     * @param appUrl the link the test message carries
     * @throws ApiException 404 for no such channel, 503 without delivery settings, 504 when the
     *     receiver did not answer
     */
    public TestResult test(UUID tenant, UUID channelId, String appUrl) throws Exception {
        if (channels == null || senders == null) {
            throw new ApiException(
                    503,
                    "not_configured",
                    "channel tests are not configured on this server (no delivery settings)");
        }
        ChannelStore.Channel channel =
                channels.get(tenant, channelId).orElseThrow(ChannelRoutes::notFound);
        MessageRenderer.Rendered rendered =
                renderer.render(
                        channel.type(),
                        channel.draft().template(),
                        AlertMessageContext.test(channel.name(), appUrl, Instant.now()));
        String messageId = "test-" + UUID.randomUUID().toString().replace("-", "");
        List<String> signing =
                channel.type() == ChannelType.WEBHOOK ? secrets.signingSecrets(tenant) : List.of();
        AttemptResult result;
        try {
            result =
                    senders.send(
                                    channel.type(),
                                    channel.settings(),
                                    rendered.payload(),
                                    messageId,
                                    signing)
                            .get(patience.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new ApiException(504, "receiver_timeout", "the receiver did not answer in time");
        }
        LOG.info(
                "event=channel_tested tenantId={} channelId={} delivered={} error={}",
                tenant,
                channel.id(),
                result.delivered(),
                result.error());
        return TestResult.of(result);
    }
}
