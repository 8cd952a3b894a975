//! Pacing per service: a concurrency cap, a "not before" instant set by throttled answers (so that
//! concurrent requests also wait out a `Retry-After`), spacing between sends when the service
//! signals it is near its limit, and a sliding window for the reports/audit limit (5 per 10 s).
//!
//! [`Gate`] is the pure part (explicit instants, unit-tested); [`Lane`] adds the semaphore and the
//! sleeping.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::{Semaphore, SemaphorePermit};
use tokio::time::Instant;

use crate::counters::Counters;

/// Concurrency caps and pacing knobs.
#[derive(Clone, Debug, PartialEq)]
pub struct Limits {
    /// Requests in flight to Graph (default 8).
    pub graph_concurrency: usize,
    /// Requests in flight to Exchange (default 3).
    pub exchange_concurrency: usize,
    /// Requests per [`Limits::reports_window`] to Graph reports and audit logs (default 5;
    /// "5 requests per 10 seconds per app per tenant", PROTOCOL.md §2.7). These run one at a time.
    pub reports_requests: usize,
    /// The reports/audit window (default 10 s).
    pub reports_window: Duration,
    /// Usage of the service's limit from which sends are spaced out (default 0.8, the value at
    /// which Graph starts sending `x-ms-throttle-limit-percentage`).
    pub slow_down_from: f64,
    /// Spacing at [`Limits::slow_down_from`]; it grows by the same step per 10 % of usage above it
    /// (default 250 ms).
    pub slow_down_step: Duration,
    /// Largest spacing (default 2 s).
    pub max_spacing: Duration,
    /// Refresh a token this long before it expires, at most a fifth of its lifetime (default 5 min).
    pub token_refresh_before: Duration,
    /// Timeout of one HTTP request (default 100 s).
    pub request_timeout: Duration,
    /// Graph page size (`$top`, default 999, the maximum).
    pub graph_page_size: u32,
    /// Exchange page size (`Prefer: odata.maxpagesize`, default 1000, the maximum).
    pub exchange_page_size: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            graph_concurrency: 8,
            exchange_concurrency: 3,
            reports_requests: 5,
            reports_window: Duration::from_secs(10),
            slow_down_from: 0.8,
            slow_down_step: Duration::from_millis(250),
            max_spacing: Duration::from_secs(2),
            token_refresh_before: Duration::from_secs(300),
            request_timeout: Duration::from_secs(100),
            graph_page_size: 999,
            exchange_page_size: 1000,
        }
    }
}

impl Limits {
    /// The spacing between sends for a given usage of the service's limit (0.0..).
    pub fn spacing_for(&self, usage: f64) -> Duration {
        if !usage.is_finite() || usage < self.slow_down_from {
            return Duration::ZERO;
        }
        let steps = 1.0 + (usage - self.slow_down_from) * 10.0;
        self.slow_down_step
            .mul_f64(steps.min(1000.0))
            .min(self.max_spacing)
    }
}

/// How much of its limit a service says is used, from response headers: Graph's
/// `x-ms-throttle-limit-percentage` (0.8..1.8), or Exchange's `Rate-Limit-Remaining` against
/// `Rate-Limit-Limit`.
pub(crate) fn usage_from_headers(headers: &http::HeaderMap) -> Option<f64> {
    let num = |name: &str| -> Option<f64> { headers.get(name)?.to_str().ok()?.trim().parse().ok() };
    if let Some(p) = num("x-ms-throttle-limit-percentage") {
        return Some(p);
    }
    let remaining = num("rate-limit-remaining")?;
    match num("rate-limit-limit") {
        Some(limit) if limit > 0.0 => Some(1.0 - remaining / limit),
        // Without the limit, treat fewer than 10 remaining as nearly exhausted.
        _ => Some(if remaining < 10.0 { 0.95 } else { 0.0 }),
    }
}

#[derive(Debug)]
struct Window {
    max: usize,
    period: Duration,
    done: VecDeque<Instant>,
}

/// When the next send of a service may go.
#[derive(Debug, Default)]
pub(crate) struct Gate {
    not_before: Option<Instant>,
    spacing: Duration,
    next_slot: Option<Instant>,
    window: Option<Window>,
}

impl Gate {
    /// A gate that also allows at most `max` sends per `period` (measured from completions).
    pub(crate) fn windowed(max: usize, period: Duration) -> Self {
        Self {
            window: Some(Window {
                max: max.max(1),
                period,
                done: VecDeque::new(),
            }),
            ..Self::default()
        }
    }

    /// The earliest instant a send may start.
    pub(crate) fn ready_at(&self, now: Instant) -> Instant {
        let mut at = now;
        for t in [self.not_before, self.next_slot].into_iter().flatten() {
            at = at.max(t);
        }
        if let Some(w) = &self.window
            && w.done.len() >= w.max
            && let Some(oldest) = w.done.front()
        {
            at = at.max(*oldest + w.period);
        }
        at
    }

    /// Takes a slot at `now` if the gate is open; otherwise says when to come back.
    pub(crate) fn try_pass(&mut self, now: Instant) -> Result<(), Instant> {
        let at = self.ready_at(now);
        if at > now {
            return Err(at);
        }
        if !self.spacing.is_zero() {
            self.next_slot = Some(now + self.spacing);
        }
        Ok(())
    }

    /// Holds every send back until `until` (after a throttled answer).
    pub(crate) fn hold_until(&mut self, until: Instant) {
        self.not_before = Some(self.not_before.map_or(until, |t| t.max(until)));
    }

    /// Sets the spacing between sends from a signal received at `now` (zero when the service
    /// reports no pressure); the next send waits at least `spacing` from now.
    pub(crate) fn set_spacing(&mut self, now: Instant, spacing: Duration) {
        self.spacing = spacing;
        if spacing.is_zero() {
            self.next_slot = None;
        } else {
            let slot = now + spacing;
            self.next_slot = Some(self.next_slot.map_or(slot, |t| t.max(slot)));
        }
    }

    /// Records a completed send (for the window).
    pub(crate) fn completed(&mut self, at: Instant) {
        if let Some(w) = &mut self.window {
            w.done.push_back(at);
            while w.done.len() > w.max {
                w.done.pop_front();
            }
        }
    }
}

/// A service's pacing: semaphore plus gate.
#[derive(Debug)]
pub(crate) struct Lane {
    gate: Mutex<Gate>,
    permits: Semaphore,
}

impl Lane {
    /// A lane with `concurrency` permits.
    pub(crate) fn new(concurrency: usize, gate: Gate) -> Self {
        Self {
            gate: Mutex::new(gate),
            permits: Semaphore::new(concurrency.max(1)),
        }
    }

    fn with_gate<T>(&self, f: impl FnOnce(&mut Gate) -> T) -> T {
        let mut gate = self
            .gate
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut gate)
    }

    /// Waits for a permit and for the gate to open; the permit is held for one send.
    pub(crate) async fn admit(&self, counters: &Counters) -> SemaphorePermit<'_> {
        // The semaphore lives as long as the lane and is never closed.
        let permit = self
            .permits
            .acquire()
            .await
            .expect("lane semaphores are never closed");
        loop {
            let now = Instant::now();
            match self.with_gate(|g| g.try_pass(now)) {
                Ok(()) => return permit,
                Err(at) => {
                    counters.waited(at - now);
                    tokio::time::sleep_until(at).await;
                }
            }
        }
    }

    /// Holds the whole lane back until `until`.
    pub(crate) fn hold_until(&self, until: Instant) {
        self.with_gate(|g| g.hold_until(until));
    }

    /// Records a completed send and the service's pressure signal.
    pub(crate) fn completed(&self, at: Instant, spacing: Option<Duration>) {
        self.with_gate(|g| {
            g.completed(at);
            if let Some(s) = spacing {
                g.set_spacing(at, s);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_hold_blocks_until_it_passes_and_keeps_the_later_of_two() {
        let t0 = Instant::now();
        let mut g = Gate::default();
        assert!(g.try_pass(t0).is_ok());
        g.hold_until(t0 + ms(500));
        g.hold_until(t0 + ms(200));
        assert_eq!(g.try_pass(t0 + ms(100)), Err(t0 + ms(500)));
        assert!(g.try_pass(t0 + ms(500)).is_ok());
    }

    #[test]
    fn spacing_staggers_sends_and_clears() {
        let t0 = Instant::now();
        let mut g = Gate::default();
        g.set_spacing(t0, ms(250));
        assert_eq!(g.try_pass(t0 + ms(10)), Err(t0 + ms(250)));
        assert!(g.try_pass(t0 + ms(250)).is_ok());
        assert_eq!(g.try_pass(t0 + ms(260)), Err(t0 + ms(500)));
        g.set_spacing(t0 + ms(270), Duration::ZERO);
        assert!(g.try_pass(t0 + ms(271)).is_ok());
    }

    #[test]
    fn window_allows_n_per_period_from_completions() {
        let t0 = Instant::now();
        let mut g = Gate::windowed(2, ms(1000));
        for i in 0..2 {
            assert!(g.try_pass(t0 + ms(i)).is_ok());
            g.completed(t0 + ms(i * 100 + 50));
        }
        assert_eq!(g.try_pass(t0 + ms(300)), Err(t0 + ms(1050)));
        assert!(g.try_pass(t0 + ms(1050)).is_ok());
        g.completed(t0 + ms(1100));
        assert_eq!(g.try_pass(t0 + ms(1100)), Err(t0 + ms(1150)));
    }

    #[test]
    fn spacing_grows_with_usage_and_is_capped() {
        let l = Limits::default();
        assert_eq!(l.spacing_for(0.5), Duration::ZERO);
        assert_eq!(l.spacing_for(0.8), ms(250));
        assert_eq!(l.spacing_for(0.9), ms(500));
        assert_eq!(l.spacing_for(1.8), Duration::from_secs(2));
        assert_eq!(l.spacing_for(f64::NAN), Duration::ZERO);
    }

    #[test]
    fn usage_reads_graph_and_exchange_headers() {
        let mut h = http::HeaderMap::new();
        assert_eq!(usage_from_headers(&h), None);
        h.insert("x-ms-throttle-limit-percentage", "0.85".parse().unwrap());
        assert_eq!(usage_from_headers(&h), Some(0.85));
        let mut e = http::HeaderMap::new();
        e.insert("Rate-Limit-Limit", "30000".parse().unwrap());
        e.insert("Rate-Limit-Remaining", "29997".parse().unwrap());
        assert!(usage_from_headers(&e).unwrap() < 0.01);
        e.insert("Rate-Limit-Remaining", "300".parse().unwrap());
        assert!((usage_from_headers(&e).unwrap() - 0.99).abs() < 1e-9);
        let mut bare = http::HeaderMap::new();
        bare.insert("Rate-Limit-Remaining", "3".parse().unwrap());
        assert_eq!(usage_from_headers(&bare), Some(0.95));
    }
}
