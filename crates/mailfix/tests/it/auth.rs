//! `mailfix auth check` and `auth login` through the binary: the settings with their sources and
//! the secret redacted, the permissions each token carries, per command what can run, the same
//! hint `scan` gives for a missing permission, and the device code sign-in cached for later runs.

use std::collections::BTreeSet;
use std::time::Duration;

use mailfix_sim::scenario::{self, Scenario};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::support::{TestSim, run, stderr, stdout, write};

/// Every permission mailfix uses, by name (README, "Before you run it on a real tenant").
const ALL: [&str; 7] = [
    "User.Read.All",
    "GroupMember.Read.All",
    "UserAuthenticationMethod.ReadWrite.All",
    "UserAuthenticationMethod.Read.All",
    "AuditLog.Read.All",
    "Directory.Read.All",
    "Exchange.ManageAsApp",
];

fn app<'a>(scenario: &'a Scenario, role: &str) -> &'a mailfix_sim::scenario::AppSpec {
    scenario.apps.iter().find(|a| a.role == role).unwrap()
}

fn limited(sim: &TestSim) -> tokio::process::Command {
    sim.mailfix_limited().0
}

fn check_json(out: &std::process::Output) -> Value {
    assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
    serde_json::from_str(&stdout(out)).unwrap()
}

fn names(values: &Value, pick: impl Fn(&Value) -> bool, key: &str) -> BTreeSet<String> {
    values
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| pick(v))
        .map(|v| v[key].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn main_app_has_everything_and_the_secret_is_redacted() {
    let sim = TestSim::start(scenario::small(2)).await;
    let out = run(sim.mailfix().args(["auth", "check", "-o", "json"])).await;
    let doc = check_json(&out);
    let secret = &sim.sim.info.client_secret;
    assert!(!stdout(&out).contains(secret.as_str()) && !stderr(&out).contains(secret.as_str()));
    let setting = |name: &str| {
        doc["settings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(setting("tenant")["value"], sim.sim.info.tenant_id.as_str());
    assert_eq!(setting("tenant")["source"], "env");
    assert_eq!(setting("cloud")["source"], "default");
    assert!(
        setting("credential")["value"]
            .as_str()
            .unwrap()
            .contains("redacted")
    );
    let granted = names(&doc["permissions"], |p| p["granted"] == true, "permission");
    assert_eq!(granted, ALL.iter().map(|s| (*s).to_owned()).collect());
    let runnable = names(&doc["commands"], |c| c["can_run"] == "yes", "command");
    assert_eq!(runnable.len(), 7, "{runnable:?}");
    let tokens = doc["tokens"].as_array().unwrap();
    assert_eq!(tokens[0]["audience"], "https://graph.microsoft.com");
    assert_eq!(tokens[1]["audience"], "https://outlook.office365.com");
    assert_eq!(
        tokens[1]["directory_roles"],
        json!(["Exchange Administrator"])
    );
}

/// The limited app (scenario role `limited`) is missing exactly what its spec does not grant,
/// among them `GroupMember.Read.All` and `Exchange.ManageAsApp`; `scan --group` with it fails
/// with exit 1 and the hint `auth check` shows for that permission.
#[tokio::test]
async fn limited_app_is_told_what_to_grant_and_scan_gives_the_same_hint() {
    let scenario = scenario::small(2);
    let spec = app(&scenario, "limited");
    let held: BTreeSet<&str> = spec
        .graph_roles
        .iter()
        .chain(&spec.exchange_roles)
        .map(String::as_str)
        .collect();
    let expected: BTreeSet<String> = ALL
        .iter()
        .filter(|p| !held.contains(**p))
        .map(|p| (*p).to_owned())
        .collect();
    assert!(expected.contains("GroupMember.Read.All") && expected.contains("Exchange.ManageAsApp"));
    let sim = TestSim::start(scenario.clone()).await;
    let out = run(limited(&sim).args(["auth", "check", "-o", "json"])).await;
    let doc = check_json(&out);
    let missing = names(&doc["permissions"], |p| p["granted"] == false, "permission");
    assert_eq!(missing, expected);
    let command = |name: &str| {
        doc["commands"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["command"] == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(command("scan")["can_run"], "partly");
    assert_eq!(command("scan")["missing"], json!(["GroupMember.Read.All"]));
    assert_eq!(command("fix")["can_run"], "no");
    assert!(
        command("fix")["note"]
            .as_str()
            .unwrap()
            .contains("Exchange.ManageAsApp")
    );

    let table = run(limited(&sim).args(["auth", "check", "-o", "table"])).await;
    let table = stdout(&table);
    let scan = run(limited(&sim).args(["scan", "--group", "All Staff"])).await;
    assert_eq!(scan.status.code(), Some(1), "{}", stderr(&scan));
    let err = stderr(&scan);
    assert!(
        err.contains("403") && err.contains("GroupMember.Read.All"),
        "{err}"
    );
    let hint = err
        .lines()
        .find_map(|l| l.trim().strip_prefix("hint: "))
        .unwrap();
    assert!(hint.contains("GroupMember.Read.All"), "{hint}");
    assert!(
        table.contains(&format!("hint: {hint}")),
        "auth check shows the same hint:\n{table}"
    );
}

/// The public-client app signs in with the device code flow; the refresh token is cached (0600) and
/// the next run with `auth = "device-code"` uses it without prompting.
#[tokio::test]
async fn device_code_login_is_cached_for_later_runs() {
    let mut scenario = scenario::small(2);
    let device = scenario
        .apps
        .iter_mut()
        .find(|a| a.role == "device")
        .unwrap();
    device.graph_roles = vec!["User.Read.All".into(), "GroupMember.Read.All".into()];
    let index = scenario
        .apps
        .iter()
        .position(|a| a.role == "device")
        .unwrap();
    let user = scenario
        .users
        .iter()
        .find(|u| u.enabled && !u.guest)
        .unwrap()
        .upn
        .clone();
    let sim = TestSim::start_with(scenario, |o| o.time_scale = 10.0).await;
    let client_id = sim.sim.state.read_tenant().apps[index].client_id.clone();
    let config = sim.path("config.toml");
    write(&config, "[defaults]\nauth = \"device-code\"\n");

    let mut login = sim.mailfix_as(&client_id, "");
    login.arg("--config").arg(&config).args(["auth", "login"]);
    login
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    let mut child = login.spawn().unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = Vec::new();
    let code = loop {
        let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
            .await
            .expect("a prompt in time")
            .unwrap()
            .unwrap_or_else(|| panic!("no prompt: {seen:?}"));
        if let Some(rest) = line.split("enter the code ").nth(1) {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
        seen.push(line);
    };
    let approved = sim
        .control_post(
            "/_sim/devicecode/approve",
            json!({"user_code": code, "upn": user}),
        )
        .await;
    assert!(approved.get("error").is_none(), "{approved}");
    let mut rest = String::new();
    while let Some(line) = lines.next_line().await.unwrap() {
        rest.push_str(&line);
        rest.push('\n');
    }
    let status = tokio::time::timeout(Duration::from_secs(60), child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{rest}");
    assert!(rest.contains(&format!("Signed in as {user}")), "{rest}");
    let cache = sim.dir.path().join("token-cache.json");
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&cache).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);

    let mut check = sim.mailfix_as(&client_id, "");
    check
        .arg("--config")
        .arg(&config)
        .args(["auth", "check", "-o", "json"]);
    let out = tokio::time::timeout(Duration::from_secs(60), run(&mut check))
        .await
        .expect("no prompt");
    let doc = check_json(&out);
    assert!(!stderr(&out).contains("enter the code"), "{}", stderr(&out));
    assert_eq!(doc["tokens"][0]["user"], user.as_str());
    assert!(
        doc["tokens"][0]["scopes"]
            .as_array()
            .unwrap()
            .contains(&json!("GroupMember.Read.All"))
    );
    let credential = doc["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "credential")
        .unwrap();
    assert!(
        credential["value"]
            .as_str()
            .unwrap()
            .contains("device code"),
        "{credential}"
    );
}
