//! Row conversion between the journal's tables and its records.

use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::Row;

use super::error::JournalError;
use super::records::{EventRecord, ItemId, ItemRecord, RunRecord};
use crate::finding::UserRef;
use crate::run_id::RunId;

/// How times are stored: RFC 3339, UTC, milliseconds.
pub(crate) fn time_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn parse_time(text: &str) -> Result<DateTime<Utc>, JournalError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| JournalError::corrupt(format!("time '{text}'")))
}

fn opt_time(text: Option<String>) -> Result<Option<DateTime<Utc>>, JournalError> {
    text.as_deref().map(parse_time).transpose()
}

fn json(text: &str) -> Result<serde_json::Value, JournalError> {
    serde_json::from_str(text).map_err(|_| JournalError::corrupt(format!("JSON '{text}'")))
}

fn run_id(text: String) -> Result<RunId, JournalError> {
    text.parse()
        .map_err(|_| JournalError::corrupt(format!("run id '{text}'")))
}

/// Columns [`run_from_row`] reads, in order.
pub(crate) const RUN_COLUMNS: &str =
    "id, command, started_at, finished_at, status, options, tenant, summary";

/// A `runs` row (selected with [`RUN_COLUMNS`]).
pub(crate) fn run_from_row(row: &Row<'_>) -> Result<RunRecord, JournalError> {
    let command: String = row.get(1)?;
    let summary: Option<String> = row.get(7)?;
    Ok(RunRecord {
        id: run_id(row.get(0)?)?,
        command: command
            .parse()
            .map_err(|_| JournalError::corrupt(format!("command '{command}'")))?,
        started_at: parse_time(&row.get::<_, String>(2)?)?,
        finished_at: opt_time(row.get(3)?)?,
        status: row.get::<_, String>(4)?.parse()?,
        options: json(&row.get::<_, String>(5)?)?,
        tenant: row.get(6)?,
        summary: summary.as_deref().map(json).transpose()?,
    })
}

/// Columns [`item_from_row`] reads, in order.
pub(crate) const ITEM_COLUMNS: &str = "id, run_id, user_id, upn, kind, planned, state, reason, \
     created_at, updated_at, added_at, written_back_at, removed_at, latency_ms";

/// An `items` row (selected with [`ITEM_COLUMNS`]).
pub(crate) fn item_from_row(row: &Row<'_>) -> Result<ItemRecord, JournalError> {
    let latency_ms: Option<i64> = row.get(13)?;
    Ok(ItemRecord {
        id: ItemId(row.get(0)?),
        run: run_id(row.get(1)?)?,
        user: UserRef::new(row.get::<_, String>(2)?, row.get::<_, String>(3)?),
        kind: row.get::<_, String>(4)?.parse()?,
        planned: row.get(5)?,
        state: row.get::<_, String>(6)?.parse()?,
        reason: row.get(7)?,
        created_at: parse_time(&row.get::<_, String>(8)?)?,
        updated_at: parse_time(&row.get::<_, String>(9)?)?,
        added_at: opt_time(row.get(10)?)?,
        written_back_at: opt_time(row.get(11)?)?,
        removed_at: opt_time(row.get(12)?)?,
        latency: latency_ms.map(|ms| Duration::from_millis(ms.max(0) as u64)),
    })
}

/// Columns [`event_from_row`] reads, in order.
pub(crate) const EVENT_COLUMNS: &str = "item_id, run_id, at, kind, op, state, detail";

/// An `events` row (selected with [`EVENT_COLUMNS`]).
pub(crate) fn event_from_row(row: &Row<'_>) -> Result<EventRecord, JournalError> {
    let op: Option<String> = row.get(4)?;
    Ok(EventRecord {
        item: ItemId(row.get(0)?),
        run: run_id(row.get(1)?)?,
        at: parse_time(&row.get::<_, String>(2)?)?,
        kind: row.get::<_, String>(3)?.parse()?,
        op: op.as_deref().map(str::parse).transpose()?,
        state: row.get::<_, String>(5)?.parse()?,
        detail: row.get(6)?,
    })
}
