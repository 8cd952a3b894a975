//! Injected faults: by service/route and rate, answered with 429, 500, 503, 504, a reset connection, or
//! added latency.
//!
//! (Skeleton: injects nothing. The real fault rules are filled in by the behaviour work.)

/// Fault injection state.
#[derive(Debug, Default)]
pub struct Faults {
    /// Share of Graph and Exchange requests answered with a random fault.
    pub rate: f64,
}

impl Faults {
    /// Faults at a uniform rate over Graph and Exchange.
    pub fn new(rate: f64) -> Self {
        Self { rate }
    }
}
