-- Rows a pipeline sink could not write because PostgreSQL refused the row itself (a data exception,
-- a constraint, a program limit; issue 11). The job records them here and goes on: one tenant's
-- bad row must never fail the shared job. There is deliberately no foreign key to monitors: a dead
-- letter must be recordable whatever happened to its monitor. No row content is stored: reason is
-- the SQLState and PostgreSQL's primary message; summary names the row's scalar fields and only the
-- length of its text fields. record_key identifies the refused row (a hash of its natural key), so
-- a replay after a restore records it once.
CREATE TABLE dead_letters (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sink       text        NOT NULL,
    record_key text        NOT NULL,
    monitor_id uuid,
    tenant_id  uuid,
    sql_state  text        NOT NULL,
    reason     text        NOT NULL,
    summary    text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (sink, record_key)
);
-- Operators' views: the newest dead letters, and a monitor's.
CREATE INDEX dead_letters_created_idx ON dead_letters (created_at DESC);
CREATE INDEX dead_letters_monitor_idx ON dead_letters (monitor_id, created_at DESC);
