//! Graph applying its reports limit (5 requests per 10 s) to `/users/{id}/authentication/*`
//! (switch `graph.methods_reports_limit`): `seed` of 5,000 rows and `scan --methods` converge to
//! the limit with few throttled answers, and the seed plan says how long the limit makes the writes
//! take. The simulator's clock runs 1,000 times faster (its 10 s window is 10 ms), and
//! `MAILFIX_REPORTS_WINDOW=10ms` tells mailfix so.
//!
//! Run with `--nocapture` to see the request and 429 counts (reported in the report).

use std::time::Instant;

use mailfix_sim::log::LogEntry;
use mailfix_sim::scenario::{Scenario, all_users, scale};
use serde_json::Value;

use crate::expected;
use crate::realtenant_exchange::switch;
use crate::support::{TestSim, run, stderr, stdout, write};

const ROWS: usize = 5_000;
const WINDOW: (&str, &str) = ("MAILFIX_REPORTS_WINDOW", "10ms");

fn tenant() -> Scenario {
    let mut scenario = scale(ROWS, 13);
    switch(&mut scenario, &[("graph.methods_reports_limit", 1.0)]);
    // At 1,000x an hour of token lifetime is 3.6 s; keep the sign-ins out of the picture.
    scenario.behaviour.token_lifetime_s = 1e7;
    scenario
}

/// Requests to the methods routes (top-level and `$batch` items): how many, and how many were
/// throttled.
fn methods_traffic(log: &[LogEntry]) -> (usize, usize) {
    let mut sent = 0;
    let mut throttled = 0;
    for e in log {
        if e.path.contains("/authentication/") {
            sent += 1;
            throttled += usize::from(e.throttled);
        }
        for item in e
            .batch_items
            .iter()
            .filter(|i| i.url.contains("/authentication/"))
        {
            sent += 1;
            throttled += usize::from(item.throttled);
        }
    }
    (sent, throttled)
}

#[tokio::test(flavor = "multi_thread")]
async fn seed_and_scan_converge_to_a_reports_limit_on_authentication_methods() {
    let scenario = tenant();
    let users: Vec<_> = all_users(&scenario).map(|u| u.into_owned()).collect();
    let mut text = String::from("UPN,Mobile\n");
    let mut creates = 0;
    for (i, user) in users.iter().enumerate() {
        if user.methods.mobile.is_none() {
            creates += 1;
            text.push_str(&format!("\"{}\",0412 {i:06}\n", user.upn));
        } else {
            text.push_str(&format!("\"{}\",\n", user.upn));
        }
    }
    let want = expected::findings(&scenario, |u| expected::kept(u, false, false), true, false);
    let sim = TestSim::start_with(scenario, |o| o.time_scale = 1000.0).await;
    let file = sim.path("hr.csv");
    write(&file, &text);

    let started = Instant::now();
    let out = run(sim
        .mailfix()
        .env(WINDOW.0, WINDOW.1)
        .arg("seed")
        .arg(&file)
        .args(["--default-region", "AU", "--yes", "-o", "json"]))
    .await;
    let seed_took = started.elapsed();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["summary"]["created"], creates);
    let err = stderr(&out);
    let implied = format!("the {creates} writes take at least");
    assert!(
        err.contains("reports limit (5 requests per 10ms)") && err.contains(&implied),
        "{err}"
    );
    let log = sim.sim.state.log.since(0);
    let (sent, throttled) = methods_traffic(&log);
    println!(
        "seed {ROWS} rows under the reports limit: {sent} methods requests, {throttled} throttled, \
         {seed_took:.1?}"
    );
    assert!(throttled * 50 <= sent, "{throttled} of {sent} throttled");

    let mark = log.last().map_or(0, |e| e.seq);
    let started = Instant::now();
    let out = run(sim.mailfix().env(WINDOW.0, WINDOW.1).args([
        "scan",
        "--all-users",
        "--methods",
        "-o",
        "json",
    ]))
    .await;
    let scan_took = started.elapsed();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let found = expected::from_json(&doc);
    let after_seed: Vec<_> = want.iter().filter(|(_, rule)| rule != "MF006").collect();
    for finding in after_seed {
        assert!(found.contains(finding), "{finding:?}");
    }
    let (sent, throttled) = methods_traffic(&sim.sim.state.log.since(mark));
    println!(
        "scan --methods of {ROWS} users under the reports limit: {sent} methods requests, \
         {throttled} throttled, {scan_took:.1?}"
    );
    assert!(throttled * 50 <= sent, "{throttled} of {sent} throttled");
}
