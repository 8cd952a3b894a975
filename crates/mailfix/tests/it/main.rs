//! Integration tests of the `mailfix` binary against the simulator, over HTTPS on loopback.
#![allow(clippy::unwrap_used, reason = "tests fail loudly")]
#![allow(
    dead_code,
    reason = "support helpers are shared by test modules that each use a part"
)]

mod auth;
mod errors;
mod expected;
mod scan;
mod scan_output;
mod support;
