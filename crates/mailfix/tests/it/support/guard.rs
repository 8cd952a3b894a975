//! Guard test support: the simulator's webhook receiver (loopback HTTPS, the simulator's own CA)
//! as a test sees it, hires through the control plane, Graph requests counted from the request
//! log, and guard's NDJSON events.

use mailfix_sim::log::{LogEntry, Service};
use serde_json::{Value, json};

use super::TestSim;

/// A webhook URL of the simulator's receiver for `channel`, with a query that stands for the
/// secret part of a real webhook URL (which must never be printed).
pub fn webhook_url(sim: &TestSim, channel: &str) -> String {
    format!(
        "{}/_sim/webhooks/{channel}?sig={WEBHOOK_SECRET}",
        sim.sim.base_url
    )
}

/// The secret part of [`webhook_url`].
pub const WEBHOOK_SECRET: &str = "sig-0a1b2c3d4e5f";

/// What the receiver got on `channel`.
pub async fn deliveries(sim: &TestSim, channel: &str) -> Vec<Value> {
    sim.control_get(&format!("/_sim/webhooks/{channel}"))
        .await
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Makes the next `count` deliveries to `channel` fail with `status`.
pub async fn fail_next(sim: &TestSim, channel: &str, count: usize, status: u16) {
    sim.control_post(
        &format!("/_sim/webhooks/{channel}/fail"),
        json!({"count": count, "status": status}),
    )
    .await;
}

/// Hires through `POST /_sim/users/hire`; the hires as the simulator lists them.
pub async fn hire(sim: &TestSim, body: Value) -> Vec<Value> {
    let answer = sim.control_post("/_sim/users/hire", body).await;
    answer["hired"]
        .as_array()
        .unwrap_or_else(|| panic!("hired: {answer}"))
        .clone()
}

/// The hires with one of `labels`.
pub fn with_label<'a>(hired: &'a [Value], labels: &[&str]) -> Vec<&'a Value> {
    hired
        .iter()
        .filter(|h| labels.contains(&h["label"].as_str().unwrap_or("")))
        .collect()
}

/// Graph requests (a `$batch` counts once) in `entries`.
pub fn graph_requests(entries: &[LogEntry]) -> Vec<&LogEntry> {
    entries
        .iter()
        .filter(|e| e.service == Service::Graph)
        .collect()
}

/// The NDJSON events of a guard's stdout.
pub fn events(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("NDJSON ({e}): {l}")))
        .collect()
}

/// Events of one kind.
pub fn of_kind<'a>(events: &'a [Value], kind: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["event"] == kind).collect()
}
