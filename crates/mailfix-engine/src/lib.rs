//! mailfix engine: rules, plans, apply/watch/resume, seed, audit and the journal. No printing, no
//! CLI: operations report through [`events::Reporter`] and return report structs the binary renders.
#![warn(missing_docs)]

pub mod alias;
pub mod apply;
pub mod audit;
pub mod cleanup;
pub mod collect;
pub mod duration;
pub mod events;
pub mod facts;
pub mod finding;
pub mod fix;
pub mod journal;
pub mod latency;
pub mod plan;
pub mod resume;
pub mod rules;
pub mod run_id;
pub mod scan;
pub mod scope;
pub mod seed;
pub mod watch;

pub use finding::{Finding, Severity, UserRef};
pub use run_id::RunId;
/// Cancels a run's new work (Ctrl-C); re-exported so the binary uses the engine's version.
pub use tokio_util::sync::CancellationToken;
