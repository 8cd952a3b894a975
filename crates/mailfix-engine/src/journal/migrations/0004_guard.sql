-- Schema 4: `mailfix guard`. One row of state per watched scope (where the next delta round
-- starts, how many cycles ran, when the last full read and the last cycle ended), and the users
-- its remediation has to do with: queued (found, not yet in a fix run), fixing (in the fix run
-- named), stuck or failed (alerted once, not planned again).

CREATE TABLE guard_state (
    scope      TEXT PRIMARY KEY,            -- the scope's key (groups, all users, listed users)
    describe   TEXT NOT NULL,               -- the scope as people read it
    delta_link TEXT,                        -- NULL: the next cycle reads the whole scope
    cycles     INTEGER NOT NULL DEFAULT 0,
    full_at    TEXT,                        -- the last full read
    cycle_at   TEXT                         -- the last cycle that ended
) STRICT;

CREATE TABLE guard_users (
    scope   TEXT NOT NULL REFERENCES guard_state(scope),
    user_id TEXT NOT NULL,
    upn     TEXT NOT NULL,
    state   TEXT NOT NULL,                  -- queued | fixing | stuck | failed
    run_id  TEXT,                           -- the fix run (fixing, stuck, failed)
    reason  TEXT,
    since   TEXT NOT NULL,                  -- when it got this state
    cycle   INTEGER NOT NULL,               -- the cycle that found it
    PRIMARY KEY (scope, user_id)
) STRICT;
