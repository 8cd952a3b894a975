//! Simulated time: a clock that runs `scale` times faster than the wall clock and can be advanced.
//!
//! Every time-dependent behaviour of the simulator (write-back delays, address reservations, throttle
//! windows, token lifetimes, eventual-consistency lag, device-code expiry) is expressed in *simulated*
//! time and read from this clock. Durations told to a client (`Retry-After`, `expires_in`) are
//! converted back to wall-clock seconds with [`SimClock::to_real`]. Network latency is real time and is
//! not scaled.

use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

/// A cheap-to-clone handle on the simulator's clock.
#[derive(Clone)]
pub struct SimClock {
    inner: Arc<Mutex<ClockState>>,
}

struct ClockState {
    /// Simulated time at `real_origin`.
    sim_origin: DateTime<Utc>,
    real_origin: Instant,
    scale: f64,
}

impl std::fmt::Debug for SimClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimClock")
            .field("now", &self.now())
            .field("scale", &self.scale())
            .finish()
    }
}

impl SimClock {
    /// A clock that starts at the current wall-clock time and runs `scale` times faster (`scale >= 1`
    /// compresses delays; values <= 0 are treated as 1).
    pub fn new(scale: f64) -> Self {
        Self::starting_at(Utc::now(), scale)
    }

    /// A clock that starts at `start` (simulated) and runs `scale` times faster than the wall clock.
    pub fn starting_at(start: DateTime<Utc>, scale: f64) -> Self {
        let scale = if scale.is_finite() && scale > 0.0 {
            scale
        } else {
            1.0
        };
        Self {
            inner: Arc::new(Mutex::new(ClockState {
                sim_origin: start,
                real_origin: Instant::now(),
                scale,
            })),
        }
    }

    /// The current simulated time.
    pub fn now(&self) -> DateTime<Utc> {
        let state = self.lock();
        let real = state.real_origin.elapsed().as_secs_f64() * state.scale;
        state.sim_origin + chrono_duration(Duration::from_secs_f64(real))
    }

    /// How many simulated seconds pass per wall-clock second.
    pub fn scale(&self) -> f64 {
        self.lock().scale
    }

    /// Changes the speed of the clock from now on, keeping the current simulated time.
    pub fn set_scale(&self, scale: f64) {
        let now = self.now();
        let mut state = self.lock();
        state.sim_origin = now;
        state.real_origin = Instant::now();
        state.scale = if scale.is_finite() && scale > 0.0 {
            scale
        } else {
            1.0
        };
    }

    /// Moves simulated time forward by `by` at once.
    pub fn advance(&self, by: Duration) {
        let mut state = self.lock();
        state.sim_origin += chrono_duration(by);
    }

    /// Converts a simulated duration into the wall-clock time it takes at the current scale.
    pub fn to_real(&self, simulated: Duration) -> Duration {
        simulated.div_f64(self.scale())
    }

    /// Converts a wall-clock duration into simulated time at the current scale.
    pub fn to_sim(&self, real: Duration) -> Duration {
        real.mul_f64(self.scale())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ClockState> {
        // A poisoned clock only means a panic elsewhere while reading it; the state is still valid.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Converts a std duration to a chrono duration, saturating at chrono's maximum.
pub fn chrono_duration(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advance_moves_simulated_time_only() {
        let clock = SimClock::new(1.0);
        let before = clock.now();
        clock.advance(Duration::from_secs(3600));
        let after = clock.now();
        assert!(after - before >= chrono::Duration::seconds(3600));
        assert!(after - before < chrono::Duration::seconds(3610));
    }

    #[test]
    fn scale_converts_durations_both_ways() {
        let clock = SimClock::new(60.0);
        assert_eq!(
            clock.to_real(Duration::from_secs(60)),
            Duration::from_secs(1)
        );
        assert_eq!(
            clock.to_sim(Duration::from_secs(1)),
            Duration::from_secs(60)
        );
    }
}
