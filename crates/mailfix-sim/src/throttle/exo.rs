//! Exchange's side of throttling: a request-rate budget per app in fixed windows (reported in
//! `Rate-Limit-Limit/Remaining/Reset`) and a limit on requests in flight per app.

use chrono::{DateTime, Utc};

use super::Throttled;
use super::buckets::{BucketKind, Throttle, Window, seconds, sim_duration};
use crate::clock::SimClock;

/// One Exchange request admitted; dropping it ends the request for the concurrency count.
#[derive(Debug)]
pub struct ExoPermit<'a> {
    throttle: &'a Throttle,
    app: String,
    /// Headers for the response (`Rate-Limit-*`, `X-Concurrencycount`).
    pub headers: Vec<(&'static str, String)>,
}

impl Drop for ExoPermit<'_> {
    fn drop(&mut self) {
        let mut inner = self.throttle.lock();
        if let Some(count) = inner.exo_in_flight.get_mut(&self.app) {
            *count = count.saturating_sub(1);
        }
    }
}

impl Throttle {
    /// Admits an Exchange request of `app`: its rate budget and its concurrency limit.
    pub fn admit_exo(
        &self,
        app: &str,
        now: DateTime<Utc>,
        clock: &SimClock,
    ) -> Result<ExoPermit<'_>, Throttled> {
        let mut inner = self.lock();
        inner.check_blocked(app, BucketKind::ExoRate, now, clock)?;
        let limits = inner.limits.clone();
        let quota = limits.get("exo.rate_quota");
        let window_s = limits.get("exo.rate_window_s");
        let fresh = Window {
            start: now,
            used: 0.0,
        };
        let window = inner.exo_windows.entry(app.to_owned()).or_insert(fresh);
        if seconds(now - window.start) >= window_s {
            *window = fresh;
        }
        let end = window.start + sim_duration(window_s);
        if window.used >= quota {
            return Err(inner.refuse(app, BucketKind::ExoRate, end - now, now, clock));
        }
        let in_flight = inner.exo_in_flight.get(app).copied().unwrap_or(0);
        let limit = limits.get("exo.concurrency");
        if limit >= 1.0 && f64::from(in_flight) >= limit {
            let wait = sim_duration(limits.get("exo.concurrency_retry_after_s"));
            return Err(Throttled {
                retry_after: clock.to_real(wait.to_std().unwrap_or_default()),
                scope: format!("Tenant_Application/Concurrency/{app}/{}", inner.tenant_id),
                information: "ConcurrencyLimitExceeded",
                early: false,
            });
        }
        let used = inner.exo_windows.get_mut(app).map_or(1.0, |w| {
            w.used += 1.0;
            w.used
        });
        *inner.exo_in_flight.entry(app.to_owned()).or_insert(0) += 1;
        let reset = Utc::now() + clock_real(clock, end - now);
        Ok(ExoPermit {
            throttle: self,
            app: app.to_owned(),
            headers: rate_headers(quota, (quota - used).max(0.0), reset, in_flight),
        })
    }
}

/// `Rate-Limit-*` (the reset as wall-clock time) and the concurrency counts of the other requests.
fn rate_headers(
    quota: f64,
    remaining: f64,
    reset: DateTime<Utc>,
    in_flight: u32,
) -> Vec<(&'static str, String)> {
    vec![
        ("Rate-Limit-Limit", format!("{quota:.0}")),
        ("Rate-Limit-Remaining", format!("{remaining:.0}")),
        (
            "Rate-Limit-Reset",
            reset.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        ),
        ("X-Concurrencycount", in_flight.to_string()),
        ("X-Combinedapponlyconcurrencycount", in_flight.to_string()),
    ]
}

fn clock_real(clock: &SimClock, sim: chrono::Duration) -> chrono::Duration {
    crate::clock::chrono_duration(clock.to_real(sim.to_std().unwrap_or_default()))
}
