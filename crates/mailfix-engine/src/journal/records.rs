//! The journal's records (runs, items, events), the item state machine, and their row conversion.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
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
        /// Ran to its end, every target done (for `fix`: written back and its alias removed).
        Finished = "finished",
        /// Stopped by Ctrl-C; resumable.
        Interrupted = "interrupted",
        /// Stopped by an error; resumable.
        Failed = "failed",
        /// Ran to its end with items left for a later `--resume` (e.g. stuck users whose aliases
        /// `fix --on-timeout keep` left in place).
        Incomplete = "incomplete",
        /// Ran to its end, nothing left to resume, but some targets were not done (no write-back
        /// before the timeout, or a failure): the items say which and why.
        Partial = "partial",
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
    /// an alias whose write-back never came ends `stuck → remove-intent → removed → withdrawn`;
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
        /// Fixed: the write-back was seen, and a read proved the alias gone after its removal.
        Verified = "verified",
        /// A read proved the alias gone after its removal, but its write-back was never seen (the
        /// user is not fixed by it: no write-back before the timeout, or an alias found by a
        /// sweep). The reason says why it went.
        Withdrawn = "withdrawn",
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
    /// The final state of an alias a read proved gone: `verified` when its write-back was seen,
    /// `withdrawn` when it was not.
    pub fn gone(written_back: bool) -> ItemState {
        if written_back {
            ItemState::Verified
        } else {
            ItemState::Withdrawn
        }
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
            Removed => matches!(next, Verified | Withdrawn | RemoveIntent),
            Verified | Withdrawn | Skipped => false,
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
    /// The command that makes the run.
    pub command: Command,
    /// The resolved options, as JSON. Never put secrets here.
    pub options: serde_json::Value,
    /// The tenant id or domain.
    pub tenant: Option<String>,
}

/// One run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunRecord {
    /// The id `fix --resume`, `runs show` and `cleanup --run` take.
    pub id: RunId,
    /// The command that made the run.
    pub command: Command,
    /// When the run began (a resume keeps it).
    pub started_at: DateTime<Utc>,
    /// When it last ended (`None` while it runs or after a crash).
    pub finished_at: Option<DateTime<Utc>>,
    /// Where it stands now.
    pub status: RunStatus,
    /// The resolved options it ran with, as JSON (a resume reads them back; never secrets).
    pub options: serde_json::Value,
    /// The tenant id or domain it ran against.
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
    /// The item's row id, unique across runs.
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
    /// When the item was planned.
    pub created_at: DateTime<Utc>,
    /// When its state last changed.
    pub updated_at: DateTime<Utc>,
    /// When the add succeeded.
    pub added_at: Option<DateTime<Utc>>,
    /// When `mail` was seen filled.
    pub written_back_at: Option<DateTime<Utc>>,
    /// When the removal succeeded.
    pub removed_at: Option<DateTime<Utc>>,
    /// `written_back_at - added_at`.
    #[serde(rename = "latency_s", serialize_with = "crate::events::opt_secs")]
    pub latency: Option<Duration>,
}

/// One entry of the append-only event log.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventRecord {
    /// The item the event is about.
    pub item: ItemId,
    /// The run that acted (a cleanup acts on other runs' items).
    pub run: RunId,
    /// When it was journaled.
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

impl RunDetail {
    /// Write-back latency statistics over the run's items that were written back.
    pub fn latency(&self) -> Option<crate::aliases::LatencyStats> {
        crate::aliases::LatencyStats::of(self.items.iter().filter_map(|i| i.latency))
    }

    /// How many items are in each state.
    pub fn counts(&self) -> std::collections::BTreeMap<ItemState, usize> {
        let mut counts = std::collections::BTreeMap::new();
        for item in &self.items {
            *counts.entry(item.state).or_default() += 1;
        }
        counts
    }
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
