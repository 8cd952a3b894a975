//! Throttling: Graph resource-unit buckets per app and tenant, the 5-per-10-s limit of reports and
//! audit logs, and Exchange's concurrency limit (PROTOCOL.md §2.7, §1.7).
//!
//! The middleware admits top-level requests; the `$batch` handler admits each item itself with
//! [`Throttle::admit_graph`]. (Skeleton: admits everything until the buckets are implemented.)

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::clock::SimClock;

/// Response headers to add to an admitted request (`x-ms-resource-unit`,
/// `x-ms-throttle-limit-percentage`, `Rate-Limit-*`).
#[derive(Clone, Debug, Default)]
pub struct Admitted {
    /// Header name and value pairs.
    pub headers: Vec<(&'static str, String)>,
}

/// A refusal: answer 429 with these details.
#[derive(Clone, Debug)]
pub struct Throttled {
    /// Wall-clock time the client must wait (`Retry-After`, fractional seconds).
    pub retry_after: Duration,
    /// `x-ms-throttle-scope`, e.g. `Tenant_Application/ReadOnly/{appId}/{tenantId}`.
    pub scope: String,
    /// `x-ms-throttle-information`, e.g. `ResourceUnitLimitExceeded`.
    pub information: &'static str,
    /// The client came back before the end of a `Retry-After` it had been given for this bucket.
    pub early: bool,
}

/// Throttling state.
#[derive(Debug, Default)]
pub struct Throttle {}

impl Throttle {
    /// Admits a Graph request (directory bucket, or the reports/audit bucket for
    /// `/reports/` and `/auditLogs/` paths) of `app` for a tenant of `tenant_users` users.
    pub fn admit_graph(
        &self,
        app: &str,
        tenant_users: usize,
        method: &http::Method,
        path_and_query: &str,
        now: DateTime<Utc>,
        clock: &SimClock,
    ) -> Result<Admitted, Throttled> {
        let _ = (app, tenant_users, method, path_and_query, now, clock);
        Ok(Admitted::default())
    }
}
