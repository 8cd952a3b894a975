-- Schema 3: `verified` means the write-back was seen and the removal proven. Older journals also
-- called `verified` an alias removed without a write-back (a user stuck past the timeout); such
-- items become `withdrawn`, with an event saying so (events stay append-only), and a fix run
-- that ended `finished` with a target not done becomes `partial` (its summary too).

INSERT INTO events (item_id, run_id, at, kind, op, state, detail)
SELECT id, run_id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'state', NULL, 'withdrawn',
       'relabelled by schema 3: removed and gone, but its write-back was never seen'
FROM items
WHERE kind = 'alias' AND state = 'verified' AND written_back_at IS NULL;

UPDATE items
SET state = 'withdrawn',
    reason = 'no write-back seen; alias removed' || COALESCE(' (' || reason || ')', '')
WHERE kind = 'alias' AND state = 'verified' AND written_back_at IS NULL;

UPDATE runs
SET status = 'partial',
    summary = CASE WHEN json_valid(summary) THEN json_set(summary, '$.status', 'partial')
                   ELSE summary END
WHERE command = 'fix' AND status = 'finished'
  AND EXISTS (
      SELECT 1 FROM items
      WHERE items.run_id = runs.id AND items.kind = 'alias'
        AND items.state IN ('withdrawn', 'add-failed', 'remove-failed', 'stuck')
  );
