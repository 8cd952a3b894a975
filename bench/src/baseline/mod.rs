//! The baseline: the original PowerShell script's algorithm (README "Benchmarks"), over the same
//! HTTP APIs mailfix uses and through mailfix's own client library, so it gets mailfix's retry
//! and throttle handling (which flatters it: the script had none). It connects with the same
//! `MAILFIX_*` environment variables as mailfix and prints one JSON summary on stdout.

mod fix;
mod members;
mod run;
mod scan;

pub use run::{BaselineArgs, run};
pub use scan::PAGE;
