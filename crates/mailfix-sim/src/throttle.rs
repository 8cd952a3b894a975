//! Throttling: Graph resource-unit buckets per app and tenant, the 5-per-10-s limit of reports and
//! audit logs, and Exchange's concurrency limit (PROTOCOL.md §2.7, §1.7).
//!
//! (Skeleton: admits everything. The real buckets are filled in by the behaviour work.)

/// Throttling state.
#[derive(Debug, Default)]
pub struct Throttle {}
