-- Issue 11: one monitor's churn can no longer fill the outbox relay's window, and deleted monitors
-- are purged after a retention period.

-- A new outbox row of a monitor marks the monitor's older unpublished rows done (published_at set,
-- superseded true) unless a relay holds them: the topic is compacted by monitor id and consumers keep
-- the newest version, so those rows would only delay everyone queued behind them.
ALTER TABLE outbox ADD COLUMN superseded boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN outbox.superseded IS
    'true: never published; a newer row of the same monitor replaced it before a relay sent it';
-- The writer's and the purge's look-up of one monitor's unpublished rows (small: pending rows only).
CREATE INDEX outbox_pending_monitor_idx ON outbox (monitor_id) WHERE published_at IS NULL;
-- Rows left pending by the previous release: keep each monitor's newest.
UPDATE outbox o SET published_at = now(), superseded = true
 WHERE o.published_at IS NULL
   AND EXISTS (SELECT 1 FROM outbox n
                WHERE n.monitor_id = o.monitor_id AND n.published_at IS NULL AND n.id > o.id);

-- The purge takes soft-deleted monitors oldest deletion first.
CREATE INDEX monitors_deleted_idx ON monitors (deleted_at) WHERE deleted_at IS NOT NULL;
