//! `cleanup` (README "Cleanup"): remove every temporary alias the journal records as added and not removed
//! (of one run with `--run`, else of all runs), and with `--sweep` also the temporary aliases
//! found in the scope that no journal knows (mailfix's marker, the original script's
//! `.forcemailwriteback@`). Planned like `fix` ([`plan`] reads only), then carried out as a
//! journaled run of its own ([`execute`]).

mod plan;
mod report;
mod run;
mod sweep;

pub use plan::{CleanupPlan, plan};
pub use report::{CleanupOutcome, CleanupReport, nothing_to_do};
pub use run::execute;
pub use sweep::{FoundAliases, find as sweep};
