//! How many sends of a lane may be in flight at once. A fixed lane keeps its number; an adaptive
//! lane (Exchange) lowers it when the service pushes back (a throttled answer: 429, or Exchange's
//! "maximum number of concurrent requests") and raises it again, one at a time, after a long run
//! of answers without push-back.
//!
//! Lowering: to half the number (rounded up), and at most to one less than the sends in flight
//! when the push-back arrived (the service refused at that count), never below 1. Push-backs of
//! sends that went out before the last lowering (they met the old, higher count) do not lower it
//! again, so a burst of refusals counts once: from 10 against a service that allows 3, the lane
//! goes to 5, then to 3.

use std::sync::Mutex;

use serde::Serialize;
use tokio::sync::Notify;

/// Answers without push-back after which an adaptive lane allows one more send in flight.
const RAISE_AFTER: u32 = 1000;

/// What a lane's concurrency did, for summaries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ConcurrencyReport {
    /// Sends in flight at once as configured.
    pub configured: usize,
    /// The fewest the lane allowed after push-backs (`configured` when it never lowered).
    pub lowest: usize,
    /// Throttled answers (push-backs) the lane received.
    pub pushed_back: u64,
}

#[derive(Debug)]
struct State {
    configured: usize,
    limit: usize,
    in_flight: usize,
    lowest: usize,
    pushed_back: u64,
    /// Bumped at each lowering: a send remembers the epoch it went out in.
    epoch: u64,
    /// Answers without push-back since the last change.
    calm: u32,
}

/// The in-flight limit of one lane.
#[derive(Debug)]
pub(crate) struct Slots {
    state: Mutex<State>,
    freed: Notify,
    adaptive: bool,
}

/// One send's place in flight; dropped (or [`Slot::answered`]) it frees the place.
#[derive(Debug)]
pub(crate) struct Slot<'a> {
    slots: &'a Slots,
    epoch: u64,
    open: bool,
}

impl Slots {
    /// A lane allowing `configured` sends in flight (at least 1); `adaptive` lanes lower and
    /// raise the number as the service answers.
    pub(crate) fn new(configured: usize, adaptive: bool) -> Self {
        let configured = configured.max(1);
        Self {
            state: Mutex::new(State {
                configured,
                limit: configured,
                in_flight: 0,
                lowest: configured,
                pushed_back: 0,
                epoch: 0,
                calm: 0,
            }),
            freed: Notify::new(),
            adaptive,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Waits for a place in flight.
    pub(crate) async fn acquire(&self) -> Slot<'_> {
        loop {
            let freed = self.freed.notified();
            tokio::pin!(freed);
            freed.as_mut().enable();
            if let Some(slot) = self.try_acquire() {
                return slot;
            }
            freed.await;
        }
    }

    fn try_acquire(&self) -> Option<Slot<'_>> {
        let mut state = self.lock();
        if state.in_flight >= state.limit {
            return None;
        }
        state.in_flight += 1;
        Some(Slot {
            slots: self,
            epoch: state.epoch,
            open: true,
        })
    }

    /// What the lane did so far.
    pub(crate) fn report(&self) -> ConcurrencyReport {
        let state = self.lock();
        ConcurrencyReport {
            configured: state.configured,
            lowest: state.lowest,
            pushed_back: state.pushed_back,
        }
    }

    /// The sends allowed in flight now.
    #[cfg(test)]
    fn limit(&self) -> usize {
        self.lock().limit
    }

    fn release(&self, epoch: u64, pushed_back: Option<bool>) {
        let mut state = self.lock();
        match pushed_back {
            Some(true) => {
                state.pushed_back += 1;
                if self.adaptive && epoch == state.epoch {
                    let halved = state.limit.div_ceil(2);
                    let refused_at = state.in_flight.min(state.limit);
                    state.limit = halved.min(refused_at.saturating_sub(1)).max(1);
                    state.lowest = state.lowest.min(state.limit);
                    state.epoch += 1;
                    state.calm = 0;
                }
            }
            Some(false) if self.adaptive && state.limit < state.configured => {
                state.calm += 1;
                if state.calm >= RAISE_AFTER {
                    state.limit += 1;
                    state.calm = 0;
                    self.freed.notify_one();
                }
            }
            _ => {}
        }
        state.in_flight = state.in_flight.saturating_sub(1);
        drop(state);
        self.freed.notify_one();
    }
}

impl Slot<'_> {
    /// The send was answered; `pushed_back` when the answer was a throttling one.
    pub(crate) fn answered(mut self, pushed_back: bool) {
        self.open = false;
        self.slots.release(self.epoch, Some(pushed_back));
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        if self.open {
            self.slots.release(self.epoch, None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_fixed_lane_keeps_its_number_and_counts_push_backs() {
        let slots = Slots::new(2, false);
        let a = slots.acquire().await;
        let _b = slots.acquire().await;
        assert!(slots.try_acquire().is_none(), "2 in flight");
        a.answered(true);
        assert_eq!(slots.limit(), 2);
        assert!(slots.try_acquire().is_some());
        assert_eq!(slots.report().pushed_back, 1);
    }

    #[tokio::test]
    async fn a_push_back_lowers_an_adaptive_lane_once_per_epoch_never_below_one() {
        let slots = Slots::new(10, true);
        let mut sent: Vec<_> = Vec::new();
        for _ in 0..4 {
            sent.push(slots.acquire().await);
        }
        // Refused with 4 in flight: the service allows 3 (half of 10 would be 5).
        sent.remove(0).answered(true);
        assert_eq!(slots.limit(), 3);
        // The others went out before the lowering: their push-backs do not lower it again.
        sent.remove(0).answered(true);
        assert_eq!(slots.limit(), 3);
        let report = slots.report();
        assert_eq!(
            (report.configured, report.lowest, report.pushed_back),
            (10, 3, 2)
        );
        drop(sent);
        let one = slots.acquire().await;
        one.answered(true);
        let two = slots.acquire().await;
        two.answered(true);
        assert_eq!(slots.limit(), 1, "never below one");
        // A burst that refuses every send in flight halves the number.
        let burst = Slots::new(10, true);
        let sent: Vec<_> = futures::future::join_all((0..10).map(|_| burst.acquire())).await;
        sent.into_iter().for_each(|s| s.answered(true));
        assert_eq!(burst.limit(), 5);
    }

    #[tokio::test]
    async fn an_adaptive_lane_rises_again_after_a_calm_run_up_to_its_configured_number() {
        let slots = Slots::new(3, true);
        let (a, b) = (slots.acquire().await, slots.acquire().await);
        a.answered(true);
        drop(b);
        assert_eq!(slots.limit(), 1);
        for _ in 0..RAISE_AFTER {
            slots.acquire().await.answered(false);
        }
        assert_eq!(slots.limit(), 2);
        for _ in 0..3 * RAISE_AFTER {
            slots.acquire().await.answered(false);
        }
        assert_eq!(slots.limit(), 3, "capped at the configured number");
    }

    #[tokio::test]
    async fn a_waiting_send_goes_when_a_place_frees() {
        let slots = std::sync::Arc::new(Slots::new(1, true));
        let held = slots.try_acquire().expect("a free place");
        let waiter = {
            let slots = slots.clone();
            tokio::spawn(async move { slots.acquire().await.answered(false) })
        };
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        drop(held);
        waiter.await.unwrap();
    }
}
