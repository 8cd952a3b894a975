//! `mailfix fix`: plan, confirm and carry out the journaled fix of README "Fix", or `--resume` one.

mod render;
mod run;

pub use render::{footer, latency_line, others_table, secs, with_journal};
pub(crate) use run::{concurrency, positive};
pub use run::{exit_for_missing, run};
