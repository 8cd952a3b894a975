//! `mailfix audit`: explain registration failures from the directory audit log (README "Audit").

mod render;
mod run;

pub use run::{audit_and_print, run};
