//! `mailfix cleanup`: remove the temporary aliases the journal records as added and not removed,
//! and with `--sweep` those found in the scope that no journal knows (README "Cleanup"). Plan, confirm,
//! dry run and journal as in `fix`.

mod render;
mod run;

pub use run::run;
