//! The journal never says more than it knows: a user whose write-back never comes is not
//! `verified` and its run is not `finished` — neither when `fix` removes the alias at the
//! timeout, nor when `cleanup` removes an alias `--on-timeout keep` left. `runs`, `runs show` and
//! their JSON say what happened: `withdrawn`, with why and with the read that proved it gone.

use mailfix_sim::scenario::{Scenario, small};
use serde_json::Value;

use crate::support::{TestSim, run, stderr};
use crate::tenant::{compressed, json_out};

/// A simulator whose stuck users stay stuck, and the UPN of one of them.
async fn with_a_stuck_user(seed: u64) -> (TestSim, String) {
    let scenario: Scenario = small(seed);
    let upn = scenario
        .users
        .iter()
        .find(|u| u.label == "stuck")
        .expect("the scenario has a stuck user")
        .upn
        .clone();
    (compressed(&scenario, 60.0, (60.0, 120.0)).await, upn)
}

/// `fix --user UPN --timeout 3s` with `extra` flags: the user is stuck (exit 4); its JSON report.
async fn fix_stuck(sim: &TestSim, upn: &str, extra: &[&str]) -> Value {
    let args = ["fix", "--user", upn, "--yes", "--timeout", "3s"];
    let out = run(sim
        .mailfix()
        .args(args)
        .args(["--poll-interval", "500ms", "-o", "json"])
        .args(extra))
    .await;
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    json_out(&out)
}

/// `runs -o json` and `runs show RUN -o json`.
async fn journal_of(sim: &TestSim, run_id: &str) -> (Value, Value) {
    let runs = json_out(&run(sim.mailfix().args(["runs", "-o", "json"])).await);
    let show = json_out(&run(sim.mailfix().args(["runs", "show", run_id, "-o", "json"])).await);
    (runs, show)
}

fn run_row<'a>(runs: &'a Value, id: &str) -> &'a Value {
    runs["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("run {id} listed: {runs}"))
}

fn assert_withdrawn_not_verified(item: &Value, why: &str) {
    assert_eq!(item["state"], "withdrawn", "{item}");
    assert!(item["written_back_at"].is_null(), "{item}");
    let reason = item["reason"].as_str().unwrap_or_default();
    assert!(reason.starts_with(why), "{item}");
    assert!(
        reason.contains("alias removed (proven gone by Get-Mailbox"),
        "{item}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_user_whose_write_back_never_comes_is_withdrawn_and_the_run_partial() {
    let (sim, upn) = with_a_stuck_user(61).await;
    let report = fix_stuck(&sim, &upn, &[]).await;
    assert_eq!(report["status"], "partial");
    let run_id = report["run"].as_str().unwrap();

    let (runs, show) = journal_of(&sim, run_id).await;
    let row = run_row(&runs, run_id);
    assert_eq!(
        row["status"], "partial",
        "not finished: a target was not fixed"
    );
    assert_eq!(row["states"], serde_json::json!({"withdrawn": 1}));
    assert_eq!(show["run"]["status"], "partial");
    assert_withdrawn_not_verified(&show["items"][0], "no write-back within 3s");

    let table = crate::support::stdout(&run(sim.mailfix().args(["runs", "-o", "table"])).await);
    let line = table.lines().find(|l| l.contains(run_id)).unwrap();
    assert!(
        line.contains("partial") && line.contains("1 withdrawn"),
        "{line}"
    );
    assert!(!table.contains("verified"), "{table}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_alias_kept_past_the_timeout_and_removed_by_cleanup_is_withdrawn_too() {
    let (sim, upn) = with_a_stuck_user(62).await;
    let report = fix_stuck(&sim, &upn, &["--on-timeout", "keep"]).await;
    assert_eq!(report["status"], "incomplete");
    let run_id = report["run"].as_str().unwrap().to_owned();

    let out = run(sim.mailfix().args(["cleanup", "--yes", "-o", "json"])).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let cleanup = json_out(&out);
    assert_eq!(cleanup["removed"].as_array().unwrap().len(), 1);

    let (runs, show) = journal_of(&sim, &run_id).await;
    let fix_row = run_row(&runs, &run_id);
    assert_eq!(
        fix_row["status"], "partial",
        "nothing left to resume, but the user was not fixed"
    );
    assert_eq!(fix_row["states"], serde_json::json!({"withdrawn": 1}));
    assert_withdrawn_not_verified(&show["items"][0], "no write-back within 3s");
    let resume = run(sim.mailfix().args(["fix", "--resume"])).await;
    assert_eq!(
        resume.status.code(),
        Some(2),
        "a partial run is not resumed"
    );
    assert!(
        stderr(&resume).contains("no unfinished fix run"),
        "{}",
        stderr(&resume)
    );
}
