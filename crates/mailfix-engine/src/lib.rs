//! mailfix engine: one module per command (`scan`, `fix`, `cleanup`, `seed`, `audit`) and the parts
//! they share (`aliases`, `journal`, `rules`, `scope`, ...). No printing, no
//! CLI: operations report through [`events::Reporter`] and return report structs the binary renders.
#![warn(missing_docs)]

pub mod aliases;
pub mod audit;
pub mod cleanup;
pub mod collect;
pub mod duration;
pub mod events;
pub mod facts;
pub mod finding;
pub mod fix;
pub mod guard;
pub mod journal;
pub mod mailbox_plans;
pub mod rules;
pub mod run_id;
pub mod scan;
pub mod scope;
pub mod seed;

pub use finding::{Finding, Severity, UserRef};
pub use run_id::RunId;
/// Cancels a run's new work (Ctrl-C); re-exported so the binary uses the engine's version.
pub use tokio_util::sync::CancellationToken;
