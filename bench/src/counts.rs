//! Requests by service, counted from the simulator's request log (never from the programs' own
//! reports): what the service saw, including retries.

use mailfix_sim::log::{LogEntry, Service};

/// What the service saw of one run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SimLogCounts {
    /// Graph requests (a `$batch` counts once).
    pub graph: u64,
    /// Of those, `$batch` requests.
    pub batches: u64,
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
    /// The most Exchange requests the simulator served at once.
    pub exchange_peak_in_flight: u32,
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
            counts.exchange_peak_in_flight = counts
                .exchange_peak_in_flight
                .max(entry.in_flight.unwrap_or(0));
            counts.batches += u64::from(is_batch(entry));
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

    /// Graph and Exchange HTTP requests (sign-in left out; a `$batch` counts once).
    pub fn service_requests(&self) -> u64 {
        self.graph + self.exchange
    }

    /// Graph and Exchange requests as the services count them against their limits: each
    /// `$batch` item is a request (Graph evaluates every item against its throttling limits), the
    /// `$batch` envelope is not.
    pub fn counted_requests(&self) -> u64 {
        self.graph - self.batches + self.batch_items + self.exchange
    }
}

fn is_batch(entry: &LogEntry) -> bool {
    entry.service == Service::Graph
        && (entry.path.ends_with("/$batch") || entry.path.ends_with("/%24batch"))
}
