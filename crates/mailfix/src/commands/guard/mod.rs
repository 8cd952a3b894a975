//! `mailfix guard`: watch a scope continuously (or one cycle with `--once`), report, alert or
//! remediate, with a webhook for notices and `/healthz` and `/metrics` for operators.

mod args;
mod listen;
mod metrics;
mod render;
mod run;
mod shutdown;
mod webhook;

pub use args::{GuardArgs, ModeArg};
pub use run::run;
