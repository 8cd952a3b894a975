//! The errors a user meets running `scan` (TESTING.md, "bad input → message"): each exits with
//! the code of SPEC §12 and prints a headline and a hint, and no secret appears in the output.

use std::process::Output;

use mailfix_sim::scenario;

use crate::support::{TestSim, run, stderr, stdout, write};

async fn sim() -> TestSim {
    TestSim::start(scenario::small(3)).await
}

/// Asserts the exit code, that stderr holds `headline` and a hint holding `hint`, and that the
/// secret in use is nowhere in the output.
pub fn assert_error(out: &Output, code: i32, headline: &str, hint: &str, secret: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "{err}");
    assert!(
        err.contains(&format!("error: {headline}")) || err.contains(headline),
        "{err}"
    );
    let hint_line = err
        .lines()
        .find(|l| l.trim_start().starts_with("hint: "))
        .unwrap_or_else(|| panic!("no hint: {err}"));
    assert!(hint_line.contains(hint), "{hint_line}");
    assert!(stdout(out).is_empty(), "no data on stdout");
    assert!(!err.contains(secret), "the secret leaked: {err}");
}

#[tokio::test]
async fn unknown_group_names_the_group() {
    let sim = sim().await;
    let out = run(sim.mailfix().args(["scan", "--group", "No Such Team"])).await;
    let secret = sim.sim.info.client_secret.clone();
    assert_error(
        &out,
        2,
        "no group named or with id 'No Such Team'",
        "display name",
        &secret,
    );
}

#[tokio::test]
async fn ambiguous_group_lists_each_candidate_id() {
    let sim = sim().await;
    let ids: Vec<String> = sim
        .sim
        .state
        .read_tenant()
        .groups
        .iter()
        .filter(|g| g.display_name == "Contractors")
        .map(|g| g.id.to_string())
        .collect();
    assert_eq!(ids.len(), 2);
    let out = run(sim.mailfix().args(["scan", "--group", "Contractors"])).await;
    let secret = sim.sim.info.client_secret.clone();
    assert_error(
        &out,
        2,
        "'Contractors' matches 2 groups",
        "--group",
        &secret,
    );
    for id in ids {
        assert!(stderr(&out).contains(&id), "{id}: {}", stderr(&out));
    }
}

#[tokio::test]
async fn wrong_secret_says_to_use_the_secret_value() {
    let sim = sim().await;
    let client_id = sim.sim.info.client_id.clone();
    let wrong = "not-the-secret-Q8~xyz";
    let out = run(sim
        .mailfix_as(&client_id, wrong)
        .args(["scan", "--all-users"]))
    .await;
    assert_error(&out, 1, "AADSTS7000215", "not its Secret ID", wrong);
}

#[tokio::test]
async fn unknown_app_names_the_client_id_and_tenant() {
    let sim = sim().await;
    let secret = sim.sim.info.client_secret.clone();
    let app = "11111111-2222-3333-4444-555555555555";
    let out = run(sim.mailfix_as(app, &secret).args(["scan", "--all-users"])).await;
    assert_error(&out, 1, "AADSTS700016", app, &secret);
}

#[tokio::test]
async fn unknown_tenant_suggests_the_tenant_id_and_cloud() {
    let sim = sim().await;
    let mut cmd = sim.mailfix();
    cmd.env("MAILFIX_TENANT", "fabrikam-typo.onmicrosoft.com");
    let out = run(cmd.args(["scan", "--all-users"])).await;
    let secret = sim.sim.info.client_secret.clone();
    assert_error(&out, 1, "AADSTS90002", "--cloud", &secret);
}

#[tokio::test]
async fn missing_permission_names_it_and_how_to_grant_it() {
    let sim = sim().await;
    let (mut cmd, secret) = sim.mailfix_limited();
    let out = run(cmd.args(["scan", "--all-users", "--methods"])).await;
    assert_error(
        &out,
        1,
        "403 Authorization_RequestDenied",
        "UserAuthenticationMethod.Read.All",
        &secret,
    );
    assert!(
        stderr(&out).contains("Grant admin consent"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn unreachable_endpoint_names_the_setting() {
    let sim = sim().await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let mut cmd = sim.mailfix();
    cmd.env("MAILFIX_GRAPH_URL", format!("https://127.0.0.1:{port}"))
        .env("MAILFIX_RETRY_MAX_ELAPSED", "1s");
    let out = run(cmd.args(["scan", "--all-users"])).await;
    let secret = sim.sim.info.client_secret.clone();
    assert_error(&out, 1, "cannot reach 127.0.0.1:", "--graph-url", &secret);
}

#[tokio::test]
async fn ca_file_that_is_not_pem_says_what_it_must_hold() {
    let sim = sim().await;
    let ca = sim.path("ca.der");
    std::fs::write(&ca, [0x30, 0x82, 0x01, 0x0a]).unwrap();
    let mut cmd = sim.mailfix();
    cmd.env("MAILFIX_CA_FILE", &ca);
    let out = run(cmd.args(["scan", "--all-users"])).await;
    let secret = sim.sim.info.client_secret.clone();
    assert_error(
        &out,
        2,
        "is not a PEM certificate",
        "PEM root certificate",
        &secret,
    );
}

#[tokio::test]
async fn unreadable_users_file_names_the_path() {
    let sim = sim().await;
    let dir = sim.path("users-dir");
    std::fs::create_dir(&dir).unwrap();
    let out = run(sim.mailfix().arg("scan").arg("--users-file").arg(&dir)).await;
    let secret = sim.sim.info.client_secret.clone();
    let headline = format!("cannot read users file {}", dir.display());
    assert_error(&out, 2, &headline, "one UPN or object id per line", &secret);
}

#[tokio::test]
async fn config_file_with_an_unknown_key_names_key_and_line() {
    let sim = sim().await;
    let config = sim.path("config.toml");
    write(
        &config,
        "[defaults]\ncloud = \"global\"\ntennant = \"contoso\"\n",
    );
    let out = run(sim
        .mailfix()
        .arg("--config")
        .arg(&config)
        .args(["scan", "--all-users"]))
    .await;
    let secret = sim.sim.info.client_secret.clone();
    assert_error(&out, 2, "is invalid", "known keys", &secret);
    let err = stderr(&out);
    assert!(
        err.contains("unknown field `tennant`") && err.contains("at line 3"),
        "{err}"
    );
}

#[tokio::test]
async fn no_scope_says_how_to_choose_one() {
    let sim = sim().await;
    let out = run(sim.mailfix().arg("scan")).await;
    let secret = sim.sim.info.client_secret.clone();
    assert_error(&out, 2, "no scope given", "--all-users", &secret);
}
