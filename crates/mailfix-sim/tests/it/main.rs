//! The simulator's integration tests: everything through HTTP(S) on loopback.
#![allow(clippy::unwrap_used, reason = "test helpers, like tests, fail loudly")]

mod login_assertion;
mod login_client_credentials;
mod login_device_code;
mod login_discovery;
mod login_errors;
mod login_support;
#[path = "../../examples/support/scenario.rs"]
mod scenario;
