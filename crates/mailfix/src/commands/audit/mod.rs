//! `mailfix audit`: explain registration failures from the directory audit log (SPEC §8).

mod render;
mod run;

pub use run::{audit_and_print, run};
