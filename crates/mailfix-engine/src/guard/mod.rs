//! `mailfix guard`: keep a scope healthy continuously. Each cycle reads only what changed (Graph
//! delta query), applies the scan rules to the changed users in scope, and reports, alerts or
//! remediates; the delta link and the remediation's users live in the journal, so a restart
//! continues where the last run stopped.

mod context;
mod cycle;
mod detect;
mod error;
mod events;
pub mod notify;
mod options;
mod remedy;
mod service;

pub use context::GuardContext;
pub use cycle::CycleOutcome;
pub use detect::tracked_fields;
pub use error::GuardError;
pub use events::{CycleSummary, GuardEvent, GuardObserver};
pub use options::{
    DEFAULT_FULL_EVERY, DEFAULT_INTERVAL, DEFAULT_MAX_CHANGES_PER_CYCLE, GuardOptions, Mode,
};
pub use service::{GuardOutcome, run, scope_key};
