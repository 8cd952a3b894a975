//! Requests by service, counted from the simulator's request log (never from the programs' own
//! reports): what the service saw, including retries.

use mailfix_sim::log::{LogEntry, Service};

/// What the service saw of one run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SimLogCounts {
    /// Graph requests (a `$batch` counts once).
    pub graph: u64,
    /// Exchange admin API requests.
    pub exchange: u64,
    /// Sign-in requests (discovery, token).
    pub sign_in: u64,
    /// Requests inside `$batch`es.
    pub batch_items: u64,
    /// 429 answers: top-level requests and `$batch` items (throttling, Exchange's concurrency
    /// limit, injected).
    pub throttled: u64,
    /// Requests (and items) that came back before a `Retry-After` they were given had passed.
    pub early: u64,
    /// Requests that changed state.
    pub writes: u64,
}

impl SimLogCounts {
    /// Counts `entries`, leaving out the control plane (the harness's own calls).
    pub fn of(entries: &[LogEntry]) -> Self {
        let mut counts = Self::default();
        for entry in entries {
            match entry.service {
                Service::Graph => counts.graph += 1,
                Service::Exo => counts.exchange += 1,
                Service::Login => counts.sign_in += 1,
                Service::Control => continue,
            }
            counts.writes += u64::from(entry.write);
            if entry.batch_items.is_empty() {
                counts.throttled += u64::from(entry.status == 429);
                counts.early += u64::from(entry.early);
            }
            for item in &entry.batch_items {
                counts.batch_items += 1;
                counts.throttled += u64::from(item.status == 429);
                counts.early += u64::from(item.early);
            }
        }
        counts
    }

    /// Graph and Exchange requests (sign-in left out).
    pub fn service_requests(&self) -> u64 {
        self.graph + self.exchange
    }
}
