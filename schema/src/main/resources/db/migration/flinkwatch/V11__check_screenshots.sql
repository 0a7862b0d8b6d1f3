-- Browser sources may keep a screenshot (JPEG) with each change. PostgreSQL keeps such values out
-- of line (TOAST), so scans of check_runs that do not select the column never read them. Size is
-- bounded here as well as in the pipeline; retention is the control API's screenshot purge.
ALTER TABLE check_runs
    ADD COLUMN screenshot bytea CHECK (screenshot IS NULL OR octet_length(screenshot) <= 4194304);

-- the purge looks for the screenshots of each monitor, newest first
CREATE INDEX check_runs_screenshot_idx ON check_runs (monitor_id, finished_at DESC)
    WHERE screenshot IS NOT NULL;
