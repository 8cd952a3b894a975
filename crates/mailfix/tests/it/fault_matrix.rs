//! The fault matrix: `mailfix fix --group "All Staff"` on `small` (compressed clock, every MF001
//! user able to write back) in four cells — no fault; 5% and 20% of Graph and Exchange requests
//! (`$batch` items included) answered with a 429, a 503, a 504 or a connection reset after the
//! route ran; and access tokens that live 30 simulated seconds and expire under mailfix mid-run.
//! In every cell the happy-path invariants of fix hold, read from the simulator: every MF001
//! user ends with `mail` equal to its primary SMTP address, no temporary alias remains, and every
//! other address of every mailbox in the tenant is exactly as before. Each cell also checks from
//! the request log that its faults really happened.

use std::collections::BTreeSet;
use std::time::Duration;

use mailfix_sim::log::{LogEntry, Service};
use mailfix_sim::scenario::{Scenario, small};
use serde_json::{Value, json};

use crate::fix::fix_all_staff;
use crate::support::TestSim;
use crate::tenant::requests;

/// Simulated seconds per real second.
const SCALE: f64 = 60.0;

/// Runs fix in a started simulator and checks the invariants; returns its JSON report and the
/// request log.
async fn fix_holds_its_invariants(sim: &TestSim, scenario: &Scenario) -> (Value, Vec<LogEntry>) {
    let (_, report, _) = fix_all_staff(sim, scenario).await;
    (report, requests(sim, 0))
}

/// The cell with `rate` of Graph and Exchange requests failing.
async fn faults_at(rate: f64, seed: u64) -> (Value, Vec<LogEntry>) {
    let scenario = small(seed);
    let sim = TestSim::start_with(scenario.clone(), |o| {
        o.time_scale = SCALE;
        o.writeback_delay_s = Some((60.0, 300.0));
        o.fault_rate = Some(rate);
    })
    .await;
    fix_holds_its_invariants(&sim, &scenario).await
}

/// Faults injected into Graph and Exchange requests (and `$batch` items), by kind.
fn faults(log: &[LogEntry]) -> BTreeSet<String> {
    let items = log
        .iter()
        .flat_map(|e| &e.batch_items)
        .filter(|i| i.status >= 500);
    let top = log.iter().filter_map(|e| e.fault.clone());
    top.chain(items.map(|i| i.status.to_string())).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn fault_matrix_without_faults() {
    let (report, log) = faults_at(0.0, 71).await;
    assert_eq!(faults(&log), BTreeSet::new());
    assert_eq!(report["requests"]["retried"], 0, "{}", report["requests"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn fault_matrix_at_5_percent() {
    let (report, log) = faults_at(0.05, 72).await;
    assert!(!faults(&log).is_empty(), "faults were injected");
    assert!(report["requests"]["retried"].as_u64().unwrap() > 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn fault_matrix_at_20_percent() {
    let (report, log) = faults_at(0.20, 73).await;
    let kinds = faults(&log);
    for kind in ["429", "503", "504", "reset"] {
        assert!(kinds.contains(kind), "a {kind} was injected: {kinds:?}");
    }
    assert!(report["requests"]["retried"].as_u64().unwrap() > 0);
}

/// Tokens live 30 simulated seconds, and the clock runs 10 times faster than real time, so mailfix
/// is told `expires_in: 3` (seconds) and renews a token after 2.4 s, a fifth of its lifetime before
/// it expires. To make tokens expire under it mid-run, the simulated clock also steps 20 seconds
/// ahead twice a second — as after a suspended laptop wakes, or with a skewed clock — so every
/// token expires within about a real second while mailfix still believes it valid. (A step is
/// shorter than a token's lifetime, so a token fetched after a 401 always outlives the request
/// that is sent again with it.) The request log must show Graph and Exchange answering 401, and
/// mailfix asking for a new token after each.
#[tokio::test(flavor = "multi_thread")]
async fn fault_matrix_with_tokens_expiring_every_30_seconds() {
    let mut scenario = small(74);
    scenario.behaviour.token_lifetime_s = 30.0;
    let sim = TestSim::start_with(scenario.clone(), |o| {
        o.time_scale = 10.0;
        o.writeback_delay_s = Some((60.0, 300.0));
    })
    .await;
    let fix = fix_holds_its_invariants(&sim, &scenario);
    let steps = async {
        loop {
            tokio::time::sleep(Duration::from_millis(500)).await;
            sim.control_post("/_sim/clock/advance", json!({"seconds": 20}))
                .await;
        }
    };
    let (_, log) = tokio::select! {
        ran = fix => ran,
        () = steps => unreachable!("the steps never end"),
    };

    let expired: Vec<&LogEntry> = log.iter().filter(|e| e.status == 401).collect();
    for service in [Service::Graph, Service::Exo] {
        let n = expired.iter().filter(|e| e.service == service).count();
        assert!(n >= 2, "{service:?} refused expired tokens: {n}");
    }
    // Each refusal was answered with a new token: one asked for after it, or one asked for less
    // than a token's lifetime before it by another request refused at the same time (the log is
    // in the order of the answers, and concurrent requests share one renewal). Times are the
    // simulated times at which the requests arrived.
    let token_requests: Vec<_> = log
        .iter()
        .filter(|e| e.operation.as_deref() == Some("token"))
        .map(|e| e.time)
        .collect();
    let lifetime = chrono::TimeDelta::seconds(30);
    for refused in &expired {
        assert!(
            token_requests.iter().any(|t| *t + lifetime > refused.time),
            "a new token was asked for after the 401 of request {}",
            refused.seq
        );
    }
    assert!(
        token_requests.len() > 2,
        "tokens were renewed: {token_requests:?}"
    );
}
