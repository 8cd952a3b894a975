//! `mailfix cleanup` end to end: the aliases a run left (`--keep-aliases`) are removed from the
//! journal's record, `--sweep` removes the leftovers of mailfix and of the original script that no
//! journal knows, and nothing else changes (checked in the simulator's mailboxes).

use std::collections::BTreeSet;

use mailfix_engine::aliases::temp_alias_kind;
use mailfix_sim::scenario::small;
use serde_json::json;

use crate::support::{TestSim, run, stderr};
use crate::tenant::{
    Mailboxes, assert_mailboxes_unchanged, group_users, json_out, labelled, mail_and_primary,
    mailboxes, upns, writes,
};

#[tokio::test(flavor = "multi_thread")]
async fn cleanup_removes_the_aliases_a_run_kept_and_nothing_else() {
    let scenario = small(41);
    let sim = crate::tenant::compressed(&scenario, 120.0, (60.0, 300.0)).await;
    sim.control_post("/_sim/unstick", json!({})).await;
    let targets = labelled(
        &scenario,
        &["empty-mail", "stuck"],
        &group_users(&scenario, "All Staff"),
    );
    let before = mailboxes(&sim);
    let fix = [
        "fix",
        "--group",
        "All Staff",
        "--yes",
        "--keep-aliases",
        "--poll-interval",
        "500ms",
    ];
    let out = run(sim.mailfix().args(fix)).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json_out(&out);
    let run_id = report["run"].as_str().unwrap().to_owned();
    assert_eq!(report["next"], format!("mailfix cleanup --run {run_id}"));
    for upn in &targets {
        let (mail, primary) = mail_and_primary(&sim, upn);
        assert_eq!(mail, primary, "{upn} is fixed although its alias stays");
    }
    assert_ne!(mailboxes(&sim), before, "the aliases are still there");

    let writes_before = writes(&sim).len();
    let dry = run(sim
        .mailfix()
        .args(["cleanup", "--run", &run_id, "--dry-run"]))
    .await;
    assert_eq!(dry.status.code(), Some(0), "{}", stderr(&dry));
    let planned: BTreeSet<String> = json_out(&dry)["removals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["upn"].as_str().unwrap().to_ascii_lowercase())
        .collect();
    assert_eq!(planned, targets);
    assert_eq!(
        writes(&sim).len(),
        writes_before,
        "the dry run wrote nothing"
    );

    let out = run(sim.mailfix().args(["cleanup", "--run", &run_id, "--yes"])).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(upns(&json_out(&out), "removed"), targets);
    assert_mailboxes_unchanged(&sim, &before);

    let again = run(sim.mailfix().args(["cleanup", "--yes"])).await;
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(
        json_out(&again)["removed"],
        json!([]),
        "nothing is left to clean"
    );
    let not_fix = run(sim.mailfix().args(["fix", "--resume", "--yes"])).await;
    assert_eq!(
        not_fix.status.code(),
        Some(2),
        "the only runs left are finished"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sweep_removes_leftover_aliases_of_mailfix_and_the_original_script_only() {
    let mut scenario = small(42);
    // Addresses that carry mailfix's marker but no run id after it are someone else's.
    let lookalikes = lookalike_addresses(&mut scenario);
    let sim = TestSim::start(scenario.clone()).await;
    let before = mailboxes(&sim);
    let everyone: std::collections::HashSet<String> = scenario
        .users
        .iter()
        .map(|u| u.upn.to_ascii_lowercase())
        .collect();
    let leftovers = labelled(&scenario, &["leftover-alias"], &everyone);
    let kinds: BTreeSet<String> = before
        .values()
        .flatten()
        .filter_map(|a| temp_alias_kind(a).map(|k| format!("{k:?}")))
        .collect();
    assert_eq!(
        kinds.len(),
        2,
        "the scenario has leftovers of both kinds: {kinds:?}"
    );

    let out = run(sim
        .mailfix()
        .args(["cleanup", "--sweep", "--all-users", "--yes"]))
    .await;

    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json_out(&out);
    assert_eq!(upns(&report, "removed"), leftovers);
    assert_mailboxes_unchanged(&sim, &without_temporary_aliases(&before));
    let now = mailboxes(&sim);
    for address in &lookalikes {
        assert!(
            now.values().flatten().any(|a| a == address),
            "{address} is not a mailfix alias and stays"
        );
    }
    let runs = json_out(&run(sim.mailfix().args(["runs"])).await);
    assert_eq!(runs["runs"][0]["command"], "cleanup");
    assert_eq!(runs["runs"][0]["status"], "finished");

    let resume =
        run(sim
            .mailfix()
            .args(["fix", "--resume", runs["runs"][0]["id"].as_str().unwrap()]))
        .await;
    assert_eq!(resume.status.code(), Some(2));
    assert!(
        stderr(&resume).contains("is a cleanup run, not a fix run"),
        "{}",
        stderr(&resume)
    );
}

/// Gives a healthy user's mailbox addresses with `.mailfix-` not followed by a run id (a team's
/// name, a date, a run id cut short or run on) and returns them as Exchange lists them.
fn lookalike_addresses(scenario: &mut mailfix_sim::scenario::Scenario) -> Vec<String> {
    let user = scenario
        .users
        .iter_mut()
        .find(|u| u.label == "healthy" && u.mailbox.is_some())
        .expect("a healthy user with a mailbox");
    let local = user.upn.split('@').next().unwrap().to_owned();
    let addresses: Vec<String> = ["team", "r1", "r7f3k2x", "2024-q3"]
        .iter()
        .map(|tail| format!("smtp:{local}.mailfix-{tail}@contoso.onmicrosoft.com"))
        .collect();
    let mailbox = user.mailbox.as_mut().unwrap();
    mailbox.extra_addresses.extend(addresses.iter().cloned());
    addresses
}

/// `mailboxes` without their temporary aliases (mailfix's and the original script's).
pub fn without_temporary_aliases(mailboxes: &Mailboxes) -> Mailboxes {
    mailboxes
        .iter()
        .map(|(id, addresses)| {
            let kept = addresses
                .iter()
                .filter(|a| temp_alias_kind(a).is_none())
                .cloned();
            (id.clone(), kept.collect())
        })
        .collect()
}
