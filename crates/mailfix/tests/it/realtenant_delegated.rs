//! Delegated sign-in (device code) as an Authentication Administrator who is also an Exchange
//! Administrator: `seed` against masked phone numbers (compared by the digits shown, said in the
//! report, a read-back that does not fail on them) and a user the role may not touch (that row
//! fails, the run goes on); `fix` with Exchange checking that the anchor is the signed-in user.

use std::time::Duration;

use mailfix_sim::scenario::{MailboxSpec, MethodsSpec, Scenario, UserSpec, small};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::realtenant_exchange::switch;
use crate::support::{TestSim, run, stderr, stdout, write};

fn person(local: &str, mobile: Option<&str>, mail: bool) -> UserSpec {
    let upn = format!("{local}@contoso.com");
    UserSpec {
        upn: upn.clone(),
        display_name: local.to_owned(),
        mail: mail.then(|| upn.clone()),
        licence: Some("ENTERPRISEPACK".to_owned()),
        mailbox: Some(MailboxSpec::default()),
        methods: MethodsSpec {
            mobile: mobile.map(str::to_owned),
            ..MethodsSpec::default()
        },
        label: "delegated".to_owned(),
        ..UserSpec::default()
    }
}

/// `small` with the signed-in helpdesk user, users to seed and one to fix, and the public-client
/// app consented for the methods and Exchange.
fn tenant() -> (Scenario, usize) {
    let mut scenario = small(10);
    scenario.users.extend([
        person("helpdesk", None, true),
        person("kim", Some("+61 412345678"), true),
        person("lee", Some("+61 499999999"), true),
        person("max", None, true),
        person("root", None, true),
        person("nia", None, false),
    ]);
    let device = scenario
        .apps
        .iter()
        .position(|a| a.role == "device")
        .unwrap();
    let app = &mut scenario.apps[device];
    app.graph_roles = vec![
        "User.Read.All".into(),
        "UserAuthenticationMethod.ReadWrite.All".into(),
    ];
    app.exchange_roles = vec!["Exchange.Manage".into()];
    (scenario, device)
}

/// `mailfix auth login` as the device app, approved for `upn` with `roles`; returns the config
/// file that makes later runs use the cached sign-in.
async fn login(sim: &TestSim, client_id: &str, upn: &str, roles: &[&str]) -> std::path::PathBuf {
    let config = sim.path("config.toml");
    write(&config, "[defaults]\nauth = \"device-code\"\n");
    let mut cmd = sim.mailfix_as(client_id, "");
    cmd.arg("--config").arg(&config).args(["auth", "login"]);
    cmd.stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let code = loop {
        let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
            .await
            .expect("a prompt in time")
            .unwrap()
            .expect("a prompt");
        if let Some(rest) = line.split("enter the code ").nth(1) {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    let approved = sim
        .control_post(
            "/_sim/devicecode/approve",
            json!({"user_code": code, "upn": upn, "directory_roles": roles}),
        )
        .await;
    assert!(approved.get("error").is_none(), "{approved}");
    while lines.next_line().await.unwrap().is_some() {}
    let status = tokio::time::timeout(Duration::from_secs(60), child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success());
    config
}

const ROLES: [&str; 2] = ["Authentication Administrator", "Exchange Administrator"];

#[tokio::test(flavor = "multi_thread")]
async fn an_authentication_administrator_seeds_with_masked_numbers_and_admins_out_of_reach() {
    let (scenario, device) = tenant();
    let sim = TestSim::start_with(scenario, |o| o.time_scale = 10.0).await;
    let client_id = sim.sim.state.read_tenant().apps[device].client_id.clone();
    let config = login(&sim, &client_id, "helpdesk@contoso.com", &ROLES).await;
    let root = sim
        .control_post(
            "/_sim/users/root@contoso.com/roles",
            json!({"directory_roles": ["Global Administrator"]}),
        )
        .await;
    assert_eq!(root["directoryRoles"][0], "Global Administrator");
    // The create for max loses its answer: it is settled by reading the (masked) number back.
    let max = crate::tenant::user_id(&sim, "max@contoso.com");
    sim.control_post(
        "/_sim/faults",
        json!({"rules": [{"service": "graph", "rate": 1.0, "kinds": ["reset"],
            "path_prefix": format!("/v1.0/users/{max}/authentication/phoneMethods")}]}),
    )
    .await;
    let file = sim.path("hr.csv");
    write(
        &file,
        "UPN,Mobile\nkim@contoso.com,+61 412345678\nlee@contoso.com,+61 412345678\n\
         max@contoso.com,+61 412345679\nroot@contoso.com,+61 412345670\n",
    );
    let mut cmd = sim.mailfix_as(&client_id, "");
    cmd.arg("--config").arg(&config).arg("seed").arg(&file);
    let out = run(cmd.args(["--default-region", "AU", "--yes", "-o", "json"])).await;
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let result = |line: u64| {
        let row = doc["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["line"] == line)
            .unwrap();
        (
            row["result"].as_str().unwrap().to_owned(),
            row["reason"].as_str().unwrap_or_default().to_owned(),
        )
    };
    assert_eq!(result(2).0, "unchanged", "kim's masked number matches");
    assert_eq!(result(3).0, "conflict", "lee's masked number differs");
    assert_eq!(result(4).0, "done", "max: read back through the mask");
    let (root_result, root_reason) = result(5);
    assert_eq!(root_result, "failed");
    assert!(
        root_reason.contains("Privileged Authentication Administrator"),
        "{root_reason}"
    );
    assert_eq!(doc["summary"]["masked_compared"], 2, "{}", doc["summary"]);
    assert!(
        doc["notes"][0].as_str().unwrap().contains("masked"),
        "{doc}"
    );
    let (phones, _) = crate::seed::methods_of(&sim, "max@contoso.com").await;
    assert_eq!(phones["mobile"], "+61 412345679");
    let posts: Vec<_> = sim
        .sim
        .state
        .log
        .since(0)
        .into_iter()
        .filter(|e| e.method == "POST" && e.path.contains("/phoneMethods"))
        .collect();
    assert_eq!(posts.len(), 1, "sent once: {posts:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn delegated_exchange_calls_are_anchored_on_the_signed_in_user() {
    let (mut scenario, device) = tenant();
    switch(&mut scenario, &[("exo.check_anchor", 1.0)]);
    let sim = TestSim::start_with(scenario, |o| o.time_scale = 10.0).await;
    let client_id = sim.sim.state.read_tenant().apps[device].client_id.clone();
    let config = login(&sim, &client_id, "helpdesk@contoso.com", &ROLES).await;
    let mut cmd = sim.mailfix_as(&client_id, "");
    cmd.arg("--config").arg(&config);
    let out = run(cmd.args([
        "fix",
        "--user",
        "nia@contoso.com",
        "--dry-run",
        "-o",
        "json",
    ]))
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let cmdlets: Vec<_> = sim
        .sim
        .state
        .log
        .since(0)
        .into_iter()
        .filter(|e| e.path.ends_with("/InvokeCommand"))
        .collect();
    assert!(!cmdlets.is_empty());
    assert!(cmdlets.iter().all(|e| e.status == 200), "{cmdlets:?}");
}
