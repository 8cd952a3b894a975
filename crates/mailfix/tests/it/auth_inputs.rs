//! `auth` where it cannot do what was asked: `auth login` with an app that is not a public client,
//! `auth check -o json` when sign-in fails, and `auth check --for` a command the app's
//! permissions do not allow.

use std::time::Duration;

use mailfix_sim::scenario;
use serde_json::Value;

use crate::support::{TestSim, run, stderr, stdout};

#[tokio::test]
async fn login_with_a_confidential_app_says_device_code_needs_a_public_client() {
    let sim = TestSim::start_with(scenario::small(2), |o| o.time_scale = 10.0).await;
    let client_id = sim.sim.info.client_id.clone();
    let out = tokio::time::timeout(
        Duration::from_secs(120),
        run(sim.mailfix().args(["auth", "login"])),
    )
    .await
    .expect("no wait for a sign-in that cannot happen");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.matches("AADSTS7000218").count(), 1, "{err}");
    let hint = err
        .lines()
        .find(|l| l.trim_start().starts_with("hint: "))
        .unwrap();
    assert!(hint.contains("needs a public client"), "{hint}");
    assert!(
        hint.contains(&format!("app {client_id} is not one")),
        "{hint}"
    );
    assert!(hint.contains("Allow public client flows"), "{hint}");
    let device = sim
        .sim
        .info
        .device_client_id
        .as_deref()
        .expect("the simulator's public client");
    assert_ne!(device, client_id);
}

#[tokio::test]
async fn check_prints_its_json_document_when_sign_in_fails() {
    let sim = TestSim::start(scenario::small(2)).await;
    let client_id = sim.sim.info.client_id.clone();
    let wrong = "not-the-secret-Q8~xyz";
    let out = run(sim
        .mailfix_as(&client_id, wrong)
        .args(["auth", "check", "-o", "json"]))
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).expect("a JSON document");
    let message = doc["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("sign-in token: AADSTS7000215: "),
        "{message}"
    );
    assert!(doc["error"]["hint"].as_str().unwrap().contains("Secret ID"));
    let names: Vec<&str> = doc["settings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"tenant") && names.contains(&"credential"),
        "{names:?}"
    );
    assert!(!stdout(&out).contains(wrong) && !stderr(&out).contains(wrong));
}

#[tokio::test]
async fn check_for_a_command_the_app_cannot_run_exits_1() {
    let sim = TestSim::start(scenario::small(2)).await;
    let (mut cmd, secret) = sim.mailfix_limited();
    let out = run(cmd.args([
        "auth", "check", "-o", "json", "--for", "scan", "--for", "fix",
    ]))
    .await;
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("error: fix cannot run with the permissions this app has"),
        "{err}"
    );
    assert!(
        err.contains("hint: fix: grant Exchange.ManageAsApp"),
        "{err}"
    );
    let doc: Value = serde_json::from_str(&stdout(&out)).expect("the report still");
    assert!(doc["commands"].as_array().is_some_and(|c| !c.is_empty()));
    assert!(!err.contains(&secret) && !stdout(&out).contains(&secret));

    let (mut only_scan, _) = sim.mailfix_limited();
    let out = run(only_scan.args(["auth", "check", "-o", "json", "--for", "scan"])).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "scan runs without --group: {}",
        stderr(&out)
    );
    let main = run(sim
        .mailfix()
        .args(["auth", "check", "--for", "fix", "--for", "seed"]))
    .await;
    assert_eq!(main.status.code(), Some(0), "{}", stderr(&main));
}
