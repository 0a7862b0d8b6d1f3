-- Web app sessions (issue 18). The cookie carries a random 256-bit id; only its SHA-256 is stored,
-- so a database read does not yield a usable cookie. A session belongs to the API key it was
-- signed in with: revoking (or deleting) the key ends its sessions. Expiry is checked on read
-- (idle: last_seen_at; absolute: created_at); expired rows are deleted opportunistically.
CREATE TABLE web_sessions (
    id_hash      bytea       PRIMARY KEY CHECK (octet_length(id_hash) = 32),
    tenant_id    uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    key_id       uuid        NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    csrf_token   text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX web_sessions_key_idx ON web_sessions (key_id);
CREATE INDEX web_sessions_created_idx ON web_sessions (created_at);
