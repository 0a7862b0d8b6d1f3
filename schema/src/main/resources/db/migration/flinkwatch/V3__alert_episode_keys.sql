-- Release 0.2: an alert key names one episode (hash of kind, monitor, source and a per-source
-- episode counter kept in the pipeline's checkpointed state) instead of the content that triggered
-- it, so a condition that becomes true again on content seen before is a new alert. Rows written by
-- 0.1 keep their content-hash keys: both are 32 hex digits of SHA-256 over different inputs, so the
-- unique index never confuses them. key_scheme tells them apart.
-- ADD COLUMN with a constant default is a catalog-only change (no table rewrite): old rows read 1.
ALTER TABLE alerts ADD COLUMN key_scheme smallint NOT NULL DEFAULT 1;
ALTER TABLE alerts ALTER COLUMN key_scheme SET DEFAULT 2;
ALTER TABLE alerts ADD CONSTRAINT alerts_key_scheme_check CHECK (key_scheme IN (1, 2));
COMMENT ON COLUMN alerts.key_scheme IS
    '1: key = hash(kind, monitor, source, content hash), release 0.1; 2: key = hash(kind, monitor, source, episode)';
