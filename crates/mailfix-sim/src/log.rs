//! The request log: one entry per request served (and per `$batch` item), read by tests and the
//! benchmark harness through `GET /_sim/requests`.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::{DateTime, Utc};
use serde::Serialize;

/// Which service a request went to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Service {
    /// Sign-in (discovery, token, device code).
    Login,
    /// Microsoft Graph.
    Graph,
    /// Exchange admin API.
    Exo,
    /// The `/_sim/` control plane.
    Control,
}

/// One `$batch` item as the log records it.
#[derive(Clone, Debug, Serialize)]
pub struct BatchItemLog {
    /// The item's `id`.
    pub id: String,
    /// The item's method.
    pub method: String,
    /// The item's relative URL.
    pub url: String,
    /// The status the item got.
    pub status: u16,
    /// Whether the item was answered with a throttling 429.
    pub throttled: bool,
    /// Whether the item came before the end of a `Retry-After` given for the same bucket.
    pub early: bool,
    /// Simulated time at which the item ran: the state it read is the state as of then (the
    /// entry's own `time` is the batch's arrival, before its items ran).
    pub time: Option<DateTime<Utc>>,
    /// Simulated time at which the item had run. The state it read is the state as of some instant
    /// between `time` and this: the clock may move (`/_sim/clock/advance`) while it runs.
    pub finished: Option<DateTime<Utc>>,
}

/// What a handler tells the log about a request beyond what the middleware sees. Handlers attach it
/// to their response as an extension.
#[derive(Clone, Debug, Default)]
pub struct LogDetail {
    /// Operation name, e.g. `Set-Mailbox` for Exchange or `users.list` for Graph.
    pub operation: Option<String>,
    /// Whether the request changed state (a write).
    pub write: bool,
    /// `$batch` items.
    pub batch_items: Vec<BatchItemLog>,
}

/// One served request.
#[derive(Clone, Debug, Serialize)]
pub struct LogEntry {
    /// Order of arrival, from 1.
    pub seq: u64,
    /// Simulated time of arrival.
    pub time: DateTime<Utc>,
    /// Wall-clock milliseconds since the simulator started, at arrival.
    pub real_ms: u64,
    /// Service.
    pub service: Service,
    /// HTTP method.
    pub method: String,
    /// The host the request was sent to (without the port), when it named one.
    pub host: Option<String>,
    /// Path.
    pub path: String,
    /// Query string, if any.
    pub query: Option<String>,
    /// Status answered.
    pub status: u16,
    /// Calling app (`appid` of the token, or `client_id` at sign-in), when known.
    pub app: Option<String>,
    /// Operation name, when the handler gave one.
    pub operation: Option<String>,
    /// Whether the request changed state.
    pub write: bool,
    /// Whether the answer was a throttling 429 (including `$batch` items).
    pub throttled: bool,
    /// Whether the request came before the end of a `Retry-After` this app had been given for the
    /// same throttling bucket.
    pub early: bool,
    /// The `Retry-After` given, in wall-clock milliseconds.
    pub retry_after_ms: Option<u64>,
    /// Whether the answer was an injected fault.
    pub fault: Option<String>,
    /// The request body of a Graph or Exchange request other than `GET` and `$batch` (what a
    /// write asked for: the `Set-Mailbox` parameters, the method created). Never a sign-in body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// `$batch` items.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub batch_items: Vec<BatchItemLog>,
    /// Exchange requests being served when this one arrived, this one included (Exchange only;
    /// throttled ones too): the peak over the log is the most a client had in flight at once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_flight: Option<u32>,
}

/// The log itself.
#[derive(Debug)]
pub struct RequestLog {
    entries: Mutex<Vec<LogEntry>>,
    started: std::time::Instant,
    exo_in_flight: AtomicU32,
}

impl Default for RequestLog {
    fn default() -> Self {
        Self {
            entries: Mutex::new(Vec::new()),
            started: std::time::Instant::now(),
            exo_in_flight: AtomicU32::new(0),
        }
    }
}

/// An Exchange request being served; dropped when its answer is ready.
#[derive(Debug)]
pub struct ExoInFlight<'a> {
    counter: &'a AtomicU32,
    /// Exchange requests being served at its arrival, itself included.
    pub at_arrival: u32,
}

impl Drop for ExoInFlight<'_> {
    fn drop(&mut self) {
        self.counter.fetch_sub(1, Ordering::SeqCst);
    }
}

impl RequestLog {
    /// Counts an Exchange request in until the returned guard drops.
    pub fn exo_arrived(&self) -> ExoInFlight<'_> {
        let at_arrival = self.exo_in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        ExoInFlight {
            counter: &self.exo_in_flight,
            at_arrival,
        }
    }

    /// Wall-clock milliseconds since the log was created (the simulator started).
    pub fn real_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// How many entries the log holds.
    pub fn len(&self) -> usize {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .len()
    }

    /// Whether the log is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends an entry, assigning its sequence number.
    pub fn push(&self, mut entry: LogEntry) {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        entry.seq = entries.len() as u64 + 1;
        entries.push(entry);
    }

    /// Entries with `seq > after`.
    pub fn since(&self, after: u64) -> Vec<LogEntry> {
        let entries = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        entries.iter().skip(after as usize).cloned().collect()
    }

    /// Forgets every entry.
    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
    }
}
