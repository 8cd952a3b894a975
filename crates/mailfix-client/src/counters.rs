//! Per-client counters: requests by service and operation, retries, throttled answers, time spent
//! waiting. Commands print them in summaries; benchmarks read them.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::Serialize;

use crate::error::Service;
use crate::pace::ConcurrencyReport;

/// Live counters, shared by every clone of a client.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    requests: Mutex<BTreeMap<(Service, String), u64>>,
    retries: AtomicU64,
    throttled: AtomicU64,
    waited_us: AtomicU64,
    batch_items: AtomicU64,
    token_refreshes: AtomicU64,
}

impl Counters {
    /// One HTTP request sent (retries included).
    pub(crate) fn request(&self, service: Service, operation: &str) {
        let mut map = self
            .requests
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *map.entry((service, operation.to_owned())).or_default() += 1;
    }

    /// One retry decided.
    pub(crate) fn retry(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }

    /// One throttled answer (a whole request or a `$batch` item).
    pub(crate) fn throttled(&self) {
        self.throttled.fetch_add(1, Ordering::Relaxed);
    }

    /// Time spent waiting before a send (Retry-After, backoff, pacing).
    pub(crate) fn waited(&self, d: Duration) {
        let us = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        self.waited_us.fetch_add(us, Ordering::Relaxed);
    }

    /// `$batch` items sent (each retry of an item counts again).
    pub(crate) fn batch_items(&self, n: usize) {
        self.batch_items.fetch_add(n as u64, Ordering::Relaxed);
    }

    /// A cached token dropped after a 401.
    pub(crate) fn token_refresh(&self) {
        self.token_refreshes.fetch_add(1, Ordering::Relaxed);
    }

    /// A consistent-enough copy of the counters.
    pub(crate) fn snapshot(&self) -> CountersSnapshot {
        let map = self
            .requests
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut requests: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
        for ((service, op), n) in map.iter() {
            *requests
                .entry(service.name().to_owned())
                .or_default()
                .entry(op.clone())
                .or_default() += n;
        }
        CountersSnapshot {
            requests,
            retries: self.retries.load(Ordering::Relaxed),
            throttled: self.throttled.load(Ordering::Relaxed),
            waited_ms: self.waited_us.load(Ordering::Relaxed) / 1000,
            batch_items: self.batch_items.load(Ordering::Relaxed),
            token_refreshes: self.token_refreshes.load(Ordering::Relaxed),
            exchange_concurrency: ConcurrencyReport::default(),
        }
    }
}

/// A copy of a client's counters at one moment.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CountersSnapshot {
    /// HTTP requests sent, by service (`login`, `graph`, `exchange`) then operation.
    pub requests: BTreeMap<String, BTreeMap<String, u64>>,
    /// Retries (sends after the first for the same request or `$batch` item set).
    pub retries: u64,
    /// Throttled answers received (429, 503 with `Retry-After`, Exchange concurrency, batch items).
    pub throttled: u64,
    /// Milliseconds spent waiting before sends (Retry-After, backoff, pacing).
    pub waited_ms: u64,
    /// `$batch` items sent.
    pub batch_items: u64,
    /// Tokens dropped and fetched again after a 401.
    pub token_refreshes: u64,
    /// Exchange requests in flight at once: as configured, the fewest after push-backs, and how
    /// often Exchange pushed back.
    pub exchange_concurrency: ConcurrencyReport,
}

impl CountersSnapshot {
    /// Requests sent to one service.
    pub fn requests_to(&self, service: Service) -> u64 {
        self.requests
            .get(service.name())
            .map(|ops| ops.values().sum())
            .unwrap_or(0)
    }

    /// Requests sent for one operation of a service.
    pub fn requests_for(&self, service: Service, operation: &str) -> u64 {
        self.requests
            .get(service.name())
            .and_then(|ops| ops.get(operation))
            .copied()
            .unwrap_or(0)
    }

    /// Time spent waiting.
    pub fn waited(&self) -> Duration {
        Duration::from_millis(self.waited_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_groups_requests_by_service_and_operation() {
        let c = Counters::default();
        c.request(Service::Graph, "users.list");
        c.request(Service::Graph, "users.list");
        c.request(Service::Exchange, "Get-Mailbox");
        c.retry();
        c.throttled();
        c.waited(Duration::from_millis(1500));
        let s = c.snapshot();
        assert_eq!(s.requests_to(Service::Graph), 2);
        assert_eq!(s.requests_for(Service::Exchange, "Get-Mailbox"), 1);
        assert_eq!(s.requests_to(Service::Login), 0);
        assert_eq!((s.retries, s.throttled, s.waited_ms), (1, 1, 1500));
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["requests"]["graph"]["users.list"], 2);
    }
}
