//! `fix` against the simulator's real-tenant Exchange switches (COVERAGE.md, "Real-tenant
//! switches"): the front door's redirect to a tenant host (and the tenant id in the URL when a
//! domain is configured), object ids Exchange does not resolve, and dual-write conflicts, transient
//! and lasting. Each test fails if the client's handling is taken out: the redirect then answers a
//! cmdlet with 302, the object id "couldn't be found", the conflict fails the user.

use mailfix_sim::log::LogEntry;
use mailfix_sim::scenario::{Scenario, small};
use serde_json::Value;

use crate::support::{TestSim, run, stderr};
use crate::tenant::{compressed, json_out, requests, upns};

/// Sets simulator switches (`behaviour.limits`).
pub fn switch(scenario: &mut Scenario, limits: &[(&str, f64)]) {
    for (key, value) in limits {
        scenario.behaviour.limits.insert((*key).to_owned(), *value);
    }
}

/// The first user of the scenario with the defect (MF001).
pub fn first_target(scenario: &Scenario) -> String {
    scenario
        .users
        .iter()
        .find(|u| u.label == "empty-mail")
        .expect("an empty-mail user")
        .upn
        .clone()
}

/// One `Set-Mailbox` the simulator received: when, for which identity, which address it added,
/// and its status.
#[derive(Debug)]
struct SetMailbox {
    time: chrono::DateTime<chrono::Utc>,
    identity: String,
    added: Option<String>,
    status: u16,
}

fn set_mailboxes(log: &[LogEntry]) -> Vec<SetMailbox> {
    log.iter()
        .filter(|e| e.operation.as_deref() == Some("Set-Mailbox"))
        .map(|e| {
            let body: Value = serde_json::from_str(e.body.as_deref().unwrap_or("{}")).unwrap();
            let params = &body["CmdletInput"]["Parameters"];
            SetMailbox {
                time: e.time,
                identity: params["Identity"].as_str().unwrap_or_default().to_owned(),
                added: params["EmailAddresses"]["Add"].as_str().map(str::to_owned),
                status: e.status,
            }
        })
        .collect()
}

/// `fix --user UPN --yes` with a fast poll.
async fn fix_user(sim: &TestSim, upn: &str, env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = sim.mailfix();
    for (k, v) in env {
        cmd.env(k, v);
    }
    run(cmd.args([
        "fix",
        "--user",
        upn,
        "--yes",
        "--poll-interval",
        "500ms",
        "-o",
        "json",
    ]))
    .await
}

fn assert_fixed(out: &std::process::Output, upn: &str) {
    assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
    let report = json_out(out);
    assert_eq!(
        upns(&report, "fixed"),
        [upn.to_ascii_lowercase()].into(),
        "{report}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn cmdlets_go_to_the_tenant_host_the_front_door_redirects_to() {
    let mut scenario = small(4);
    switch(
        &mut scenario,
        &[("exo.redirect", 1.0), ("exo.check_anchor", 1.0)],
    );
    let upn = first_target(&scenario);
    let sim = compressed(&scenario, 60.0, (60.0, 120.0)).await;
    let info = sim.sim.info.clone();
    let port = info.exo_url.rsplit(':').next().unwrap().to_owned();
    // The tenant as its domain, the front door by name (a prefix cannot go in front of an IP).
    let front_door = format!("https://localhost:{port}");
    let env = [
        ("MAILFIX_TENANT", info.tenant_domain.as_str()),
        ("MAILFIX_EXO_URL", front_door.as_str()),
    ];
    let out = fix_user(&sim, &upn, &env).await;
    assert_fixed(&out, &upn);
    let exchange: Vec<LogEntry> = requests(&sim, 0)
        .into_iter()
        .filter(|e| e.service == mailfix_sim::log::Service::Exo)
        .collect();
    let probe = &exchange[0];
    assert_eq!(
        (probe.host.as_deref(), probe.status),
        (Some("localhost"), 302),
        "{probe:?}"
    );
    assert_eq!(
        probe.path,
        format!("/AdminApi/v1.0/{}/EXOModuleFile", info.tenant_id)
    );
    let cmdlets = &exchange[1..];
    assert!(cmdlets.len() >= 3, "{cmdlets:?}");
    for cmdlet in cmdlets {
        assert_eq!(
            cmdlet.host.as_deref(),
            Some("nam13b.localhost"),
            "{cmdlet:?}"
        );
        assert_eq!(
            cmdlet.path,
            format!("/adminapi/beta/{}/InvokeCommand", info.tenant_id),
            "the tenant id from the token, not the configured domain"
        );
        assert!(cmdlet.status < 300, "{cmdlet:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_upn_is_tried_once_when_exchange_does_not_resolve_the_object_id() {
    let mut scenario = small(5);
    switch(&mut scenario, &[("exo.resolve_object_ids", 0.0)]);
    let upn = first_target(&scenario);
    let sim = compressed(&scenario, 60.0, (60.0, 120.0)).await;
    let out = fix_user(&sim, &upn, &[]).await;
    assert_fixed(&out, &upn);
    let id = crate::tenant::user_id(&sim, &upn);
    let sets = set_mailboxes(&requests(&sim, 0));
    let seen: Vec<(&str, u16)> = sets
        .iter()
        .map(|s| (s.identity.as_str(), s.status))
        .collect();
    // The add and the removal: each first by object id (not found), then by UPN.
    assert_eq!(
        seen,
        [
            (id.as_str(), 404),
            (upn.as_str(), 200),
            (id.as_str(), 404),
            (upn.as_str(), 200)
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dual_write_conflict_is_tried_again_a_few_minutes_later() {
    let mut scenario = small(6);
    switch(&mut scenario, &[("exo.dual_write_conflict_s", 120.0)]);
    let upn = first_target(&scenario);
    // 3 s of real time are 180 simulated seconds at 60x: past the conflict's two minutes.
    let sim = compressed(&scenario, 60.0, (60.0, 120.0)).await;
    let out = fix_user(&sim, &upn, &[("MAILFIX_DUAL_WRITE_RETRY", "3s")]).await;
    assert_fixed(&out, &upn);
    let adds: Vec<SetMailbox> = set_mailboxes(&requests(&sim, 0))
        .into_iter()
        .filter(|s| s.added.is_some())
        .collect();
    assert_eq!(adds.len(), 2, "{adds:?}");
    assert_eq!((adds[0].status, adds[1].status), (400, 200));
    assert_eq!(adds[0].added, adds[1].added, "the same address again");
    let waited = (adds[1].time - adds[0].time).num_seconds();
    assert!(
        waited >= 120,
        "tried again after {waited} simulated seconds"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lasting_dual_write_conflict_is_re_planned_as_an_address_in_use() {
    let mut scenario = small(6);
    switch(&mut scenario, &[("exo.dual_write_conflict_s", 1e9)]);
    let upn = first_target(&scenario);
    let sim = compressed(&scenario, 60.0, (60.0, 120.0)).await;
    let out = fix_user(&sim, &upn, &[("MAILFIX_DUAL_WRITE_RETRY", "3s")]).await;
    assert_fixed(&out, &upn);
    let adds: Vec<SetMailbox> = set_mailboxes(&requests(&sim, 0))
        .into_iter()
        .filter(|s| s.added.is_some())
        .collect();
    let seen: Vec<u16> = adds.iter().map(|a| a.status).collect();
    assert_eq!(seen, [400, 400, 200], "{adds:?}");
    assert_eq!(adds[0].added, adds[1].added);
    assert_ne!(adds[1].added, adds[2].added, "a new suffix");
}

fn check<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == name)
        .unwrap_or_else(|| panic!("no {name} check: {doc}"))
}

#[tokio::test]
async fn auth_check_reports_the_exchange_endpoint_and_whether_exchange_runs_a_cmdlet() {
    let mut scenario = small(4);
    switch(&mut scenario, &[("exo.redirect", 1.0)]);
    let sim = TestSim::start(scenario).await;
    let port = sim.sim.info.exo_url.rsplit(':').next().unwrap().to_owned();
    let front_door = format!("https://localhost:{port}");
    let out = run(sim
        .mailfix()
        .env("MAILFIX_EXO_URL", &front_door)
        .args(["auth", "check", "-o", "json"]))
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc = json_out(&out);
    let endpoint = check(&doc, "exchange endpoint");
    assert_eq!(endpoint["ok"], true);
    let result = endpoint["result"].as_str().unwrap();
    assert!(
        result.contains("https://nam13b.localhost:") && result.contains("redirects"),
        "{result}"
    );
    let role = check(&doc, "exchange role");
    assert_eq!(role["ok"], true, "{role}");
    assert!(
        role["result"]
            .as_str()
            .unwrap()
            .contains("Get-AcceptedDomain ran")
    );
    let cmdlets = requests(&sim, 0)
        .into_iter()
        .filter(|e| e.operation.as_deref() == Some("Get-AcceptedDomain"))
        .count();
    assert_eq!(cmdlets, 1, "one read-only cmdlet");
    // An app Exchange does not let in: the check says so and fix cannot run.
    let (mut limited, _) = sim.mailfix_limited();
    let out = run(limited
        .env("MAILFIX_EXO_URL", &front_door)
        .args(["auth", "check", "-o", "json"]))
    .await;
    let doc = json_out(&out);
    let role = check(&doc, "exchange role");
    assert_eq!(role["ok"], false, "{role}");
    assert!(
        role["hint"]
            .as_str()
            .unwrap()
            .contains("Exchange.ManageAsApp"),
        "{role}"
    );
    let fix = doc["commands"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["command"] == "fix")
        .unwrap();
    assert_eq!(fix["can_run"], "no");
}
