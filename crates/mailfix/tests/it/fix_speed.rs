//! `fix` at the limit Exchange and the write-back set, proven from the simulator's request log:
//! `--concurrency N` is how many Exchange requests go out at once (the log's in-flight counter),
//! and the lane lowers it by itself when Exchange pushes back; adds, polls and removals run at once
//! (removals land while a slow poll is in flight); every removal is proven gone by a grouped
//! `Get-Mailbox -Filter`, never by a `Get-Mailbox` of its own, and `runs show` says so.

use mailfix_sim::log::LogEntry;
use mailfix_sim::scenario::{Scenario, small};
use serde_json::json;

use crate::support::{TestSim, run, stderr};
use crate::tenant::{
    assert_fixed_and_untouched, group_users, json_out, labelled, mailboxes, requests, upns,
};

const GROUP: &str = "All Staff";

/// `small(seed)` whose Exchange accepts `allowed` requests in flight (0: no limit).
fn scenario(seed: u64, allowed: f64) -> Scenario {
    let mut scenario = small(seed);
    scenario
        .behaviour
        .limits
        .insert("exo.concurrency".to_owned(), allowed);
    scenario
        .behaviour
        .limits
        .insert("exo.concurrency_retry_after_s".to_owned(), 10.0);
    scenario
}

/// A simulator of `scenario`, 60× faster, write-backs 1–5 minutes, each Exchange request taking
/// `exo_ms` and each Graph request `graph_ms` of real time; stuck users un-stuck.
async fn sim(scenario: &Scenario, exo_ms: u64, graph_ms: u64) -> TestSim {
    let sim = TestSim::start_with(scenario.clone(), |o| {
        o.time_scale = 60.0;
        o.writeback_delay_s = Some((60.0, 300.0));
        o.exo_latency_ms = Some(exo_ms);
        o.graph_latency_ms = Some(graph_ms);
    })
    .await;
    sim.control_post("/_sim/unstick", json!({})).await;
    sim
}

fn exchange(log: &[LogEntry]) -> impl Iterator<Item = &LogEntry> {
    log.iter().filter(|e| e.path.contains("/adminapi/"))
}

fn peak_in_flight(log: &[LogEntry]) -> u32 {
    exchange(log).filter_map(|e| e.in_flight).max().unwrap_or(0)
}

/// Runs `fix --group "All Staff"` with `extra` flags, which must succeed.
async fn fix_with(sim: &TestSim, extra: &[&str]) -> std::process::Output {
    let args = ["fix", "--group", GROUP, "--yes", "--poll-interval", "1s"];
    let out = run(sim.mailfix().args(args).args(extra)).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    out
}

/// Runs `fix --group "All Staff"` with `extra` flags; its JSON report.
async fn fix(sim: &TestSim, extra: &[&str]) -> serde_json::Value {
    let out = fix_with(sim, &[extra, &["-o", "json"]].concat()).await;
    json_out(&out)
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrency_is_how_many_exchange_requests_go_out_at_once() {
    let scenario = scenario(31, 0.0);
    for n in [10, 3] {
        let sim = sim(&scenario, 300, 0).await;
        let report = fix(&sim, &["--concurrency", &n.to_string()]).await;
        let peak = peak_in_flight(&requests(&sim, 0));
        assert_eq!(peak, n, "--concurrency {n}: the most in flight at once");
        let lane = &report["requests"]["exchange_concurrency"];
        assert_eq!(
            lane,
            &json!({"configured": n, "lowest": n, "pushed_back": 0})
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_exchange_lane_backs_off_when_exchange_pushes_back_and_the_summary_says_so() {
    // Exchange accepts 3 at once; asked for 10, mailfix lowers it and still fixes everyone.
    let scenario = scenario(32, 3.0);
    let sim = sim(&scenario, 300, 0).await;
    let all = labelled(
        &scenario,
        &["empty-mail", "stuck"],
        &group_users(&scenario, GROUP),
    );
    let before = mailboxes(&sim);
    let out = fix_with(&sim, &["--concurrency", "10", "-o", "table"]).await;
    let summary = crate::support::stdout(&out);
    let log = requests(&sim, 0);
    let refused = exchange(&log).filter(|e| e.status == 429).count();
    assert!(refused >= 1, "Exchange pushed back");
    let line = summary
        .lines()
        .find(|l| l.starts_with("exchange at once: 10 · lowered to "))
        .unwrap_or_else(|| panic!("the summary says how many at once: {summary}"));
    assert!(
        line.ends_with(&format!("Exchange pushed back {refused}")),
        "{line}"
    );
    assert_fixed_and_untouched(&sim, &before, &all);
}

#[tokio::test(flavor = "multi_thread")]
async fn removals_go_on_while_a_slow_poll_is_in_flight() {
    // Every Graph request takes 2 s, so every poll does; write-backs land every second or so,
    // so a poll always finds some, and their removals must not wait for the next poll to end.
    let scenario = scenario(33, 0.0);
    let sim = sim(&scenario, 0, 2000).await;
    fix(&sim, &[]).await;
    let log = requests(&sim, 0);
    let polls: Vec<(u64, u64)> = log
        .iter()
        .filter(|e| e.path.ends_with("/$batch"))
        .map(|e| (e.real_ms, e.real_ms + 2000))
        .collect();
    let removals: Vec<u64> = exchange(&log)
        .filter(|e| e.body.as_deref().is_some_and(|b| b.contains("\"Remove\"")))
        .map(|e| e.real_ms)
        .collect();
    assert!(
        polls.len() >= 2 && !removals.is_empty(),
        "{polls:?} {removals:?}"
    );
    let during = removals
        .iter()
        .filter(|r| polls.iter().any(|(start, end)| start < *r && *r < end))
        .count();
    assert!(
        during > 0,
        "removals were sent while a poll was in flight: polls {polls:?}, removals {removals:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn removals_are_proven_gone_in_groups_and_runs_show_names_the_proof() {
    let scenario = scenario(34, 0.0);
    let sim = sim(&scenario, 50, 0).await;
    let report = fix(&sim, &[]).await;
    let fixed = upns(&report, "fixed");
    let log = requests(&sim, 0);
    let reads: Vec<&LogEntry> = exchange(&log)
        .filter(|e| e.operation.as_deref() == Some("Get-Mailbox"))
        .collect();
    let removals = exchange(&log)
        .filter(|e| e.body.as_deref().is_some_and(|b| b.contains("\"Remove\"")))
        .count();
    assert_eq!(removals, fixed.len(), "one removal per fixed user");
    for read in &reads {
        let body = read.body.as_deref().unwrap_or_default();
        assert!(
            body.contains("\"Filter\""),
            "no Get-Mailbox of one user: {body}"
        );
    }
    assert!(
        reads.len() < removals,
        "{} grouped reads for {removals} removals",
        reads.len()
    );
    let run_id = report["run"].as_str().unwrap();
    let show = json_out(&run(sim.mailfix().args(["runs", "show", run_id, "-o", "json"])).await);
    let items = show["items"].as_array().unwrap();
    let verified: Vec<_> = items.iter().filter(|i| i["state"] == "verified").collect();
    assert_eq!(verified.len(), fixed.len(), "{show}");
    for item in verified {
        let reason = item["reason"].as_str().unwrap_or_default();
        assert!(reason.starts_with("proven gone by Get-Mailbox"), "{item}");
        assert!(item["written_back_at"].is_string(), "{item}");
    }
}
