//! Schema migrations: an append-only list of SQL files applied in order, tracked by SQLite's
//! `user_version` (like cargo's `util/sqlite.rs`). A database newer than this binary is refused.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use super::error::{ErrorKind, JournalError};

/// The migrations, oldest first. Never edit or reorder one that has shipped; append a new file.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_item_latency.sql"),
    include_str!("migrations/0003_withdrawn_items.sql"),
    include_str!("migrations/0004_guard.sql"),
];

/// The schema version this binary writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// The schema version of an open database.
pub fn schema_version(conn: &Connection) -> Result<u32, JournalError> {
    Ok(conn.pragma_query_value(None, "user_version", |row| row.get(0))?)
}

/// What an opened database holds, as far as the journal's schema goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Found {
    /// No schema and no tables: an empty database (a new journal).
    Blank,
    /// A journal of an older mailfix.
    Older,
    /// A journal of this mailfix's schema.
    Current,
}

/// Reads what a database holds without changing it: a journal newer than this binary is
/// refused ([`ErrorKind::TooNew`]), and so is another program's database ([`ErrorKind::Foreign`]:
/// no schema version, but tables).
pub(super) fn inspect(conn: &Connection, path: &Path) -> Result<Found, JournalError> {
    let found = schema_version(conn)?;
    check_not_newer(found, path)?;
    if found > 0 {
        return Ok(match found == SCHEMA_VERSION {
            true => Found::Current,
            false => Found::Older,
        });
    }
    let tables: u32 = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'",
        [],
        |row| row.get(0),
    )?;
    match tables {
        0 => Ok(Found::Blank),
        _ => Err(ErrorKind::Foreign(path.to_owned()).into()),
    }
}

/// Brings the database to [`SCHEMA_VERSION`]; returns the version it had.
///
/// Runs in one immediate transaction, so two processes opening an old journal at once do not both
/// migrate it, and a failed migration leaves the old schema intact.
pub fn migrate(conn: &mut Connection, path: &Path) -> Result<u32, JournalError> {
    let found = schema_version(conn)?;
    check_not_newer(found, path)?;
    if found == SCHEMA_VERSION {
        return Ok(found);
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: u32 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
    check_not_newer(found, path)?;
    for sql in &MIGRATIONS[found as usize..] {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    tracing::debug!(from = found, to = SCHEMA_VERSION, "journal migrated");
    Ok(found)
}

fn check_not_newer(found: u32, path: &Path) -> Result<(), JournalError> {
    if found > SCHEMA_VERSION {
        return Err(ErrorKind::TooNew {
            path: path.to_owned(),
            found,
            known: SCHEMA_VERSION,
        }
        .into());
    }
    Ok(())
}
