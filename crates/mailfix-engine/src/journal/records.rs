//! The journal's records (runs, items, events), the item state machine, and their row conversion.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::Row;
use serde::{Serialize, Serializer};

use super::error::JournalError;
use crate::events::Command;
use crate::finding::UserRef;
use crate::run_id::RunId;

/// Declares a text-stored enum with `as_str`, `FromStr` and `Display`.
macro_rules! text_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[doc = $doc:literal])* $variant:ident = $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($(#[doc = $doc])* $variant,)* }

        impl $name {
            /// The stored spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }
        }

        impl FromStr for $name {
            type Err = JournalError;
            fn from_str(s: &str) -> Result<Self, JournalError> {
                match s {
                    $($text => Ok($name::$variant),)*
                    other => Err(JournalError::corrupt(format!("{} '{other}'", stringify!($name)))),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

text_enum! {
    /// How a run ended (or that it has not).
    pub enum RunStatus {
        /// Started and not finished: crashed, killed, or still running.
        Running = "running",
        /// Ran to its end (items may still have failed).
        Finished = "finished",
        /// Stopped by Ctrl-C; resumable.
        Interrupted = "interrupted",
        /// Stopped by an error; resumable.
        Failed = "failed",
    }
}

text_enum! {
    /// What an item changes.
    pub enum ItemKind {
        /// A temporary alias on a mailbox.
        Alias = "alias",
        /// The `mobile` phone method.
        Mobile = "mobile",
        /// The `alternateMobile` phone method.
        AlternateMobile = "alternate-mobile",
        /// The email method.
        Email = "email",
    }
}

text_enum! {
    /// A remote write.
    pub enum Op {
        /// Add the planned value (add the alias; create or update the method).
        Add = "add",
        /// Remove the alias.
        Remove = "remove",
    }
}

text_enum! {
    /// Where an item is. The happy path of an alias:
    /// `planned → add-intent → added → written-back → remove-intent → removed → verified`;
    /// a seeded method ends at `added`.
    pub enum ItemState {
        /// Planned; nothing sent.
        Planned = "planned",
        /// The add is about to be sent (or was sent and its result is unknown).
        AddIntent = "add-intent",
        /// The add succeeded.
        Added = "added",
        /// The add failed for good.
        AddFailed = "add-failed",
        /// Exchange wrote the user back: `mail` is filled.
        WrittenBack = "written-back",
        /// The removal is about to be sent (or was sent and its result is unknown).
        RemoveIntent = "remove-intent",
        /// The removal succeeded.
        Removed = "removed",
        /// The removal failed for good.
        RemoveFailed = "remove-failed",
        /// The alias is confirmed gone.
        Verified = "verified",
        /// Still waiting for the write-back when the timeout ran out.
        Stuck = "stuck",
        /// Not done, on purpose (already fine, user gone, excluded), with a reason.
        Skipped = "skipped",
    }
}

text_enum! {
    /// What an event records.
    pub enum EventKind {
        /// Before a remote write.
        Intent = "intent",
        /// After a remote write.
        Result = "result",
        /// Any other state change.
        State = "state",
    }
}

impl ItemState {
    /// Whether the last thing journaled was an intent whose result is unknown.
    pub fn is_intent(self) -> bool {
        matches!(self, ItemState::AddIntent | ItemState::RemoveIntent)
    }

    /// Whether the alias may be on the mailbox and mailfix has not removed it.
    pub fn alias_may_be_present(self) -> bool {
        use ItemState::*;
        matches!(
            self,
            AddIntent | Added | WrittenBack | Stuck | RemoveIntent | RemoveFailed
        )
    }

    /// The state machine: whether an item in `self` may move to `next`.
    ///
    /// Besides the happy path this allows what resume, retries and timeouts need: an intent may be
    /// re-issued or settled either way after a re-read, a failed add may be re-planned (new
    /// suffix), a stuck item may still be written back or have its alias removed, a removal may be
    /// retried, and a verification that finds the alias still there goes back to `remove-intent`.
    pub fn can_become(self, next: ItemState) -> bool {
        use ItemState::*;
        match self {
            Planned => matches!(next, AddIntent | Skipped),
            AddIntent => matches!(next, AddIntent | Added | AddFailed | Planned | Skipped),
            AddFailed => matches!(next, Planned | AddIntent | Skipped),
            Added => matches!(next, WrittenBack | Stuck | RemoveIntent),
            WrittenBack => matches!(next, RemoveIntent),
            Stuck => matches!(next, Stuck | WrittenBack | RemoveIntent),
            RemoveIntent => matches!(next, RemoveIntent | Removed | RemoveFailed),
            RemoveFailed => matches!(next, RemoveIntent),
            Removed => matches!(next, Verified | RemoveIntent),
            Verified | Skipped => false,
        }
    }

    /// The state an intent for `op` moves to.
    pub fn intent_for(op: Op) -> ItemState {
        match op {
            Op::Add => ItemState::AddIntent,
            Op::Remove => ItemState::RemoveIntent,
        }
    }

    /// The state a result of `op` moves to.
    pub fn result_for(op: Op, succeeded: bool) -> ItemState {
        match (op, succeeded) {
            (Op::Add, true) => ItemState::Added,
            (Op::Add, false) => ItemState::AddFailed,
            (Op::Remove, true) => ItemState::Removed,
            (Op::Remove, false) => ItemState::RemoveFailed,
        }
    }
}

/// The outcome of a remote write, as journaled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpOutcome {
    /// It landed (or was already in place).
    Succeeded,
    /// It failed for good, with why.
    Failed(String),
}

/// An item's row id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ItemId(pub i64);

impl fmt::Display for ItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// What `begin_run` records about a new run.
#[derive(Clone, Debug)]
pub struct NewRun {
    /// The command.
    pub command: Command,
    /// The resolved options, as JSON. Never put secrets here.
    pub options: serde_json::Value,
    /// The tenant id or domain.
    pub tenant: Option<String>,
}

/// One run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunRecord {
    /// Run id.
    pub id: RunId,
    /// The command.
    pub command: Command,
    /// Start.
    pub started_at: DateTime<Utc>,
    /// End, once finished.
    pub finished_at: Option<DateTime<Utc>>,
    /// Status.
    pub status: RunStatus,
    /// Options JSON.
    pub options: serde_json::Value,
    /// Tenant.
    pub tenant: Option<String>,
    /// Summary JSON, once finished.
    pub summary: Option<serde_json::Value>,
}

/// What `add_item` records about a new item.
#[derive(Clone, Debug)]
pub struct NewItem {
    /// The user.
    pub user: UserRef,
    /// What is changed.
    pub kind: ItemKind,
    /// The planned value.
    pub planned: String,
}

/// One item.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ItemRecord {
    /// Item id.
    pub id: ItemId,
    /// The run that planned it.
    pub run: RunId,
    /// The user.
    pub user: UserRef,
    /// What is changed.
    pub kind: ItemKind,
    /// The planned value (alias address, phone, email).
    pub planned: String,
    /// Current state.
    pub state: ItemState,
    /// Why it failed, was skipped or got stuck.
    pub reason: Option<String>,
    /// Planned at.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// When the add succeeded.
    pub added_at: Option<DateTime<Utc>>,
    /// When `mail` was seen filled.
    pub written_back_at: Option<DateTime<Utc>>,
    /// When the removal succeeded.
    pub removed_at: Option<DateTime<Utc>>,
    /// `written_back_at - added_at`.
    #[serde(rename = "latency_s", serialize_with = "opt_secs")]
    pub latency: Option<Duration>,
}

/// One entry of the append-only event log.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventRecord {
    /// The item.
    pub item: ItemId,
    /// The run that acted.
    pub run: RunId,
    /// When.
    pub at: DateTime<Utc>,
    /// Intent, result or state change.
    pub kind: EventKind,
    /// The remote write, for intents and results.
    pub op: Option<Op>,
    /// The item's state after the event.
    pub state: ItemState,
    /// Free text: the error, the reason, the old value.
    pub detail: Option<String>,
}

/// A run with its items, for `runs show`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunDetail {
    /// The run.
    pub run: RunRecord,
    /// Its items, in planning order.
    pub items: Vec<ItemRecord>,
}

fn opt_secs<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_some(&d.as_secs_f64()),
        None => s.serialize_none(),
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn happy_path_of_an_alias_is_allowed() {
        use ItemState::*;
        let path = [
            Planned,
            AddIntent,
            Added,
            WrittenBack,
            RemoveIntent,
            Removed,
            Verified,
        ];
        for pair in path.windows(2) {
            assert!(pair[0].can_become(pair[1]), "{} -> {}", pair[0], pair[1]);
        }
    }

    #[test]
    fn terminal_and_skipping_transitions_are_refused() {
        use ItemState::*;
        assert!(!Verified.can_become(RemoveIntent));
        assert!(!Skipped.can_become(Planned));
        assert!(!Planned.can_become(Added), "an add without an intent");
        assert!(!Added.can_become(Removed), "a removal without an intent");
        assert!(!WrittenBack.can_become(Stuck));
    }

    #[test]
    fn text_round_trips_and_unknown_text_is_corrupt() {
        for state in [
            "planned",
            "add-intent",
            "written-back",
            "remove-failed",
            "verified",
        ] {
            assert_eq!(state.parse::<ItemState>().unwrap().as_str(), state);
        }
        assert!("bogus".parse::<ItemState>().is_err());
        assert_eq!(
            "alternate-mobile".parse::<ItemKind>().unwrap(),
            ItemKind::AlternateMobile
        );
    }
}
