//! What guard tells its observer while it runs (the binary prints them as lines or NDJSON, and
//! counts them for `/metrics`): cycles, findings, the plan, fixes, resyncs and warnings.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::finding::{Finding, UserRef};
use crate::run_id::RunId;

/// Counts of one finished cycle.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CycleSummary {
    /// The cycle number in this guard's journal.
    pub cycle: u64,
    /// Whether it read the whole scope.
    pub full: bool,
    /// Changes the delta round returned (users, replays and removals included); the users
    /// listed in a full scan.
    pub changes: u64,
    /// Users in scope the rules were applied to.
    pub checked: u64,
    /// Findings by rule id.
    pub findings: BTreeMap<String, u64>,
    /// Users fixed, stuck and failed in the cycle.
    pub fixed: u64,
    /// Users Exchange did not write back in time.
    pub stuck: u64,
    /// Users the fix failed for.
    pub failed: u64,
    /// Graph requests the cycle made.
    pub graph_requests: u64,
    /// Exchange requests the cycle made.
    pub exchange_requests: u64,
    /// Throttled answers in the cycle.
    pub throttled: u64,
    /// When it ended.
    pub at: DateTime<Utc>,
    /// How long it took.
    #[serde(serialize_with = "seconds")]
    pub elapsed: Duration,
}

fn seconds<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((d.as_secs_f64() * 1000.0).round() / 1000.0)
}

/// One event.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum GuardEvent {
    /// A cycle starts.
    CycleStarted {
        /// Its number.
        cycle: u64,
        /// Whether it reads the whole scope.
        full: bool,
    },
    /// The delta link was refused: the whole scope is read again (said once per resync).
    Resync {
        /// What the service answered.
        reason: String,
    },
    /// A finding on a changed user in scope.
    Finding {
        /// The finding.
        #[serde(flatten)]
        finding: Finding,
    },
    /// What remediation will do this cycle.
    Plan {
        /// The cycle.
        cycle: u64,
        /// Users whose fix starts now.
        fixing: u64,
        /// MF001 users left for later cycles by `--max-changes-per-cycle`.
        deferred: u64,
        /// MF001 users skipped because a fix of theirs is under way.
        already_fixing: u64,
        /// MF001 users skipped because they were stuck or failed before (alerted then).
        known_stuck: u64,
    },
    /// A fix run (started now, or resumed after a restart) ended.
    FixFinished {
        /// The run.
        run: RunId,
        /// Users fixed.
        fixed: Vec<UserRef>,
        /// Users stuck.
        stuck: Vec<UserRef>,
        /// Users failed.
        failed: Vec<UserRef>,
        /// Whether Ctrl-C or SIGTERM stopped it (resumed at the next start).
        interrupted: bool,
    },
    /// A cycle ended.
    CycleFinished {
        /// Its counts.
        #[serde(flatten)]
        summary: CycleSummary,
    },
    /// Something the admin should know that did not stop the guard.
    Warning {
        /// What happened.
        message: String,
    },
}

/// Receives guard events. Called synchronously from the guard's task: keep it cheap.
pub trait GuardObserver: Send + Sync {
    /// One event.
    fn event(&self, event: &GuardEvent);
}
