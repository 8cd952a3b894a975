//! Events the engine emits while it works, and the `Reporter` trait that receives them.
//!
//! Like nextest's reporter events: the engine never prints; the binary renders events as a progress
//! display or status lines, and tests collect them. Reporters are called synchronously from the
//! engine's tasks, so they must be cheap and must not block.

use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};

use crate::finding::UserRef;
use crate::run_id::RunId;

/// The command a run belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Command {
    /// `mailfix scan`.
    Scan,
    /// `mailfix fix`.
    Fix,
    /// `mailfix cleanup`.
    Cleanup,
    /// `mailfix seed`.
    Seed,
    /// `mailfix audit`.
    Audit,
}

impl Command {
    /// The command's name, as the CLI and the journal spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Command::Scan => "scan",
            Command::Fix => "fix",
            Command::Cleanup => "cleanup",
            Command::Seed => "seed",
            Command::Audit => "audit",
        }
    }
}

/// A name that is not one of mailfix's commands.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown command '{0}'")]
pub struct UnknownCommand(pub String);

impl FromStr for Command {
    type Err = UnknownCommand;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            Command::Scan,
            Command::Fix,
            Command::Cleanup,
            Command::Seed,
            Command::Audit,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
        .ok_or_else(|| UnknownCommand(s.to_owned()))
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stage of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Resolving groups and users into the scope.
    Scope,
    /// Reading what the rules need and applying them.
    Scan,
    /// Building the plan.
    Plan,
    /// Re-reading items whose last journal state is an intent.
    Resume,
    /// Making the planned remote writes.
    Apply,
    /// Polling pending users until `mail` is written back.
    Watch,
    /// Removing temporary aliases.
    Cleanup,
    /// Reading the audit log.
    Audit,
}

/// What is being done to one item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Add the temporary alias to the mailbox.
    AddAlias,
    /// Wait for Exchange to write `mail` back.
    WriteBack,
    /// Remove the temporary alias.
    RemoveAlias,
    /// Check that the alias is gone.
    VerifyRemoved,
    /// Re-read the remote state after an interruption.
    ReadBack,
    /// Create an authentication method.
    CreateMethod,
    /// Update an authentication method.
    UpdateMethod,
}

/// How an item's action ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum Outcome {
    /// Done as planned.
    Done,
    /// Nothing to do (already in the wanted state, or excluded), with why.
    Skipped {
        /// Why.
        reason: String,
    },
    /// Failed for good, with why.
    Failed {
        /// Why.
        reason: String,
    },
    /// Still pending when the timeout ran out.
    Stuck,
}

/// Something that happened during a run.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Event {
    /// A run started. `run` is set for journaled runs.
    RunStarted {
        /// The command.
        command: Command,
        /// The journal run id, for runs that write.
        run: Option<RunId>,
        /// Number of targets, when known.
        targets: Option<u64>,
    },
    /// A new stage started.
    Phase {
        /// The stage.
        phase: Phase,
    },
    /// Scope and scan progress: users read so far and members skipped so far.
    Scanned {
        /// Users read.
        read: u64,
        /// Members skipped (non-users, disabled, guests).
        skipped: u64,
    },
    /// Work on one item started.
    ItemStarted {
        /// The user.
        user: UserRef,
        /// What is being done.
        action: Action,
    },
    /// A call for one item failed transiently and will be retried.
    ItemRetrying {
        /// The user.
        user: UserRef,
        /// What is being retried.
        action: Action,
        /// The attempt that failed (1 = the first call).
        attempt: u32,
        /// Wait before the next attempt.
        #[serde(rename = "after_s", serialize_with = "secs")]
        after: Duration,
        /// The transient error.
        reason: String,
    },
    /// Work on one item ended.
    ItemDone {
        /// The user.
        user: UserRef,
        /// What was done.
        action: Action,
        /// How it ended.
        #[serde(flatten)]
        outcome: Outcome,
        /// For `WriteBack`: time from the alias being added to `mail` being seen.
        #[serde(rename = "latency_s", serialize_with = "opt_secs")]
        latency: Option<Duration>,
    },
    /// Where a resumed write run's items stood when it was taken up (from the journal), so that
    /// its display continues from there instead of from zero.
    Resumed {
        /// Aliases added so far.
        added: u64,
        /// Users written back so far.
        written_back: u64,
        /// Aliases removed so far.
        removed: u64,
        /// Items that failed for good (users stuck at an earlier timeout are watched again).
        failed: u64,
    },
    /// Running totals of the current stage.
    Progress {
        /// Items finished successfully.
        done: u64,
        /// Items still pending.
        pending: u64,
        /// Items failed.
        failed: u64,
    },
    /// The next watch poll is scheduled.
    PollScheduled {
        /// When it will run.
        at: DateTime<Utc>,
        /// Users it will read.
        pending: u64,
    },
    /// `audit` read one more page of audit records.
    AuditRead {
        /// The service queried (`loggedByService`).
        service: String,
        /// Pages of this service read so far.
        pages: u64,
        /// Events read so far (all services).
        events: u64,
    },
    /// Something the user should know that is not an item's outcome.
    Warning {
        /// The message.
        message: String,
    },
    /// Ctrl-C: no new work is started; calls in flight finish.
    Interrupted,
    /// The run ended.
    RunFinished {
        /// The journal run id, for runs that write.
        run: Option<RunId>,
        /// Wall time of the run.
        #[serde(rename = "elapsed_s", serialize_with = "secs")]
        elapsed: Duration,
        /// Items done.
        done: u64,
        /// Items not done (failed, stuck, pending).
        not_done: u64,
    },
}

/// Serialises a duration as fractional seconds.
pub(crate) fn secs<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

/// Serialises an optional duration as fractional seconds.
pub(crate) fn opt_secs<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_some(&d.as_secs_f64()),
        None => s.serialize_none(),
    }
}

/// Receives the engine's events.
pub trait Reporter: Send + Sync {
    /// Called once per event, in order, from the engine's tasks.
    fn report(&self, event: &Event);
}

impl<R: Reporter + ?Sized> Reporter for Arc<R> {
    fn report(&self, event: &Event) {
        (**self).report(event)
    }
}

/// Drops every event.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoopReporter;

impl Reporter for NoopReporter {
    fn report(&self, _event: &Event) {}
}

/// Keeps every event, for tests.
#[derive(Debug, Default)]
pub struct CollectingReporter {
    events: Mutex<Vec<Event>>,
}

impl CollectingReporter {
    /// An empty collector.
    pub fn new() -> Self {
        Self::default()
    }

    /// A copy of the events received so far.
    pub fn events(&self) -> Vec<Event> {
        self.events
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

impl Reporter for CollectingReporter {
    fn report(&self, event: &Event) {
        self.events
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(event.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collecting_reporter_keeps_order_through_a_trait_object() {
        let collector = Arc::new(CollectingReporter::new());
        let reporter: &dyn Reporter = &collector;
        reporter.report(&Event::Phase {
            phase: Phase::Apply,
        });
        reporter.report(&Event::Interrupted);
        NoopReporter.report(&Event::Interrupted);
        assert_eq!(
            collector.events(),
            vec![
                Event::Phase {
                    phase: Phase::Apply
                },
                Event::Interrupted
            ]
        );
    }

    #[test]
    fn events_serialise_with_stable_names_and_seconds() {
        let event = Event::ItemDone {
            user: UserRef::new("id1", "anna@contoso.com"),
            action: Action::WriteBack,
            outcome: Outcome::Done,
            latency: Some(Duration::from_millis(1500)),
        };
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"event": "item-done", "user": {"id": "id1", "upn": "anna@contoso.com"},
                "action": "write-back", "outcome": "done", "latency_s": 1.5})
        );
        let retry = Event::ItemRetrying {
            user: UserRef::new("id1", "a"),
            action: Action::AddAlias,
            attempt: 2,
            after: Duration::from_secs(3),
            reason: "429".into(),
        };
        assert_eq!(serde_json::to_value(&retry).unwrap()["after_s"], 3.0);
    }
}
