-- Delivery of alerts to receivers (issue 14). Written by the delivery component from the committed
-- alerts topic; there is deliberately no foreign key to alerts: the pipeline writes alert rows from
-- the same topic and they may appear after the delivery row. Views join at read time on alert_key.

-- One Standard Webhooks signing secret per tenant ("whsec_..."), encrypted (Tink AEAD, key from
-- configuration; the tenant id is the associated data). After a rotation the previous secret keeps
-- signing too until previous_valid_until, so receivers can switch without missing a delivery.
CREATE TABLE webhook_secrets (
    tenant_id            uuid        PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    secret_ciphertext    bytea       NOT NULL,
    previous_ciphertext  bytea,
    previous_valid_until timestamptz,
    rotated_at           timestamptz NOT NULL DEFAULT now()
);

-- One row per (alert, channel): the durable queue and the delivery status. The intake inserts rows
-- (ON CONFLICT DO NOTHING) before it commits its Kafka offsets, so a restart never loses an alert
-- and never queues one twice. status 'sending' is a lease: next_attempt_at is when it expires.
CREATE TABLE deliveries (
    id                bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    alert_key         text        NOT NULL,
    channel           text        NOT NULL,
    tenant_id         uuid        NOT NULL,
    monitor_id        uuid        NOT NULL,
    -- The receiver's host (not secret; a webhook URL's path is): the per-receiver concurrency cap
    -- skips due rows of a saturated receiver in SQL.
    receiver          text        NOT NULL,
    target_ciphertext bytea       NOT NULL,
    payload           bytea       NOT NULL,
    status            text        NOT NULL CHECK (status IN ('pending', 'sending', 'delivered', 'failed')),
    attempts          integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at   timestamptz NOT NULL,
    deliver_by        timestamptz NOT NULL,
    last_http_status  integer,
    last_error        text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    delivered_at      timestamptz,
    UNIQUE (alert_key, channel)
);
-- Due work: open rows by due time.
CREATE INDEX deliveries_due_idx ON deliveries (next_attempt_at) WHERE status IN ('pending', 'sending');
-- Status per alert for the alert views (tenant first: every read is tenant-scoped).
CREATE INDEX deliveries_tenant_alert_idx ON deliveries (tenant_id, alert_key);
