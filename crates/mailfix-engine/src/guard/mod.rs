//! `mailfix guard`: keep a scope healthy continuously. Each cycle reads only what changed (Graph
//! delta query), applies the scan rules to the changed users in scope, and reports, alerts or
//! remediates; the delta link and the cycle's state live in the journal, so a restart continues.

pub mod notify;
mod options;

pub use options::{DEFAULT_INTERVAL, DEFAULT_MAX_CHANGES_PER_CYCLE, GuardOptions, Mode};
