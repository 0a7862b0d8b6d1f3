package dev.flinkwatch.api.channels;

import dev.flinkwatch.api.http.ApiException;
import dev.flinkwatch.delivery.ChannelStore;
import dev.flinkwatch.model.MonitorSpec;
import dev.flinkwatch.model.MonitorSpecValidator;
import dev.flinkwatch.model.Notify;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * What a monitor's {@code notify} becomes when it is stored, inside the monitor's transaction:
 * channel ids it newly references must be channels of the monitor's tenant, and a legacy {@code
 * notify.webhookUrl} becomes the monitor's implicit webhook channel (encrypted), so the stored and
 * published spec carries only channel ids and the URL never reaches the monitors topic, the
 * monitors table or Flink state.
 */
public final class MonitorChannels {
    private final ChannelStore channels;

    /**
     * @param channels null when the API has no delivery keyset: then a monitor can reference no
     *     channel and has no webhook (503)
     */
    public MonitorChannels(ChannelStore channels) {
        this.channels = channels;
    }

    /**
     * The notify to store for {@code wanted}.
     *
     * @param current the stored notify (null for a new monitor, or one without): ids already on it
     *     are not checked again, so pausing a monitor whose channel was deleted still works
     */
    public Notify resolve(Connection c, MonitorSpec wanted, Notify current) throws SQLException {
        Notify notify = wanted.notification();
        if (notify != null && notify.equals(current)) {
            return notify;
        }
        List<UUID> ids =
                notify == null || notify.channels() == null
                        ? new ArrayList<>()
                        : new ArrayList<>(notify.channels());
        boolean wantsWebhook = notify != null && notify.webhookUrl() != null;
        if (channels == null) {
            if (wantsWebhook || !ids.isEmpty()) {
                throw new ApiException(
                        503,
                        "not_configured",
                        "notifications are not configured on this server (no delivery keyset)",
                        Map.of(
                                wantsWebhook ? "notify.webhookUrl" : "notify.channels",
                                "cannot be stored without a delivery keyset"));
            }
            return notify;
        }
        List<UUID> known =
                current == null || current.channels() == null ? List.of() : current.channels();
        List<UUID> fresh = ids.stream().filter(id -> !known.contains(id)).toList();
        List<UUID> foreign = channels.notTheTenants(c, wanted.tenantId(), fresh);
        if (!foreign.isEmpty()) {
            Map<String, String> problems = new LinkedHashMap<>();
            for (int i = 0; i < ids.size(); i++) {
                if (foreign.contains(ids.get(i))) {
                    problems.put("notify.channels[" + i + "]", "is not a channel of this tenant");
                }
            }
            throw ApiException.validation(problems);
        }
        Optional<UUID> implicit = channels.implicitOf(c, wanted.tenantId(), wanted.id());
        if (wantsWebhook) {
            if (implicit.map(id -> !ids.contains(id)).orElse(true)
                    && ids.size() >= MonitorSpecValidator.MAX_CHANNELS) {
                throw ApiException.validation(
                        Map.of(
                                "notify.webhookUrl",
                                "is stored as a channel: notify.channels must then have at most "
                                        + (MonitorSpecValidator.MAX_CHANNELS - 1)
                                        + " channels"));
            }
            UUID id = channels.putImplicit(c, wanted.tenantId(), wanted.id(), notify.webhookUrl());
            if (!ids.contains(id)) {
                ids.add(id);
            }
        } else if (implicit.isPresent() && !ids.contains(implicit.get())) {
            channels.deleteImplicit(c, wanted.tenantId(), wanted.id());
        }
        return notify == null ? null : new Notify(null, ids.isEmpty() ? null : ids);
    }

    /** A deleted monitor's implicit channel goes with it (its URL is a secret nobody needs). */
    public void deleted(Connection c, UUID tenantId, UUID monitorId) throws SQLException {
        if (channels != null) {
            channels.deleteImplicit(c, tenantId, monitorId);
        }
    }
}
