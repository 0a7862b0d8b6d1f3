-- Flinkwatch schema, version 1. Times are timestamptz; ids are UUIDs assigned by the control API.
-- Tables written by the pipeline (alerts, monitor_status, check_runs) carry (monitor_id, tenant_id)
-- as one composite foreign key, so a row can never be attached to another tenant's monitor.

CREATE TABLE tenants (
    id            uuid        PRIMARY KEY,
    name          text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    monitor_quota integer     CHECK (monitor_quota IS NULL OR monitor_quota >= 0),
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- Keys are 256-bit random secrets, so a plain SHA-256 is the right hash (no salt/stretching
-- needed); only the hash and a short display prefix are stored.
CREATE TABLE api_keys (
    id         uuid        PRIMARY KEY,
    tenant_id  uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    key_hash   bytea       NOT NULL UNIQUE CHECK (octet_length(key_hash) = 32),
    prefix     text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);
CREATE INDEX api_keys_tenant_idx ON api_keys (tenant_id);

-- Monitors are soft-deleted: rows written by the pipeline keep a valid parent while the delete
-- event is still travelling, and history stays queryable.
CREATE TABLE monitors (
    id               uuid        PRIMARY KEY,
    tenant_id        uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    version          bigint      NOT NULL CHECK (version > 0),
    name             text        NOT NULL,
    status           text        NOT NULL CHECK (status IN ('active', 'paused')),
    interval_seconds integer     NOT NULL CHECK (interval_seconds > 0),
    spec             jsonb       NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    deleted_at       timestamptz,
    UNIQUE (id, tenant_id)
);
-- Tenant listing with a stable cursor (id order) over live monitors; quota counting.
CREATE INDEX monitors_tenant_live_idx ON monitors (tenant_id, id) WHERE deleted_at IS NULL;
-- Active monitors by update time (rebuilds, operators' queries).
CREATE INDEX monitors_active_updated_idx ON monitors (updated_at) WHERE status = 'active' AND deleted_at IS NULL;

-- Transactional outbox: written in the same transaction as the monitor row, relayed to the
-- "monitors" topic in id order (which is version order per monitor).
CREATE TABLE outbox (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    monitor_id   uuid        NOT NULL,
    tenant_id    uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    version      bigint      NOT NULL,
    event_type   text        NOT NULL CHECK (event_type IN ('upsert', 'delete')),
    payload      bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz,
    attempts     integer     NOT NULL DEFAULT 0,
    last_error   text,
    UNIQUE (monitor_id, version)
);
-- Due work for the relay: unpublished rows in order.
CREATE INDEX outbox_pending_idx ON outbox (id) WHERE published_at IS NULL;

CREATE TABLE monitor_status (
    monitor_id           uuid        PRIMARY KEY,
    tenant_id            uuid        NOT NULL,
    last_check_at        timestamptz NOT NULL,
    last_outcome         text        NOT NULL CHECK (last_outcome IN ('FIRST', 'UNCHANGED', 'CHANGED', 'ERROR')),
    last_error           text,
    consecutive_failures integer     NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
    last_change_at       timestamptz,
    updated_at           timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (monitor_id, tenant_id) REFERENCES monitors (id, tenant_id) ON DELETE CASCADE
);

-- Only CHANGED and ERROR checks are stored (a row per check cannot scale to 333k checks/s).
-- (monitor_id, source_url, scheduled_at) identifies a check, so replays after a restore are no-ops.
CREATE TABLE check_runs (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    monitor_id    uuid        NOT NULL,
    tenant_id     uuid        NOT NULL,
    source_url    text        NOT NULL,
    scheduled_at  timestamptz NOT NULL,
    started_at    timestamptz,
    finished_at   timestamptz NOT NULL,
    outcome       text        NOT NULL CHECK (outcome IN ('FIRST', 'UNCHANGED', 'CHANGED', 'ERROR')),
    http_status   integer,
    content_hash  text,
    error_code    text,
    error_message text,
    latency_ms    bigint      NOT NULL CHECK (latency_ms >= 0),
    diff          text,
    UNIQUE (monitor_id, source_url, scheduled_at),
    FOREIGN KEY (monitor_id, tenant_id) REFERENCES monitors (id, tenant_id) ON DELETE CASCADE
);
-- A monitor's recent runs; runs by status and time.
CREATE INDEX check_runs_monitor_time_idx ON check_runs (monitor_id, finished_at DESC);
CREATE INDEX check_runs_outcome_time_idx ON check_runs (outcome, finished_at DESC);

-- alert_key is the deterministic Alert.alertId: sinks insert with ON CONFLICT DO NOTHING.
CREATE TABLE alerts (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    alert_key   text        NOT NULL UNIQUE,
    kind        text        NOT NULL CHECK (kind IN ('CONDITION_MET', 'MONITOR_FAILING', 'MONITOR_RECOVERED')),
    monitor_id  uuid        NOT NULL,
    tenant_id   uuid        NOT NULL,
    source_url  text        NOT NULL,
    detected_at timestamptz NOT NULL,
    reason      text        NOT NULL,
    excerpt     text,
    diff        text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (monitor_id, tenant_id) REFERENCES monitors (id, tenant_id) ON DELETE CASCADE
);
-- Tenant-wide and per-monitor feeds, newest first, with (detected_at, id) as the cursor.
CREATE INDEX alerts_tenant_time_idx ON alerts (tenant_id, detected_at DESC, id DESC);
CREATE INDEX alerts_monitor_time_idx ON alerts (monitor_id, detected_at DESC, id DESC);
