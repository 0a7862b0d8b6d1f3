-- Notification channels (issue 14): tenant resources that monitors reference by id
-- (notify.channels). The receiver settings (URLs, tokens, recipients) are secrets: they are stored
-- only as settings_ciphertext, the ChannelSettings JSON encrypted with Tink AEAD under the key from
-- configuration, associated data "channel-settings:<tenant id>:<channel id>" (a ciphertext copied to
-- another row does not decrypt). Only the delivery component and the API's masking read them.
CREATE TABLE channels (
    id                  uuid        PRIMARY KEY,
    tenant_id           uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name                text        NOT NULL,
    type                text        NOT NULL CHECK (type IN ('webhook', 'slack', 'discord', 'email',
                                                             'telegram', 'ntfy', 'apprise')),
    settings_ciphertext bytea       NOT NULL,
    -- Who the channel delivers to, not secret: host:port of the URL, 'smtp' for email. The unit of
    -- the per-receiver concurrency cap.
    receiver            text        NOT NULL,
    -- A per-channel Mustache template overriding the type's default message (the API caps its size).
    template            text        CHECK (octet_length(template) <= 8192),
    enabled             boolean     NOT NULL DEFAULT true,
    disabled_reason     text,
    disabled_at         timestamptz,
    -- Start of the current run of failed deliveries (null after a success): a channel failing for
    -- long is disabled.
    failing_since       timestamptz,
    -- Created by the API from a monitor's legacy notify.webhookUrl; monitor_id is that monitor.
    implicit            boolean     NOT NULL DEFAULT false,
    monitor_id          uuid,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK (implicit = (monitor_id IS NOT NULL))
);
-- Tenant listing with a stable cursor (id order); every read is tenant-scoped.
CREATE INDEX channels_tenant_idx ON channels (tenant_id, id);
-- One implicit channel per monitor.
CREATE UNIQUE INDEX channels_implicit_monitor_idx ON channels (monitor_id) WHERE implicit;
