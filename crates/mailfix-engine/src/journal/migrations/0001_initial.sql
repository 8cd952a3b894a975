-- mailfix journal, schema 1: runs, their items, and the append-only event log.
-- Times are RFC 3339 UTC text with milliseconds; they sort as text.

CREATE TABLE runs (
    id          TEXT PRIMARY KEY,           -- r7f3k2
    command     TEXT NOT NULL,              -- fix | cleanup | seed
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    status      TEXT NOT NULL,              -- running | finished | interrupted | failed
    options     TEXT NOT NULL DEFAULT '{}', -- JSON: the resolved options (never secrets)
    tenant      TEXT,
    summary     TEXT                        -- JSON, set when the run finishes
) STRICT;

CREATE TABLE items (
    id              INTEGER PRIMARY KEY,
    run_id          TEXT NOT NULL REFERENCES runs(id),
    user_id         TEXT NOT NULL,
    upn             TEXT NOT NULL,
    kind            TEXT NOT NULL,          -- alias | mobile | alternate-mobile | email
    planned         TEXT NOT NULL,          -- the alias address, phone number or email
    state           TEXT NOT NULL,
    reason          TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    added_at        TEXT,
    written_back_at TEXT,
    removed_at      TEXT,
    UNIQUE (run_id, user_id, kind)
) STRICT;

CREATE INDEX items_by_state ON items(state);

CREATE TABLE events (
    id      INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items(id),
    run_id  TEXT NOT NULL REFERENCES runs(id), -- the run that acted (cleanup acts on older runs' items)
    at      TEXT NOT NULL,
    kind    TEXT NOT NULL,                     -- intent | result | state
    op      TEXT,                              -- add | remove
    state   TEXT NOT NULL,                     -- the item's state after the event
    detail  TEXT
) STRICT;

CREATE INDEX events_by_item ON events(item_id);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'journal events are append-only');
END;

CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'journal events are append-only');
END;
