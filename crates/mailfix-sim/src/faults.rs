//! Injected faults: by service/route and rate, answered with 429, 500, 503, 504, a reset connection, or
//! added latency.
//!
//! The middleware rolls for top-level requests; the `$batch` handler rolls for each item with
//! [`Faults::roll`] (a reset becomes a 503 for an item). (Skeleton: injects nothing yet.)

use crate::log::Service;

/// A fault to inject instead of the real answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// 429 with `Retry-After`.
    Throttle,
    /// 500.
    Internal,
    /// 503 with `Retry-After`.
    Unavailable,
    /// 504.
    GatewayTimeout,
    /// The connection is dropped mid-response.
    Reset,
}

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

    /// Whether to inject a fault into a request to `service` at `path`, and which.
    pub fn roll(&self, service: Service, path: &str) -> Option<Fault> {
        let _ = (service, path);
        None
    }
}
