//! The throttling state: token buckets in simulated time, the Exchange rate window and concurrency
//! count, and the memory of every `Retry-After` given (a client that comes back before it elapsed is
//! refused again and its request marked `early`).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::cost::{Cost, GraphFamily, cost};
use super::limits::Limits;
use super::{Admitted, Throttled};
use crate::clock::SimClock;

/// A bucket a client can be throttled on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BucketKind {
    /// Graph identity-and-access resource units (per app and tenant).
    GraphUnits,
    /// Graph writes (per app and tenant).
    GraphWrites,
    /// Graph writes of all apps in the tenant.
    TenantWrites,
    /// Graph reports and audit logs (per app and tenant).
    Reports,
    /// Exchange request rate (per app).
    ExoRate,
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    updated: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Window {
    pub(super) start: DateTime<Utc>,
    pub(super) used: f64,
}

#[derive(Debug, Default)]
pub(super) struct Inner {
    pub(super) limits: Limits,
    pub(super) tenant_id: String,
    buckets: HashMap<(String, BucketKind), Bucket>,
    blocked: HashMap<(String, BucketKind), DateTime<Utc>>,
    /// Until when each request (app, `client-request-id`) was told to wait.
    pub(super) told: HashMap<(String, String), DateTime<Utc>>,
    pub(super) exo_windows: HashMap<String, Window>,
    pub(super) exo_in_flight: HashMap<String, u32>,
}

/// Throttling state, shared by the middleware and the `$batch` handler.
#[derive(Debug, Default)]
pub struct Throttle {
    inner: Mutex<Inner>,
}

pub(super) fn seconds(d: chrono::Duration) -> f64 {
    d.num_microseconds().map_or(f64::MAX, |us| us as f64 / 1e6)
}

pub(super) fn sim_duration(s: f64) -> chrono::Duration {
    chrono::Duration::microseconds((s.max(0.0) * 1e6) as i64)
}

impl Throttle {
    /// Throttling with these limits, for the tenant `tenant_id` (named in `x-ms-throttle-scope`).
    pub fn new(limits: Limits, tenant_id: &str) -> Self {
        let inner = Inner {
            limits,
            tenant_id: tenant_id.to_owned(),
            ..Inner::default()
        };
        Self {
            inner: Mutex::new(inner),
        }
    }

    /// Replaces the limits (buckets keep their levels).
    pub fn set_limits(&self, limits: Limits) {
        self.lock().limits = limits;
    }

    /// The limits in force.
    pub fn limits(&self) -> Limits {
        self.lock().limits.clone()
    }

    /// Forgets every bucket level and `Retry-After` (requests in flight stay counted).
    pub fn reset(&self) {
        let mut inner = self.lock();
        inner.buckets.clear();
        inner.blocked.clear();
        inner.told.clear();
        inner.exo_windows.clear();
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

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
        let mut inner = self.lock();
        let cost = methods_as_reports(&inner.limits, cost(method, path_and_query), path_and_query);
        let draws = draws(&inner.limits, &cost, app, tenant_users);
        for draw in &draws {
            inner.check_blocked(app, draw.kind, now, clock)?;
        }
        // Refill everything first, then take from all buckets or from none.
        let mut short: Option<(BucketKind, f64)> = None;
        for draw in &draws {
            let bucket = inner.refill(&draw.owner, draw.kind, draw.quota, draw.window, now);
            let need = draw.units.min(draw.quota);
            if bucket.tokens < need {
                let wait = (need - bucket.tokens) * draw.window / draw.quota;
                if short.is_none_or(|(_, longest)| wait > longest) {
                    short = Some((draw.kind, wait));
                }
            }
        }
        if let Some((kind, wait)) = short {
            return Err(inner.refuse(app, kind, sim_duration(wait), now, clock));
        }
        let mut admitted = Admitted::default();
        for draw in &draws {
            let key = (draw.owner.clone(), draw.kind);
            if let Some(bucket) = inner.buckets.get_mut(&key) {
                bucket.tokens -= draw.units.min(draw.quota);
                let used = 1.0 - bucket.tokens / draw.quota;
                if draw.kind == BucketKind::GraphUnits && used >= 0.8 {
                    admitted
                        .headers
                        .push(("x-ms-throttle-limit-percentage", format!("{used:.1}")));
                }
            }
        }
        if cost.family == GraphFamily::Directory {
            admitted
                .headers
                .push(("x-ms-resource-unit", cost.units.to_string()));
        }
        Ok(admitted)
    }

    /// Remembers that `app` was told (by an injected 429) to wait `retry_after` (wall clock) before
    /// using `kind` again.
    pub fn note_retry_after(
        &self,
        app: &str,
        kind: BucketKind,
        retry_after: Duration,
        now: DateTime<Utc>,
        clock: &SimClock,
    ) {
        let until = now + crate::clock::chrono_duration(clock.to_sim(retry_after));
        self.lock().blocked.insert((app.to_owned(), kind), until);
    }
}

/// With the switch `graph.methods_reports_limit` on, an authentication-method route
/// (`/users/{id}/authentication/...`) draws from the reports bucket, 5 requests per 10 s, as
/// Microsoft's reports table lists the resource `authenticationMethod` (microsoft-graph-docs-contrib
/// `includes/throttling-entra-logs-reports.md`; whether it covers these routes is UNCONFIRMED).
fn methods_as_reports(limits: &Limits, cost: Cost, path_and_query: &str) -> Cost {
    let path = path_and_query.split('?').next().unwrap_or_default();
    if limits.get("graph.methods_reports_limit") > 0.0 && path.contains("/authentication/") {
        return Cost {
            family: GraphFamily::Reports,
            units: 1,
            write: cost.write,
        };
    }
    cost
}

/// What one request takes from one bucket.
struct Draw {
    /// Bucket owner: the app, or empty for the tenant-wide bucket.
    owner: String,
    kind: BucketKind,
    units: f64,
    quota: f64,
    window: f64,
}

/// The buckets a Graph request of `cost` draws from.
fn draws(limits: &Limits, cost: &Cost, app: &str, tenant_users: usize) -> Vec<Draw> {
    let draw = |owner: &str, kind, units, quota: &str, window: &str| Draw {
        owner: owner.to_owned(),
        kind,
        units,
        quota: limits.get(quota),
        window: limits.get(window),
    };
    match cost.family {
        GraphFamily::Reports => vec![draw(
            app,
            BucketKind::Reports,
            1.0,
            "graph.reports_quota",
            "graph.reports_window_s",
        )],
        GraphFamily::Directory => {
            let mut units = draw(
                app,
                BucketKind::GraphUnits,
                f64::from(cost.units),
                "",
                "graph.ru_window_s",
            );
            units.quota = limits.ru_quota(tenant_users);
            let mut draws = vec![units];
            if cost.write {
                draws.push(draw(
                    app,
                    BucketKind::GraphWrites,
                    1.0,
                    "graph.write_quota",
                    "graph.write_window_s",
                ));
                draws.push(draw(
                    "",
                    BucketKind::TenantWrites,
                    1.0,
                    "graph.tenant_write_quota",
                    "graph.tenant_write_window_s",
                ));
            }
            draws
        }
    }
}

impl Inner {
    /// Refuses a request of `app` that comes before the end of a `Retry-After` it was given for `kind`.
    pub(super) fn check_blocked(
        &self,
        app: &str,
        kind: BucketKind,
        now: DateTime<Utc>,
        clock: &SimClock,
    ) -> Result<(), Throttled> {
        match self.blocked.get(&(app.to_owned(), kind)).copied() {
            Some(until) if now < until => {
                let mut refusal = self.describe(app, kind, until - now, clock);
                refusal.early = true;
                Err(refusal)
            }
            _ => Ok(()),
        }
    }

    fn refill(
        &mut self,
        owner: &str,
        kind: BucketKind,
        quota: f64,
        window: f64,
        now: DateTime<Utc>,
    ) -> Bucket {
        let bucket = self
            .buckets
            .entry((owner.to_owned(), kind))
            .or_insert(Bucket {
                tokens: quota,
                updated: now,
            });
        let elapsed = seconds(now - bucket.updated).max(0.0);
        if window > 0.0 {
            bucket.tokens = (bucket.tokens + elapsed * quota / window).min(quota);
        }
        bucket.updated = now;
        *bucket
    }

    pub(super) fn refuse(
        &mut self,
        app: &str,
        kind: BucketKind,
        wait: chrono::Duration,
        now: DateTime<Utc>,
        clock: &SimClock,
    ) -> Throttled {
        self.blocked.insert((app.to_owned(), kind), now + wait);
        self.describe(app, kind, wait, clock)
    }

    fn describe(
        &self,
        app: &str,
        kind: BucketKind,
        wait: chrono::Duration,
        clock: &SimClock,
    ) -> Throttled {
        let tenant = &self.tenant_id;
        let (scope, information) = match kind {
            BucketKind::GraphUnits | BucketKind::Reports => (
                format!("Tenant_Application/ReadWrite/{app}/{tenant}"),
                "ResourceUnitLimitExceeded",
            ),
            BucketKind::GraphWrites => (
                format!("Tenant_Application/Write/{app}/{tenant}"),
                "WriteLimitExceeded",
            ),
            BucketKind::TenantWrites => (format!("Tenant/Write/{tenant}"), "WriteLimitExceeded"),
            BucketKind::ExoRate => (
                format!("Tenant_Application/ReadWrite/{app}/{tenant}"),
                "RateLimitExceeded",
            ),
        };
        let wait = wait
            .to_std()
            .unwrap_or_default()
            .max(Duration::from_millis(1));
        Throttled {
            retry_after: clock.to_real(wait),
            scope,
            information,
            early: false,
        }
    }
}
