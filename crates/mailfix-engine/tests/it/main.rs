//! mailfix-engine integration tests: one binary, a module per area.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns; a failed unwrap is a failed test

mod audit;
mod audit_online;
mod cleanup;
mod fix;
mod guard_payloads;
mod journal;
mod journal_commit;
mod readme;
mod registration;
mod rules;
mod scan;
mod seed;
mod seed_run;
mod support;
