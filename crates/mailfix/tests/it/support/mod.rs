//! Shared test support: a simulator in this process over HTTPS, and the `mailfix` binary run as a
//! child process pointed at it with a private journal and no user config.

/// Crash trials: kill a write command at random moments and inspect what it left.
pub mod crash;
/// Guard: the webhook receiver, hires, Graph requests and NDJSON events.
pub mod guard;
mod harness;
/// HTML reports: parsed, and checked for what a browser without network and a screen reader need.
pub mod html;

pub use harness::{
    RUN_LIMIT, TestSim, interrupt, run, run_within, stderr, stdout, terminate, write,
};
