//! Authentication-method routes under the reports limit. Microsoft's throttling table for
//! identity reports lists the resource `authenticationMethod` under "5 requests per 10 seconds per
//! app per tenant" (microsoft-graph-docs-contrib `includes/throttling-entra-logs-reports.md`);
//! whether that covers `/users/{id}/authentication/*` is unconfirmed. So these routes start in
//! Graph's lane, and move to the reports lane (`Lane::Reports`, 5 per [`Limits::reports_window`])
//! for the rest of the run once the service shows that limit: a 429 on such a route when only a
//! handful of such requests succeeded within the window before it (Graph's resource-unit limit
//! refuses after thousands, its write limit says so in `x-ms-throttle-information`).
//!
//! [`Limits::reports_window`]: crate::pace::Limits::reports_window

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::time::Instant;

use crate::error::Service;
use crate::execute::{Sent, Transport};
use crate::pace::Pacer;
use crate::request::{Lane, Request};

/// Whether a Graph path (or a `$batch` item's relative URL) is an authentication-method route.
pub(crate) fn is_methods_path(path: &str) -> bool {
    path.split('?')
        .next()
        .is_some_and(|p| p.contains("/authentication/"))
}

/// What the client has seen of the authentication-method routes.
#[derive(Debug)]
pub(crate) struct MethodsPace {
    paced: AtomicBool,
    /// Whether any answer on these routes was seen yet.
    observed: AtomicBool,
    /// Successful answers on these routes within the last window.
    recent: Mutex<VecDeque<Instant>>,
    window: Duration,
    /// At most this many successes within the window before a 429 mean the reports limit.
    few: usize,
}

impl MethodsPace {
    /// A tracker for a reports limit of `requests` per `window`.
    pub(crate) fn new(requests: usize, window: Duration) -> Self {
        Self {
            paced: AtomicBool::new(false),
            observed: AtomicBool::new(false),
            recent: Mutex::new(VecDeque::new()),
            window,
            few: requests.max(1) * 2,
        }
    }

    /// Whether any answer on these routes came back yet (until then, whether the limit applies is
    /// unknown, and a burst of requests would meet it all at once).
    pub(crate) fn observed(&self) -> bool {
        self.observed.load(Ordering::Relaxed)
    }

    /// Whether these routes go through the reports lane now.
    pub(crate) fn paced(&self) -> bool {
        self.paced.load(Ordering::Relaxed)
    }

    /// Records an answer on an authentication-method route: its status, when it came, and its
    /// `x-ms-throttle-information`. Returns whether this answer moved the routes to the reports
    /// lane.
    pub(crate) fn note(&self, status: u16, at: Instant, information: Option<&str>) -> bool {
        self.observed.store(true, Ordering::Relaxed);
        if self.paced() {
            return false;
        }
        let mut recent = self
            .recent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while recent
            .front()
            .is_some_and(|t| at.saturating_duration_since(*t) > self.window)
        {
            recent.pop_front();
        }
        if (200..300).contains(&status) {
            recent.push_back(at);
            return false;
        }
        let write_limit = information.is_some_and(|i| i.eq_ignore_ascii_case("WriteLimitExceeded"));
        if status != 429 || write_limit || recent.len() > self.few {
            return false;
        }
        self.paced.store(true, Ordering::Relaxed);
        tracing::info!(
            succeeded_in_window = recent.len(),
            "Graph applies its reports limit to authentication methods: pacing them at the \
             reports rate from now on"
        );
        true
    }
}

impl Transport {
    /// The lane a request goes through: its own, except that authentication-method routes go
    /// through the reports lane once the service has shown that limit there.
    pub(crate) fn pacer_for(&self, req: &Request) -> &Pacer {
        if req.service == Service::Graph && self.methods.paced() && is_methods_path(req.url.path())
        {
            return self.pacer(Lane::Reports);
        }
        self.pacer(req.lane())
    }

    /// Tells the methods tracker about an answer on an authentication-method route.
    pub(crate) fn note_methods(&self, req: &Request, sent: &Sent) {
        if let Sent::Response(r) = sent
            && req.service == Service::Graph
            && is_methods_path(req.url.path())
        {
            let info = r.header_str("x-ms-throttle-information");
            self.methods.note(r.status.as_u16(), r.received_at, info);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_429_after_a_handful_of_successes_is_the_reports_limit() {
        let pace = MethodsPace::new(5, ms(10_000));
        let t0 = Instant::now();
        for i in 0..5 {
            assert!(!pace.note(201, t0 + ms(i), None));
        }
        assert!(pace.note(429, t0 + ms(6), Some("ResourceUnitLimitExceeded")));
        assert!(pace.paced());
    }

    #[test]
    fn a_429_after_many_successes_or_for_writes_is_not() {
        let t0 = Instant::now();
        let busy = MethodsPace::new(5, ms(10_000));
        for i in 0..50 {
            busy.note(200, t0 + ms(i), None);
        }
        assert!(!busy.note(429, t0 + ms(60), None));
        let writes = MethodsPace::new(5, ms(10_000));
        assert!(!writes.note(429, t0, Some("WriteLimitExceeded")));
        assert!(!busy.paced() && !writes.paced());
        // Successes older than the window no longer count.
        assert!(busy.note(429, t0 + ms(20_000), None));
    }

    #[test]
    fn methods_paths_are_recognised() {
        assert!(is_methods_path("/v1.0/users/a/authentication/methods"));
        assert!(is_methods_path("/users/a/authentication/phoneMethods?$x=1"));
        assert!(!is_methods_path("/v1.0/users?$filter=x"));
        assert!(!is_methods_path(
            "/v1.0/reports/authenticationMethods/userRegistrationDetails"
        ));
    }
}
