//! Pacing per service: a concurrency cap, a "not before" instant set by throttled answers (so that
//! concurrent requests also wait out a `Retry-After`), spacing between sends when the service
//! signals it is near its limit, and a sliding window for the reports/audit limit (5 per 10 s).
//!
//! After a throttled answer the lane does not let every waiting request go at once when the
//! `Retry-After` ends (they would all meet the same empty bucket and be refused again). Sends are
//! spaced instead: a throttled answer doubles the spacing, halving the rate (at least to its
//! `Retry-After`; once per spacing interval, so the answers of requests already in flight count
//! once), every answer eases it by 2 %, and it ends when no answer has been throttled for
//! [`Limits::throttle_memory`]. Against a quota that refills
//! continuously this settles a little below the refill rate, with one throttled answer in a few
//! dozen; after a long `Retry-After` it costs a send or two spaced by [`Limits::max_spacing`].
//!
//! The window counts requests in flight and requests answered within the last period: a request
//! is sent only when fewer than `max` are. The service counts arrivals; every request that arrived
//! within one period before another one's arrival was, when that one was sent, either in flight or
//! answered within the period before, so no period ever sees more than `max` arrivals, whatever
//! the concurrency. (Counting answers, not sends, costs one round trip per request at most.)
//!
//! [`Gate`] is the pure part (explicit instants, unit-tested); [`Pacer`] adds the places in flight
//! ([`slots`], adaptive for Exchange) and the sleeping; [`Admission`] records the answer (or the
//! abandonment) of each admitted send.

mod slots;

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

pub use slots::ConcurrencyReport;
use slots::{Slot, Slots};

use crate::counters::Counters;

/// Concurrency caps and pacing knobs.
#[derive(Clone, Debug, PartialEq)]
pub struct Limits {
    /// Requests in flight to Graph (default 8).
    pub graph_concurrency: usize,
    /// Requests in flight to Exchange (default 3; `fix --concurrency`). Lowered by itself while
    /// Exchange pushes back (429, or "maximum number of concurrent requests"), raised again after
    /// a long run of answers without push-back.
    pub exchange_concurrency: usize,
    /// Requests per [`Limits::reports_window`] to Graph reports and audit logs (default 5;
    /// "5 requests per 10 seconds per app per tenant", docs/protocol.md §2.7), in flight included.
    pub reports_requests: usize,
    /// Reports/audit requests in flight at once (default 2, at most `reports_requests`): paged
    /// reads are sequential, so two independent reads (e.g. two audit queries) overlap their
    /// round trips when the service answers more slowly than the window allows.
    pub reports_concurrency: usize,
    /// The reports/audit window (default 10 s).
    pub reports_window: Duration,
    /// Usage of the service's limit from which sends are spaced out (default 0.8, the value at
    /// which Graph starts sending `x-ms-throttle-limit-percentage`).
    pub slow_down_from: f64,
    /// Spacing at [`Limits::slow_down_from`]; it grows by the same step per 10 % of usage above it
    /// (default 250 ms).
    pub slow_down_step: Duration,
    /// Largest spacing (default 2 s), for pressure signals and after throttled answers alike.
    pub max_spacing: Duration,
    /// How long after the end of its last `Retry-After` a lane keeps spacing its sends after
    /// throttled answers (default 2 s).
    pub throttle_memory: Duration,
    /// Refresh a token this long before it expires, at most a fifth of its lifetime (default 5 min).
    pub token_refresh_before: Duration,
    /// Timeout of one HTTP request (default 100 s).
    pub request_timeout: Duration,
    /// Graph page size (`$top`, default 999, the maximum).
    pub graph_page_size: u32,
    /// Exchange page size (`Prefer: odata.maxpagesize`, default 1000, the maximum).
    pub exchange_page_size: u32,
    /// The largest answer read (default 64 MiB; a page of 999 users with every field is a few
    /// MiB): anything larger fails with a clear error instead of filling the memory.
    pub max_answer_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            graph_concurrency: 8,
            exchange_concurrency: 3,
            reports_requests: 5,
            reports_concurrency: 2,
            reports_window: Duration::from_secs(10),
            slow_down_from: 0.8,
            slow_down_step: Duration::from_millis(250),
            max_spacing: Duration::from_secs(2),
            throttle_memory: Duration::from_secs(2),
            token_refresh_before: Duration::from_secs(300),
            request_timeout: Duration::from_secs(100),
            graph_page_size: 999,
            exchange_page_size: 1000,
            max_answer_bytes: 64 << 20,
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
    /// Answer times of the last `max` sends, oldest first.
    done: VecDeque<Instant>,
    in_flight: usize,
}

impl Window {
    /// When a send may go, counting sends in flight and answers within the period before `now`.
    fn ready_at(&self, now: Instant) -> Instant {
        let recent: Vec<Instant> = self
            .done
            .iter()
            .copied()
            .filter(|t| *t + self.period > now)
            .collect();
        let used = self.in_flight + recent.len();
        if used < self.max {
            return now;
        }
        // The (used - max + 1)-th oldest recent answer must leave the period first. It exists
        // while fewer than `max` sends are in flight (lanes allow at most `max` at once and the
        // caller's own send is not in flight yet); otherwise wait for an answer.
        match recent.get(used - self.max) {
            Some(t) => *t + self.period,
            None => now + self.period / (self.max as u32).max(1),
        }
    }
}

/// Spacing after throttled answers, kept while [`Gate::remembers_throttling`].
#[derive(Clone, Copy, Debug)]
struct Episode {
    spacing: Duration,
    /// When the spacing was last doubled.
    raised_at: Instant,
    /// The earliest next send.
    next: Option<Instant>,
}

/// A throttled answer doubles the episode's spacing.
const RAISE: f64 = 2.0;
/// Every answer eases it by this factor.
const EASE: f64 = 0.98;

/// How a gate spaces sends after throttled answers.
#[derive(Clone, Copy, Debug)]
pub(crate) struct AfterThrottle {
    /// The largest spacing.
    pub(crate) cap: Duration,
    /// How long after a `Retry-After` ends the spacing lasts.
    pub(crate) memory: Duration,
}

impl AfterThrottle {
    pub(crate) fn from_limits(limits: &Limits) -> Self {
        Self {
            cap: limits.max_spacing,
            memory: limits.throttle_memory,
        }
    }
}

impl Default for AfterThrottle {
    fn default() -> Self {
        Self::from_limits(&Limits::default())
    }
}

/// When the next send of a service may go.
#[derive(Debug, Default)]
pub(crate) struct Gate {
    not_before: Option<Instant>,
    spacing: Duration,
    next_slot: Option<Instant>,
    window: Option<Window>,
    after_throttle: AfterThrottle,
    episode: Option<Episode>,
}

impl Gate {
    /// A gate that also allows at most `max` sends per `period` (measured from completions).
    pub(crate) fn windowed(max: usize, period: Duration) -> Self {
        Self {
            window: Some(Window {
                max: max.max(1),
                period,
                done: VecDeque::new(),
                in_flight: 0,
            }),
            ..Self::default()
        }
    }

    /// Sets how sends are spaced after throttled answers.
    pub(crate) fn after_throttle(mut self, after_throttle: AfterThrottle) -> Self {
        self.after_throttle = after_throttle;
        self
    }

    /// The earliest instant a send may start.
    pub(crate) fn ready_at(&self, now: Instant) -> Instant {
        let mut at = now;
        let episode_slot = self
            .episode
            .and_then(|e| e.next)
            .filter(|_| self.remembers_throttling(now));
        for t in [self.not_before, self.next_slot, episode_slot]
            .into_iter()
            .flatten()
        {
            at = at.max(t);
        }
        if let Some(w) = &self.window {
            at = at.max(w.ready_at(now));
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
        let remembers = self.remembers_throttling(now);
        if let Some(e) = &mut self.episode {
            e.next = remembers.then(|| now + e.spacing);
        }
        if let Some(w) = &mut self.window {
            w.in_flight += 1;
        }
        Ok(())
    }

    /// Holds every send back until `until` after a throttled answer received at `at`, and
    /// spaces the sends after it (see the module's documentation).
    pub(crate) fn throttled(&mut self, at: Instant, until: Instant) {
        let wait = until.saturating_duration_since(at);
        // A throttling episode still remembered goes on; otherwise a new one starts afresh.
        let ongoing = self.episode.filter(|_| self.remembers_throttling(at));
        let (spacing, raised_at) = match ongoing {
            Some(e) if at < e.raised_at + e.spacing => (e.spacing, e.raised_at),
            Some(e) => (e.spacing.mul_f64(RAISE).max(wait), at),
            None => (wait, at),
        };
        self.not_before = Some(self.not_before.map_or(until, |t| t.max(until)));
        self.episode = Some(Episode {
            spacing: spacing.min(self.after_throttle.cap),
            raised_at,
            next: ongoing.and_then(|e| e.next),
        });
    }

    /// Whether sends at `now` are still spaced after throttled answers: until
    /// [`AfterThrottle::memory`] after the end of the last `Retry-After`.
    fn remembers_throttling(&self, now: Instant) -> bool {
        self.not_before
            .is_some_and(|t| now < t + self.after_throttle.memory)
    }

    /// Eases the spacing after throttled answers (on every answer; a throttled one then doubles it).
    fn eased(&mut self) {
        if let Some(e) = &mut self.episode {
            e.spacing = e.spacing.mul_f64(EASE);
        }
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

    /// Records the end of a send that passed (answered, failed or abandoned at `at`).
    pub(crate) fn completed(&mut self, at: Instant) {
        if let Some(w) = &mut self.window {
            w.in_flight = w.in_flight.saturating_sub(1);
            w.done.push_back(at);
            while w.done.len() > w.max {
                w.done.pop_front();
            }
        }
    }
}

/// A lane's pacing: places in flight plus gate.
#[derive(Debug)]
pub(crate) struct Pacer {
    gate: Mutex<Gate>,
    slots: Slots,
}

impl Pacer {
    /// A pacer allowing `concurrency` sends in flight.
    pub(crate) fn new(concurrency: usize, gate: Gate) -> Self {
        Self {
            gate: Mutex::new(gate),
            slots: Slots::new(concurrency, false),
        }
    }

    /// A lane allowing at most `concurrency` sends in flight, fewer while the service pushes back.
    pub(crate) fn adaptive(concurrency: usize, gate: Gate) -> Self {
        Self {
            gate: Mutex::new(gate),
            slots: Slots::new(concurrency, true),
        }
    }

    /// What the lane's concurrency did.
    pub(crate) fn concurrency(&self) -> ConcurrencyReport {
        self.slots.report()
    }

    fn with_gate<T>(&self, f: impl FnOnce(&mut Gate) -> T) -> T {
        let mut gate = self
            .gate
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut gate)
    }

    /// Waits for a place in flight and for the gate to open. The admission is held for one send
    /// and must be completed with [`Admission::complete`]; dropped without it (the send failed
    /// before an answer or was cancelled), it counts as answered at the drop.
    pub(crate) async fn admit(&self, counters: &Counters) -> Admission<'_> {
        let slot = self.slots.acquire().await;
        loop {
            let now = Instant::now();
            match self.with_gate(|g| g.try_pass(now)) {
                Ok(()) => {
                    return Admission {
                        pacer: self,
                        slot: Some(slot),
                    };
                }
                Err(at) => {
                    counters.waited(at - now);
                    tokio::time::sleep_until(at).await;
                }
            }
        }
    }

    /// Holds the whole lane back until `until` after a throttled answer received at `at`, then
    /// spaces its sends for a while ([`Gate::throttled`]).
    pub(crate) fn throttled(&self, at: Instant, until: Instant) {
        self.with_gate(|g| g.throttled(at, until));
    }

    /// Records a completed send and the service's pressure signal.
    fn completed(&self, at: Instant, spacing: Option<Duration>) {
        self.with_gate(|g| {
            g.completed(at);
            if let Some(s) = spacing {
                g.eased();
                g.set_spacing(at, s);
            }
        });
    }
}

/// One admitted send: its place in flight and in the window until it is answered.
#[derive(Debug)]
pub(crate) struct Admission<'a> {
    pacer: &'a Pacer,
    slot: Option<Slot<'a>>,
}

impl Admission<'_> {
    /// The send ended at `at`; `spacing` is the service's pressure signal, if it answered, and
    /// `pushed_back` whether the answer was a throttling one. Recorded before the place in flight
    /// is freed, so the next send sees it.
    pub(crate) fn complete(mut self, at: Instant, spacing: Option<Duration>, pushed_back: bool) {
        self.pacer.completed(at, spacing);
        if let Some(slot) = self.slot.take() {
            slot.answered(pushed_back);
        }
    }
}

impl Drop for Admission<'_> {
    fn drop(&mut self) {
        if self.slot.is_some() {
            self.pacer.completed(Instant::now(), None);
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
    fn a_hold_blocks_until_it_passes_and_keeps_the_later_of_two() {
        let t0 = Instant::now();
        let mut g = Gate::default();
        assert!(g.try_pass(t0).is_ok());
        g.throttled(t0, t0 + ms(500));
        g.throttled(t0, t0 + ms(200));
        assert_eq!(g.try_pass(t0 + ms(100)), Err(t0 + ms(500)));
        assert!(g.try_pass(t0 + ms(500)).is_ok());
    }

    #[test]
    fn after_a_throttled_answer_sends_are_spaced_doubled_per_interval_eased_then_free() {
        let t0 = Instant::now();
        let mut g = Gate::default().after_throttle(AfterThrottle {
            cap: ms(2000),
            memory: ms(1000),
        });
        g.throttled(t0, t0 + ms(4));
        // Answers of requests that were in flight count once: no doubling within the interval.
        g.throttled(t0 + ms(1), t0 + ms(2));
        assert!(g.try_pass(t0 + ms(4)).is_ok());
        assert_eq!(g.try_pass(t0 + ms(4)), Err(t0 + ms(8)));
        // Throttled again after the interval: the spacing doubles.
        g.throttled(t0 + ms(10), t0 + ms(11));
        assert!(g.try_pass(t0 + ms(11)).is_ok());
        assert_eq!(g.try_pass(t0 + ms(11)), Err(t0 + ms(19)));
        // Each answer that is not throttled eases it by 2 %; the lack of a pressure signal in
        // those answers does not clear it.
        for _ in 0..35 {
            g.eased();
        }
        assert!(g.try_pass(t0 + ms(19)).is_ok());
        g.set_spacing(t0 + ms(19), Duration::ZERO);
        let next = g.try_pass(t0 + ms(19)).unwrap_err();
        assert!(next > t0 + ms(22) && next < t0 + ms(24), "{:?}", next - t0);
        // No throttled answer for the memory after the last wait: sends go freely.
        assert!(g.try_pass(t0 + ms(1011)).is_ok());
        assert!(g.try_pass(t0 + ms(1011)).is_ok());
    }

    #[test]
    fn a_new_throttling_episode_does_not_inherit_the_last_ones_next_send() {
        let t0 = Instant::now();
        let mut g = Gate::default().after_throttle(AfterThrottle {
            cap: ms(2000),
            memory: ms(1000),
        });
        g.throttled(t0, t0 + ms(30_000));
        assert!(g.try_pass(t0 + ms(30_900)).is_ok(), "spaced until 32.9 s");
        // The episode is forgotten at 31 s; a new one starts at 31.5 s with a 5 ms wait.
        g.throttled(t0 + ms(31_500), t0 + ms(31_505));
        assert!(g.try_pass(t0 + ms(31_505)).is_ok());
        assert_eq!(g.try_pass(t0 + ms(31_505)), Err(t0 + ms(31_510)));
    }

    #[test]
    fn the_spacing_after_a_long_retry_after_is_capped() {
        let t0 = Instant::now();
        let mut g = Gate::default().after_throttle(AfterThrottle {
            cap: ms(2000),
            memory: ms(1000),
        });
        g.throttled(t0, t0 + ms(30_000));
        assert!(g.try_pass(t0 + ms(30_000)).is_ok());
        assert_eq!(g.try_pass(t0 + ms(30_001)), Err(t0 + ms(32_000)));
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
    fn window_counts_sends_in_flight() {
        let t0 = Instant::now();
        let mut g = Gate::windowed(3, ms(1000));
        assert!(g.try_pass(t0).is_ok());
        assert!(g.try_pass(t0).is_ok());
        g.completed(t0 + ms(100));
        assert!(
            g.try_pass(t0 + ms(100)).is_ok(),
            "1 answered + 1 in flight < 3"
        );
        // 1 answered at 100 + 2 in flight: the answer must leave the period first.
        assert_eq!(g.try_pass(t0 + ms(150)), Err(t0 + ms(1100)));
        g.completed(t0 + ms(200));
        g.completed(t0 + ms(300));
        // 3 answered (100, 200, 300), none in flight.
        assert_eq!(g.try_pass(t0 + ms(400)), Err(t0 + ms(1100)));
        assert!(g.try_pass(t0 + ms(1100)).is_ok());
        assert_eq!(
            g.try_pass(t0 + ms(1100)),
            Err(t0 + ms(1200)),
            "2 recent answers + 1 in flight"
        );
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
