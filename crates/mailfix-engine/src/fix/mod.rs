//! `fix` (README "Fix"): scan the scope for MF001 users, plan one temporary alias each, add them,
//! watch until Exchange writes `mail` back, remove the aliases, and report. Journaled throughout,
//! so that Ctrl-C or a crash can be resumed ([`resume()`]) or cleaned up
//! ([`crate::cleanup`]).
//!
//! The binary drives it in two calls: [`prepare`] (reads only; the plan to show and confirm),
//! then [`execute`].

mod domain;
mod error;
mod options;
mod plan;
mod prepare;
mod report;
mod resume;
mod run;
mod targets;

pub use domain::{alias_domain, choose as choose_alias_domain};
pub use error::FixError;
pub use options::{
    DEFAULT_CONCURRENCY, DEFAULT_POLL_INTERVAL, DEFAULT_TIMEOUT, FixOptions, MIN_POLL_INTERVAL,
    OnTimeout, WatchOptions, min_poll_interval,
};
pub use plan::{AliasPlanner, FixPlan, PlanError, PlannedAlias, check_max_changes};
pub use prepare::{PreparedFix, RunOptions, prepare};
pub use report::{
    FixReport, LatencySummary, ReportContext, ReportItem, RequestCounts, needs_resume,
};
pub use resume::{ResumeOptions, resume, run_to_resume};
pub use run::{FixContext, FixOutcome, execute};
pub use targets::{SkippedUser, TARGET_FIELDS, Targets, find_targets};
