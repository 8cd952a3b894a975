//! `mailfix runs` and `mailfix runs show ID`: the journal's runs, and one run's items with their
//! states, timings and write-back latency (README "Runs and the journal").

mod render;
mod run;

pub use run::run;
