-- Schema 2: keep each item's write-back latency (alias added -> mail seen) so that `runs show`
-- and the fix summary need no date arithmetic; backfill it for items journaled by schema 1.

ALTER TABLE items ADD COLUMN latency_ms INTEGER;

UPDATE items
SET latency_ms = CAST(ROUND((julianday(written_back_at) - julianday(added_at)) * 86400000) AS INTEGER)
WHERE added_at IS NOT NULL AND written_back_at IS NOT NULL;
