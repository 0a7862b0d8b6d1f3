-- Atom feeds of alerts (issue 18). Feed readers cannot send headers, so a feed is read with a
-- secret token in its URL. Like api_keys, a token is 256 random bits and only its SHA-256 and a
-- short display prefix are stored. monitor_id null: the tenant's feed of all its monitors. The
-- composite foreign key keeps a token from naming another tenant's monitor; deleting (purging) the
-- monitor deletes its feeds.
CREATE TABLE feed_tokens (
    id         uuid        PRIMARY KEY,
    tenant_id  uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    monitor_id uuid,
    token_hash bytea       NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    prefix     text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    FOREIGN KEY (monitor_id, tenant_id) REFERENCES monitors (id, tenant_id) ON DELETE CASCADE
);
-- Tenant listing with a stable cursor (id order) over live tokens.
CREATE INDEX feed_tokens_tenant_idx ON feed_tokens (tenant_id, id) WHERE revoked_at IS NULL;
-- The foreign key's referencing side, so deleting a monitor does not scan the table.
CREATE INDEX feed_tokens_monitor_idx ON feed_tokens (monitor_id) WHERE monitor_id IS NOT NULL;
