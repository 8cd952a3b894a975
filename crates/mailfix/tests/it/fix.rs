//! `mailfix fix` end to end against the simulator with a compressed clock: the happy path, stuck
//! users (removed at the timeout, or kept and resumed), dry run and refusals, the writer lock,
//! Ctrl-C and resume. Outcomes are checked in the simulator's state and request log; the targets
//! come from the scenario definition.

use std::collections::BTreeSet;
use std::process::{Output, Stdio};

use mailfix_sim::scenario::{Scenario, small};
use serde_json::{Value, json};

use crate::support::{TestSim, run, stderr, stdout};
use crate::tenant::{
    assert_fixed_and_untouched, assert_mailboxes_unchanged, compressed, group_users, json_out,
    labelled, mail_and_primary, mailboxes, set_mailbox_ok, upns, wait_for_log, without_a_mailbox,
    writes,
};

const GROUP: &str = "All Staff";

/// The scenario's MF001 users in `All Staff`: with the defect, and stuck ones (`labels`).
fn targets(scenario: &Scenario, labels: &[&str]) -> BTreeSet<String> {
    labelled(scenario, labels, &group_users(scenario, GROUP))
}

/// Un-sticks every user, runs `fix --group "All Staff"` and asserts the happy-path invariants:
/// exit 0, every MF001 user reported fixed, its `mail` its primary SMTP address, and every
/// mailbox holding exactly the addresses it held before. Returns the output, its JSON report and
/// the targets.
pub async fn fix_all_staff(
    sim: &TestSim,
    scenario: &Scenario,
) -> (Output, Value, BTreeSet<String>) {
    sim.control_post("/_sim/unstick", json!({})).await;
    let all = targets(scenario, &["empty-mail", "stuck"]);
    let before = mailboxes(sim);

    let out = run(sim
        .mailfix()
        .args(["fix", "--group", GROUP, "--yes", "--poll-interval", "1s"]))
    .await;

    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json_out(&out);
    assert_eq!(upns(&report, "fixed"), all);
    assert_fixed_and_untouched(sim, &before, &all);
    (out, report, all)
}

#[tokio::test(flavor = "multi_thread")]
async fn fix_repairs_every_target_and_leaves_every_other_address_as_it_was() {
    let scenario = small(7);
    let sim = compressed(&scenario, 60.0, (60.0, 300.0)).await;

    let (out, report, all) = fix_all_staff(&sim, &scenario).await;

    assert_eq!(report["targets"], all.len());
    for list in ["stuck", "failed", "pending"] {
        assert_eq!(report[list], json!([]), "{list}");
    }
    let run_id = report["run"].as_str().unwrap();
    for item in report["fixed"].as_array().unwrap() {
        let alias = item["alias"].as_str().unwrap();
        assert!(
            alias.ends_with(&format!(".mailfix-{run_id}@contoso.onmicrosoft.com")),
            "{alias}"
        );
        assert!(item["latency_s"].as_f64().unwrap() > 0.0);
    }
    assert!(
        report["latency"]["max_s"].as_f64().unwrap()
            >= report["latency"]["p50_s"].as_f64().unwrap()
    );
    let exchange = report["requests"]["exchange"].as_u64().unwrap();
    assert!(
        exchange >= 2 * all.len() as u64,
        "an add and a removal per user, and the reads proving them gone: {exchange}"
    );
    assert_eq!(report["next"], Value::Null);
    let status = stderr(&out);
    for line in [
        "added alias: ",
        "written back: ",
        "removed alias: ",
        "next poll at ",
    ] {
        assert!(
            status.contains(line),
            "plain status lines off a terminal: {line}\n{status}"
        );
    }
    let runs = json_out(&run(sim.mailfix().args(["runs"])).await);
    assert_eq!(runs["runs"][0]["status"], "finished");
}

#[tokio::test(flavor = "multi_thread")]
async fn stuck_users_time_out_and_their_aliases_are_removed() {
    let scenario = small(8);
    let sim = compressed(&scenario, 120.0, (60.0, 300.0)).await;
    let stuck = targets(&scenario, &["stuck"]);
    let fixed = targets(&scenario, &["empty-mail"]);
    assert!(!stuck.is_empty(), "the scenario has stuck users");
    let before = mailboxes(&sim);

    let args = [
        "fix",
        "--group",
        GROUP,
        "--yes",
        "--poll-interval",
        "500ms",
        "--timeout",
        "10s",
    ];
    let out = run(sim.mailfix().args(args)).await;

    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let report = json_out(&out);
    assert_eq!(upns(&report, "stuck"), stuck);
    assert_eq!(upns(&report, "fixed"), fixed);
    for item in report["stuck"].as_array().unwrap() {
        assert!(
            item["reason"].as_str().unwrap().contains("alias removed"),
            "{item}"
        );
    }
    for upn in &stuck {
        assert_eq!(
            mail_and_primary(&sim, upn).0,
            None,
            "{upn} is still without mail"
        );
    }
    assert_fixed_and_untouched(&sim, &before, &fixed);
    assert_eq!(report["status"], "partial", "not every target was fixed");
    assert_eq!(
        report["next"],
        Value::Null,
        "nothing is left to resume or clean up"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn stuck_users_kept_at_the_timeout_are_finished_by_resume_after_unstick() {
    let scenario = small(9);
    let sim = compressed(&scenario, 120.0, (60.0, 300.0)).await;
    let stuck = targets(&scenario, &["stuck"]);
    let all = targets(&scenario, &["empty-mail", "stuck"]);
    let before = mailboxes(&sim);

    let args = [
        "fix",
        "--group",
        GROUP,
        "--yes",
        "--poll-interval",
        "500ms",
        "--timeout",
        "8s",
    ];
    let out = run(sim.mailfix().args(args).args(["--on-timeout", "keep"])).await;

    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let report = json_out(&out);
    let run_id = report["run"].as_str().unwrap().to_owned();
    assert_eq!(upns(&report, "stuck"), stuck);
    assert_eq!(report["status"], "incomplete");
    assert_eq!(report["next"], format!("mailfix fix --resume {run_id}"));
    let marker = format!(".mailfix-{run_id}@");
    for upn in &stuck {
        let id = crate::tenant::user_id(&sim, upn);
        let kept = mailboxes(&sim)[&id].iter().any(|a| a.contains(&marker));
        assert!(kept, "{upn} keeps its alias for the resume");
    }

    sim.control_post("/_sim/unstick", json!({})).await;
    let resume = [
        "fix",
        "--resume",
        "--poll-interval",
        "500ms",
        "--timeout",
        "2m",
    ];
    let out = run(sim.mailfix().args(resume)).await;

    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let fixed_before = all.len() - stuck.len();
    let so_far = format!(
        "so far: added {} · written back {fixed_before} · removed {fixed_before} · failed 0",
        all.len()
    );
    assert!(
        stderr(&out).contains(&so_far),
        "the resume counts on from the journal: {so_far}\n{}",
        stderr(&out)
    );
    let report = json_out(&out);
    assert_eq!(report["run"], run_id.as_str());
    assert_eq!(
        upns(&report, "fixed"),
        all,
        "the resumed run reports all its users"
    );
    assert_fixed_and_untouched(&sim, &before, &all);
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_and_refusals_make_no_write_request() {
    let scenario = small(10);
    let sim = compressed(&scenario, 60.0, (60.0, 300.0)).await;
    let all = targets(&scenario, &["empty-mail", "stuck"]);
    let before = mailboxes(&sim);

    let out = run(sim.mailfix().args(["fix", "--group", GROUP, "--dry-run"])).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let plan = json_out(&out);
    assert_eq!(plan["dry_run"], true);
    let planned: BTreeSet<String> = plan["plan"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["upn"].as_str().unwrap().to_ascii_lowercase())
        .collect();
    assert_eq!(planned, all);
    assert_eq!(plan["domain"], "contoso.onmicrosoft.com");

    let refused = run(sim.mailfix().args(["fix", "--group", GROUP])).await;
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("--yes"), "{}", stderr(&refused));

    let too_many = ["fix", "--group", GROUP, "--yes", "--max-changes", "3"];
    let refused = run(sim.mailfix().args(too_many)).await;
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("more than --max-changes 3"),
        "{}",
        stderr(&refused)
    );

    assert_eq!(writes(&sim).len(), 0, "no request changed anything");
    assert_mailboxes_unchanged(&sim, &before);
    let runs = json_out(&run(sim.mailfix().args(["runs"])).await);
    assert_eq!(runs["runs"], json!([]), "nothing was journaled");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_fix_on_the_same_journal_fails_at_once() {
    let scenario = small(11);
    // Real time and long write-backs: the first run is still watching when the second starts.
    let sim = compressed(&scenario, 1.0, (3600.0, 3600.0)).await;
    let mut first = sim
        .mailfix()
        .args(["fix", "--group", GROUP, "--yes", "--poll-interval", "5s"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_log(&sim, "the first run's first add", |log| {
        set_mailbox_ok(log) > 0
    })
    .await;

    let second = run(sim.mailfix().args(["fix", "--group", GROUP, "--yes"])).await;

    assert_eq!(second.status.code(), Some(2));
    let message = stderr(&second);
    let pid = first.id().unwrap();
    assert!(
        message.contains(&format!("in use by pid {pid} (fix, run r")),
        "{message}"
    );
    assert!(
        message.contains("only one fix, cleanup or seed may write at a time"),
        "{message}"
    );
    first.start_kill().unwrap();
    first.wait().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_stops_new_work_exits_130_and_the_run_resumes() {
    let scenario = small(12);
    let sim = TestSim::start_with(scenario.clone(), |o| {
        o.time_scale = 1.0;
        o.writeback_delay_s = Some((600.0, 600.0));
        o.exo_latency_ms = Some(150);
    })
    .await;
    sim.control_post("/_sim/unstick", json!({})).await;
    let all = targets(&scenario, &["empty-mail", "stuck"]);
    let before = mailboxes(&sim);
    let child = sim
        .mailfix()
        .args(["fix", "--group", GROUP, "--yes", "--poll-interval", "5s"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_log(&sim, "a few adds", |log| set_mailbox_ok(log) >= 5).await;

    crate::support::interrupt(&child);
    let out = child.wait_with_output().await.unwrap();

    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    let report = json_out(&out);
    let run_id = report["run"].as_str().unwrap();
    assert_eq!(report["status"], "interrupted");
    let hint = format!("Resume with: mailfix fix --resume {run_id}");
    assert!(stderr(&out).contains(&hint), "{}", stderr(&out));
    assert!(
        set_mailbox_ok(&crate::tenant::requests(&sim, 0)) < all.len(),
        "no new adds started after Ctrl-C"
    );

    // Let the write-backs of the adds made so far (and the ones resume makes) land quickly.
    sim.control_post("/_sim/clock/scale", json!({"scale": 300.0}))
        .await;
    let out = run(sim
        .mailfix()
        .args(["fix", "--resume", run_id, "--poll-interval", "200ms"]))
    .await;

    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(upns(&json_out(&out), "fixed"), all);
    assert_fixed_and_untouched(&sim, &before, &all);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_user_without_a_mailbox_fails_with_its_reason_and_the_others_are_fixed() {
    let mut scenario = small(13);
    let lost = without_a_mailbox(&mut scenario).to_ascii_lowercase();
    let sim = compressed(&scenario, 120.0, (60.0, 300.0)).await;
    sim.control_post("/_sim/unstick", json!({})).await;
    let mut fixed = targets(&scenario, &["empty-mail", "stuck"]);
    assert!(fixed.remove(&lost), "the user is a target");
    let before = mailboxes(&sim);

    let out =
        run(sim
            .mailfix()
            .args(["fix", "--group", GROUP, "--yes", "--poll-interval", "500ms"]))
        .await;

    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let report = json_out(&out);
    assert_eq!(upns(&report, "failed"), BTreeSet::from([lost.clone()]));
    let reason = report["failed"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("no Exchange mailbox found"), "{reason}");
    assert_eq!(upns(&report, "fixed"), fixed);
    assert_fixed_and_untouched(&sim, &before, &fixed);
    let run_id = report["run"].as_str().unwrap();
    let show: Value = serde_json::from_str(&stdout(
        &run(sim.mailfix().args(["runs", "show", run_id])).await,
    ))
    .unwrap();
    let item = show["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| {
            i["user"]["upn"]
                .as_str()
                .unwrap()
                .eq_ignore_ascii_case(&lost)
        })
        .unwrap();
    assert_eq!(item["state"], "add-failed");
    assert_eq!(item["reason"], reason);
}
