-- Deliveries to channels (issue 14). A row for a channel (channel_id set) holds no receiver secret:
-- the dispatcher reads the channel's encrypted settings at each attempt, so an edited URL or a
-- disabled channel takes effect on the next attempt. Legacy rows (channel 'notify.webhookUrl',
-- channel_id null) keep their encrypted target_ciphertext.
ALTER TABLE deliveries ADD COLUMN channel_id uuid;
ALTER TABLE deliveries ALTER COLUMN target_ciphertext DROP NOT NULL;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_target_check
    CHECK (channel_id IS NOT NULL OR target_ciphertext IS NOT NULL);
-- Open rows of a channel: failed together when the channel is disabled.
CREATE INDEX deliveries_channel_open_idx ON deliveries (channel_id)
    WHERE status IN ('pending', 'sending');

-- What the platform tells a tenant about its own setup (today: a channel was disabled because its
-- receiver answered 410 Gone or kept failing). Shown by GET /v1/notices.
CREATE TABLE tenant_notices (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id  uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind       text        NOT NULL CHECK (kind IN ('CHANNEL_DISABLED')),
    channel_id uuid,
    message    text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tenant_notices_tenant_idx ON tenant_notices (tenant_id, created_at DESC, id DESC);
