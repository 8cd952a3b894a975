//! `mailfix guard` through the binary against the simulator: `--once` exit codes, what an idle
//! cycle costs, group scopes checked by membership, alerts to a Teams webhook (retried, the URL
//! never printed), remediation refused off a terminal without `--yes`, a continuous guard that
//! fixes new starters within one interval plus their write-back and stops cleanly on SIGTERM,
//! stuck users alerted once, and a refused delta link answered with one resync.

use std::process::Stdio;
use std::time::Duration;

use mailfix_sim::scenario::small;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt as _, BufReader};

use crate::support::guard::{
    WEBHOOK_SECRET, deliveries, events, fail_next, graph_requests, hire, of_kind, webhook_url,
    with_label,
};
use crate::support::{TestSim, run, stderr, stdout};
use crate::tenant::{compressed, mail_and_primary, requests};

const SCOPE: [&str; 2] = ["--group", "All Staff"];

fn guard(sim: &TestSim, extra: &[&str]) -> tokio::process::Command {
    let mut cmd = sim.mailfix();
    cmd.arg("guard").args(SCOPE).args(extra);
    cmd
}

async fn once(sim: &TestSim, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["--once"];
    args.extend_from_slice(extra);
    run(&mut guard(sim, &args)).await
}

#[tokio::test]
async fn once_in_report_mode_exits_3_on_findings_then_0_and_an_idle_cycle_costs_one_request() {
    let sim = TestSim::start(small(1)).await;
    let first = once(&sim, &["--mode", "report"]).await;
    assert_eq!(first.status.code(), Some(3), "{}", stderr(&first));
    assert!(stderr(&first).contains("MF001 error"), "{}", stderr(&first));
    let seq = sim.sim.state.log.len() as u64;
    let idle = once(&sim, &["--mode", "report", "-o", "ndjson"]).await;
    assert_eq!(idle.status.code(), Some(0), "{}", stderr(&idle));
    let log = requests(&sim, seq);
    let graph = graph_requests(&log);
    // One to resolve the group by name (once per process), one delta round.
    assert_eq!(graph.len(), 2, "{graph:#?}");
    assert_eq!(graph[1].operation.as_deref(), Some("users.delta"));
    let finished = events(&stdout(&idle));
    let cycle = of_kind(&finished, "cycle-finished")[0];
    assert_eq!(cycle["graph_requests"], 1, "the cycle itself: one request");
    assert_eq!(cycle["full"], false);

    hire(&sim, json!({"count": 2, "defects": {"no-mailbox": 1.0}})).await;
    let warning = once(&sim, &["--mode", "report", "--fail-on", "warning"]).await;
    assert_eq!(warning.status.code(), Some(3), "MF002 is a warning");
    hire(&sim, json!({"count": 2, "defects": {"no-mailbox": 1.0}})).await;
    let lenient = once(&sim, &["--mode", "report"]).await;
    assert_eq!(lenient.status.code(), Some(0), "no error finding is open");
}

#[tokio::test]
async fn a_group_scope_checks_the_membership_of_changed_users_only() {
    let sim = TestSim::start(small(2)).await;
    assert_eq!(
        once(&sim, &["--mode", "report"]).await.status.code(),
        Some(3)
    );
    let inside = hire(
        &sim,
        json!({"count": 3, "defects": {"empty-mail": 1.0}, "groups": ["Platform Team"]}),
    )
    .await;
    let outside = hire(
        &sim,
        json!({"count": 2, "defects": {"empty-mail": 1.0}, "groups": ["Sales EMEA", "Contractors"]}),
    )
    .await;
    let seq = sim.sim.state.log.len() as u64;
    let out = once(&sim, &["--mode", "report", "-o", "ndjson"]).await;
    let found: Vec<String> = of_kind(&events(&stdout(&out)), "finding")
        .iter()
        .map(|f| f["user"]["upn"].as_str().unwrap().to_owned())
        .collect();
    let upns = |hired: &[Value]| -> Vec<String> {
        hired
            .iter()
            .map(|h| h["upn"].as_str().unwrap().to_owned())
            .collect()
    };
    let mut expected = upns(&inside);
    expected.extend(upns(&outside)[..2].iter().cloned()); // Sales EMEA is inside All Staff
    expected.sort();
    let mut found_sorted = found.clone();
    found_sorted.sort();
    // Both "outside" hires joined Sales EMEA too, which All Staff reaches through Sales.
    assert_eq!(found_sorted, expected);
    let log = requests(&sim, seq);
    let checks: Vec<_> = graph_requests(&log)
        .into_iter()
        .filter(|e| e.path.ends_with("$batch"))
        .collect();
    assert_eq!(
        checks.len(),
        1,
        "five changed users: one $batch of membership checks"
    );
    assert_eq!(checks[0].batch_items.len(), 5);
}

#[tokio::test]
async fn alerts_go_to_the_teams_webhook_once_per_cycle_retried_and_the_url_is_never_printed() {
    let sim = TestSim::start(small(3)).await;
    let url = webhook_url(&sim, "teams");
    let alert = |sim: &TestSim| {
        let mut cmd = guard(
            sim,
            &["--once", "--mode", "alert", "--webhook-format", "teams"],
        );
        cmd.env("MAILFIX_WEBHOOK_URL", &url);
        cmd
    };
    let first = run(&mut alert(&sim)).await;
    assert_eq!(first.status.code(), Some(3), "{}", stderr(&first));
    assert_eq!(
        deliveries(&sim, "teams").await.len(),
        1,
        "one message for the whole scan"
    );
    let idle = run(&mut alert(&sim)).await;
    assert_eq!(idle.status.code(), Some(0));
    assert_eq!(
        deliveries(&sim, "teams").await.len(),
        1,
        "nothing found: nothing sent"
    );

    let hired = hire(&sim, json!({"count": 4, "defects": {"synced": 0.5}})).await;
    fail_next(&sim, "teams", 1, 503).await;
    let out = run(&mut alert(&sim)).await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let got = deliveries(&sim, "teams").await;
    assert_eq!(got.len(), 3, "the failed attempt and its retry");
    assert_eq!(
        (got[1]["status"].as_u64(), got[2]["status"].as_u64()),
        (Some(503), Some(202))
    );
    let card = &got[2]["json"]["attachments"][0]["content"];
    assert_eq!(card["type"], "AdaptiveCard");
    let text = card.to_string();
    for synced in with_label(&hired, &["synced"]) {
        assert!(text.contains(synced["upn"].as_str().unwrap()), "{text}");
    }
    assert!(stderr(&out).contains("trying again"), "{}", stderr(&out));
    for output in [&first, &idle, &out] {
        let all = format!("{}{}", stdout(output), stderr(output));
        assert!(!all.contains(WEBHOOK_SECRET), "the URL leaked: {all}");
        assert!(!all.contains(&sim.sim.info.client_secret));
    }
}

#[tokio::test]
async fn remediate_refuses_to_start_off_a_terminal_without_yes() {
    let sim = TestSim::start(small(4)).await;
    let out = run(guard(&sim, &["--once", "--mode", "remediate"]).stdin(Stdio::null())).await;
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("refusing to start without confirmation"),
        "{err}"
    );
    assert!(err.contains("--yes"), "{err}");
    assert!(
        requests(&sim, 0).iter().all(|e| !e.write),
        "nothing written"
    );
}

/// Whether `event` is a fix run that ended with every one of `targets` fixed.
fn fixed_all(event: &Value, targets: &[String]) -> bool {
    event["event"] == "fix-finished"
        && targets.iter().all(|t| {
            event["fixed"]
                .as_array()
                .is_some_and(|fixed| fixed.iter().any(|f| f["id"] == t.as_str()))
        })
}

/// A guard running every second with `-o ndjson`, its events read as they come.
struct Running {
    child: tokio::process::Child,
    lines: tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
    seen: Vec<Value>,
}

impl Running {
    fn start(sim: &TestSim, extra: &[&str]) -> Self {
        let mut cmd = guard(sim, &["--interval", "1s", "-o", "ndjson"]);
        let mut child = cmd
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        Running {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Reads events until `done` holds for one; gives it.
    async fn until(&mut self, what: &str, done: impl Fn(&Value) -> bool) -> Value {
        let wait = async {
            while let Some(line) = self.lines.next_line().await.unwrap() {
                let event: Value = serde_json::from_str(&line).unwrap();
                self.seen.push(event.clone());
                if done(&event) {
                    return event;
                }
            }
            panic!("guard ended before {what}: {:#?}", self.seen);
        };
        tokio::time::timeout(Duration::from_secs(120), wait)
            .await
            .unwrap_or_else(|_| panic!("no {what} within 120 s"))
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_running_guard_fixes_new_starters_within_one_interval_and_stops_on_sigterm() {
    let sim = compressed(&small(5), 600.0, (60.0, 300.0)).await;
    sim.control_post("/_sim/unstick", json!({})).await;
    let listen = "127.0.0.1:0";
    let mut guard = Running::start(
        &sim,
        &[
            "--mode",
            "remediate",
            "--yes",
            "--poll-interval",
            "100ms",
            "--listen",
            listen,
            "--max-changes-per-cycle",
            "100",
        ],
    );
    let first = guard
        .until("the first cycle", |e| e["event"] == "cycle-finished")
        .await;
    assert_eq!(first["full"], true);
    let hired = hire(&sim, json!({"count": 6, "defects": {"empty-mail": 0.5}})).await;
    let hired_after = first["cycle"].as_u64().unwrap();
    let targets: Vec<String> = with_label(&hired, &["empty-mail"])
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_owned())
        .collect();
    let done = guard
        .until("the new starters' fix", |e| fixed_all(e, &targets))
        .await;
    assert_eq!(done["stuck"], json!([]));
    // Detected by the first cycle that started after the hire: within one interval. The cycle
    // after the one the test saw finish may already have read its delta when the hire lands (a
    // loaded machine can take longer than the 1 s interval between the two), so the fix comes in
    // that cycle or the one after it, never later.
    let started_after: Vec<u64> = guard
        .seen
        .iter()
        .filter(|e| e["event"] == "cycle-started")
        .filter_map(|e| e["cycle"].as_u64())
        .filter(|c| *c > hired_after)
        .collect();
    assert!(
        !started_after.is_empty() && started_after.len() <= 2,
        "fixed in the cycle after the hire: cycles started before the fix ended: {started_after:?}"
    );
    for hire in with_label(&hired, &["empty-mail"]) {
        let (mail, primary) = mail_and_primary(&sim, hire["upn"].as_str().unwrap());
        assert_eq!(mail, primary);
    }
    crate::support::terminate(&guard.child);
    let status = tokio::time::timeout(Duration::from_secs(60), guard.child.wait())
        .await
        .expect("guard stops after SIGTERM")
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let runs = run(sim.mailfix().args(["runs"])).await;
    let runs: Value = serde_json::from_str(&stdout(&runs)).unwrap();
    assert!(
        runs["runs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "finished"),
        "the journal is consistent: {runs}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn health_and_metrics_are_served_on_loopback() {
    let sim = TestSim::start(small(6)).await;
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let mut guard = Running::start(&sim, &["--mode", "report", "--listen", &addr]);
    guard
        .until("a cycle", |e| e["event"] == "cycle-finished")
        .await;
    let http = reqwest::Client::new();
    let health: Value = http
        .get(format!("http://{addr}/healthz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok", "{health}");
    assert!(health["last_cycle"]["age_s"].is_number());
    let metrics = http
        .get(format!("http://{addr}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for name in [
        "mailfix_guard_cycles_total{kind=\"full\"} ",
        "mailfix_guard_users_checked_total ",
        "mailfix_guard_findings_total{rule=\"MF001\"} ",
        "mailfix_guard_requests_total{service=\"graph\"} ",
        "mailfix_guard_throttled_total ",
    ] {
        assert!(metrics.contains(name), "{name} in\n{metrics}");
    }
    crate::support::terminate(&guard.child);
    let status = guard.child.wait().await.unwrap();
    assert_eq!(status.code(), Some(0));
    let remote = run(sim
        .mailfix()
        .args(["guard", "--all-users", "--listen", "0.0.0.0:9464"]))
    .await;
    assert_eq!(remote.status.code(), Some(2));
    assert!(stderr(&remote).contains("not a loopback address"));
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fix_waiting_for_a_write_back_does_not_hold_up_the_next_new_starters() {
    let sim = compressed(&small(5), 600.0, (60.0, 300.0)).await;
    sim.control_post("/_sim/unstick", json!({})).await;
    let mut guard = Running::start(
        &sim,
        &[
            "--mode",
            "remediate",
            "--yes",
            "--poll-interval",
            "100ms",
            "--fix-timeout",
            "120s",
        ],
    );
    guard
        .until("the first cycle", |e| e["event"] == "cycle-finished")
        .await;
    // A new starter whose write-back never comes: its fix waits the whole --fix-timeout.
    let stuck = hire(&sim, json!({"count": 1, "defects": {"stuck": 1.0}})).await;
    let stuck_id = stuck[0]["id"].as_str().unwrap().to_owned();
    guard
        .until("the stuck starter's fix", |e| {
            e["event"] == "plan" && e["fixing"].as_u64().unwrap_or(0) > 0
        })
        .await;
    let hired = hire(&sim, json!({"count": 3, "defects": {"empty-mail": 1.0}})).await;
    let targets: Vec<String> = with_label(&hired, &["empty-mail"])
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(targets.len(), 3);
    let done = guard
        .until("the later starters' fix", |e| fixed_all(e, &targets))
        .await;
    assert_eq!(done["stuck"], json!([]));
    // The stuck starter's fix is still waiting: no fix has ended with it yet.
    let stuck_ended = guard.seen.iter().any(|e| {
        e["event"] == "fix-finished"
            && ["fixed", "stuck", "failed"].iter().any(|k| {
                e[*k]
                    .as_array()
                    .is_some_and(|users| users.iter().any(|u| u["id"] == stuck_id.as_str()))
            })
    });
    assert!(
        !stuck_ended,
        "the later starters waited for the stuck one: {:#?}",
        guard.seen
    );
    let _ = guard.child.kill().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stuck_new_starter_is_alerted_once_and_not_planned_again() {
    let sim = compressed(&small(7), 600.0, (60.0, 120.0)).await;
    sim.control_post("/_sim/unstick", json!({})).await;
    assert_eq!(
        once(&sim, &["--mode", "report"]).await.status.code(),
        Some(3)
    );
    let stuck = hire(&sim, json!({"count": 1, "defects": {"stuck": 1.0}})).await;
    let url = webhook_url(&sim, "slack");
    let remediate = |extra: &[&str]| {
        let mut args = vec![
            "--once",
            "--mode",
            "remediate",
            "--yes",
            "--poll-interval",
            "100ms",
        ];
        args.extend_from_slice(extra);
        let mut cmd = guard(&sim, &args);
        cmd.env("MAILFIX_WEBHOOK_URL", &url)
            .env("MAILFIX_WEBHOOK_FORMAT", "slack");
        cmd
    };
    let out = run(&mut remediate(&["--fix-timeout", "2s"])).await;
    let text = stderr(&out);
    assert!(text.contains("stuck 1"), "{text}");
    let upn = stuck[0]["upn"].as_str().unwrap();
    let got = deliveries(&sim, "slack").await;
    assert_eq!(got.len(), 1);
    assert!(
        got[0]["json"].to_string().contains(upn),
        "alerted: {}",
        got[0]["json"]
    );
    let id = stuck[0]["id"].as_str().unwrap();
    assert_eq!(set_mailbox_adds(&sim, id), 1);
    // A full read finds the user again: not planned again, not alerted again.
    let again = run(&mut remediate(&["--full-scan-every", "1ms"])).await;
    assert!(
        stderr(&again).contains("1 stuck or failed before"),
        "{}",
        stderr(&again)
    );
    assert_eq!(
        set_mailbox_adds(&sim, id),
        1,
        "no second alias for the stuck user"
    );
    let got = deliveries(&sim, "slack").await;
    assert!(
        got.iter()
            .skip(1)
            .all(|d| !d["json"].to_string().contains(upn))
    );
}

/// `Set-Mailbox` requests that added an address to the mailbox of user `id`.
fn set_mailbox_adds(sim: &TestSim, id: &str) -> usize {
    requests(sim, 0)
        .iter()
        .filter(|e| e.operation.as_deref() == Some("Set-Mailbox"))
        .filter(|e| {
            e.body
                .as_deref()
                .is_some_and(|b| b.contains("\"Add\"") && b.contains(id))
        })
        .count()
}

#[tokio::test]
async fn an_expired_delta_link_starts_one_full_read_and_says_so() {
    let sim = TestSim::start(small(8)).await;
    assert_eq!(
        once(&sim, &["--mode", "report"]).await.status.code(),
        Some(3)
    );
    sim.control_post("/_sim/delta/expire", json!({"answer": "expired"}))
        .await;
    let out = once(&sim, &["--mode", "report", "-o", "ndjson"]).await;
    let seen = events(&stdout(&out));
    let resyncs = of_kind(&seen, "resync");
    assert_eq!(resyncs.len(), 1, "{seen:#?}");
    assert!(
        resyncs[0]["reason"]
            .as_str()
            .unwrap()
            .contains("syncStateNotFound")
    );
    assert_eq!(of_kind(&seen, "cycle-finished")[0]["full"], true);
    let next = once(&sim, &["--mode", "report", "-o", "ndjson"]).await;
    assert_eq!(next.status.code(), Some(0));
    assert!(
        of_kind(&events(&stdout(&next)), "resync").is_empty(),
        "said once"
    );
}
