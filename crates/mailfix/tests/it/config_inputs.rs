//! Bad configuration and flags (TESTING.md, "configuration and flags"): each is refused with exit 2
//! before any request reaches the simulator, with a headline naming the cause, a remedy, and no
//! secret anywhere in the output.

use std::process::Output;

use mailfix_sim::scenario;

use crate::support::{TestSim, run, stderr, stdout, write};
use crate::tenant::{requests, writes};

const SCAN: [&str; 2] = ["scan", "--all-users"];

async fn sim() -> TestSim {
    TestSim::start(scenario::small(3)).await
}

/// What every refusal shares: exit 2, one `error:` headline holding `headline`, nothing on stdout,
/// no panic, and neither the app's secret nor `also_secret` printed.
fn assert_refused(sim: &TestSim, out: &Output, headline: &str, also_secret: Option<&str>) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let first = err.lines().next().unwrap_or_default();
    assert!(first.starts_with("error: "), "{err}");
    assert!(first.contains(headline), "headline {headline:?} in {err}");
    assert_eq!(err.matches("error: ").count(), 1, "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(stdout(out).is_empty(), "stdout: {}", stdout(out));
    let secrets = [Some(sim.sim.info.client_secret.as_str()), also_secret];
    for secret in secrets.into_iter().flatten() {
        assert!(!err.contains(secret), "a secret leaked: {err}");
    }
}

/// A refusal by mailfix: as [`assert_refused`], with a `hint:` line holding `remedy`, and no
/// request sent.
fn assert_config_error(sim: &TestSim, out: &Output, headline: &str, remedy: &str) {
    assert_config_error_with(sim, out, headline, remedy, None);
}

fn assert_config_error_with(
    sim: &TestSim,
    out: &Output,
    headline: &str,
    remedy: &str,
    also_secret: Option<&str>,
) {
    assert_refused(sim, out, headline, also_secret);
    let err = stderr(out);
    let hint = err
        .lines()
        .find(|l| l.trim_start().starts_with("hint: "))
        .unwrap_or_else(|| panic!("no hint: {err}"));
    assert!(hint.contains(remedy), "remedy {remedy:?} in {hint}");
    assert!(requests(sim, 0).is_empty(), "a request was sent: {err}");
}

/// A refusal by the argument parser: the remedy (the accepted values, a suggestion) is in its
/// text, and nothing was sent.
fn assert_usage_error(sim: &TestSim, out: &Output, headline: &str, remedy: &str) {
    assert_refused(sim, out, headline, None);
    assert!(stderr(out).contains(remedy), "{}", stderr(out));
    assert!(requests(sim, 0).is_empty());
}

async fn scan_with_config(sim: &TestSim, text: &str, global: &[&str]) -> Output {
    let config = sim.path("config.toml");
    write(&config, text);
    let mut cmd = sim.mailfix();
    cmd.arg("--config").arg(&config).args(global).args(SCAN);
    run(&mut cmd).await
}

#[tokio::test]
async fn missing_tenant_says_where_to_set_it() {
    let sim = sim().await;
    let out = run(sim.mailfix().env_remove("MAILFIX_TENANT").args(SCAN)).await;
    assert_config_error(&sim, &out, "no tenant configured", "MAILFIX_TENANT");
}

#[tokio::test]
async fn missing_client_id_says_where_to_set_it() {
    let sim = sim().await;
    let out = run(sim.mailfix().env_remove("MAILFIX_CLIENT_ID").args(SCAN)).await;
    assert_config_error(&sim, &out, "no app (client) id configured", "--client-id");
}

#[tokio::test]
async fn missing_credential_lists_the_ways_to_give_one() {
    let sim = sim().await;
    let out = run(sim.mailfix().env_remove("MAILFIX_CLIENT_SECRET").args(SCAN)).await;
    assert_config_error(&sim, &out, "no credential configured", "--certificate");
}

#[tokio::test]
async fn empty_secret_variable_is_named_as_empty() {
    let sim = sim().await;
    for empty in ["", "   "] {
        let out = run(sim.mailfix().env("MAILFIX_CLIENT_SECRET", empty).args(SCAN)).await;
        assert_config_error(
            &sim,
            &out,
            "MAILFIX_CLIENT_SECRET is set but empty",
            "secret's Value",
        );
    }
}

#[tokio::test]
async fn unknown_profile_lists_the_defined_ones() {
    let sim = sim().await;
    let text = "[profiles.test]\ncloud = \"global\"\n[profiles.staging]\ncloud = \"global\"\n";
    let out = scan_with_config(&sim, text, &["--profile", "prod"]).await;
    assert_config_error(
        &sim,
        &out,
        "profile 'prod' is not defined",
        "defined profiles: staging, test",
    );
}

#[tokio::test]
async fn toml_syntax_error_names_the_line_and_the_fix() {
    let sim = sim().await;
    let text = "[defaults]\ncloud = \"global\"\ntenant = \"contoso.com\n";
    let out = scan_with_config(&sim, text, &[]).await;
    assert_config_error(&sim, &out, "is invalid", "TOML syntax");
    let err = stderr(&out);
    assert!(err.contains("at line 3"), "{err}");
    assert!(
        !err.contains("known keys"),
        "a syntax error is not a key error: {err}"
    );
}

#[tokio::test]
async fn secret_in_the_config_file_is_refused_without_echoing_it() {
    let sim = sim().await;
    let value = "Cfg~S3cret-value-9q";
    for (text, place) in [
        (
            format!("client_secret = \"{value}\"\n"),
            "client_secret at the top level",
        ),
        (
            format!("[profiles.other]\nclient_secret = \"{value}\"\n"),
            "client_secret in [profiles.other]",
        ),
    ] {
        let out = scan_with_config(&sim, &text, &[]).await;
        assert_config_error_with(
            &sim,
            &out,
            "holds a client secret",
            "client_secret_file",
            Some(value),
        );
        assert!(stderr(&out).contains(place), "{}", stderr(&out));
    }
}

#[tokio::test]
async fn missing_config_file_names_the_path_and_the_setting() {
    let sim = sim().await;
    let absent = sim.path("absent.toml");
    let out = run(sim.mailfix().env("MAILFIX_CONFIG", &absent).args(SCAN)).await;
    let headline = format!("cannot read config file {}", absent.display());
    assert_config_error(&sim, &out, &headline, "MAILFIX_CONFIG");
}

#[tokio::test]
async fn unknown_cloud_lists_the_clouds() {
    let sim = sim().await;
    let out = run(sim.mailfix().env("MAILFIX_CLOUD", "mars").args(SCAN)).await;
    assert_config_error(&sim, &out, "unknown cloud 'mars'", "global, usgov-high");
}

#[tokio::test]
async fn plain_http_graph_url_is_refused() {
    let sim = sim().await;
    let url = "http://graph.example.com";
    let out = run(sim.mailfix().env("MAILFIX_GRAPH_URL", url).args(SCAN)).await;
    assert_config_error(&sim, &out, "uses plain HTTP", "use https://");
}

#[tokio::test]
async fn graph_url_that_is_not_a_url_shows_the_form() {
    let sim = sim().await;
    let out = run(sim
        .mailfix()
        .env("MAILFIX_GRAPH_URL", "graph dot com")
        .args(SCAN))
    .await;
    assert_config_error(
        &sim,
        &out,
        "the Graph URL 'graph dot com' is not a valid URL",
        "https://graph.microsoft.com",
    );
}

#[tokio::test]
async fn retry_setting_that_is_not_a_duration_shows_the_form() {
    let sim = sim().await;
    let out = run(sim
        .mailfix()
        .env("MAILFIX_RETRY_MAX_ELAPSED", "soon")
        .args(SCAN))
    .await;
    assert_config_error(
        &sim,
        &out,
        "retry_max_elapsed 'soon' (from env) is not a duration",
        "90s, 5m",
    );
}

#[tokio::test]
async fn concurrency_setting_out_of_range_says_the_range() {
    let sim = sim().await;
    let out = run(sim.mailfix().env("MAILFIX_CONCURRENCY", "0").args(SCAN)).await;
    assert_config_error(
        &sim,
        &out,
        "concurrency 0 (from env) must be between 1 and 50",
        "3 is the default",
    );
}

#[tokio::test]
async fn unknown_output_format_lists_the_formats() {
    let sim = sim().await;
    let out = run(sim.mailfix().args(SCAN).args(["-o", "yaml"])).await;
    assert_usage_error(
        &sim,
        &out,
        "invalid value 'yaml'",
        "possible values: table, json, ndjson, csv",
    );
}

#[tokio::test]
async fn misspelt_flag_suggests_the_right_one() {
    let sim = sim().await;
    let out = run(sim.mailfix().args(["scan", "--all-user"])).await;
    assert_usage_error(
        &sim,
        &out,
        "unexpected argument '--all-user'",
        "a similar argument exists: '--all-users'",
    );
}

#[tokio::test]
async fn unknown_fail_on_lists_the_thresholds() {
    let sim = sim().await;
    let out = run(sim.mailfix().args(SCAN).args(["--fail-on", "sometimes"])).await;
    assert_usage_error(
        &sim,
        &out,
        "invalid value 'sometimes'",
        "possible values: error, warning, never",
    );
}

#[tokio::test]
async fn missing_secret_file_names_the_setting() {
    let sim = sim().await;
    let absent = sim.path("secret.txt");
    let out = run(sim
        .mailfix()
        .env_remove("MAILFIX_CLIENT_SECRET")
        .arg("--client-secret-file")
        .arg(&absent)
        .args(SCAN))
    .await;
    let headline = format!("cannot read secret file {}", absent.display());
    assert_config_error(&sim, &out, &headline, "from flag: --client-secret-file");
}

#[tokio::test]
async fn missing_certificate_names_the_setting() {
    let sim = sim().await;
    let absent = sim.path("cert.pem");
    let out = run(sim
        .mailfix()
        .env_remove("MAILFIX_CLIENT_SECRET")
        .env("MAILFIX_CERTIFICATE", &absent)
        .args(SCAN))
    .await;
    let headline = format!("cannot read certificate {}", absent.display());
    assert_config_error(
        &sim,
        &out,
        &headline,
        "from env: --certificate, MAILFIX_CERTIFICATE",
    );
}

#[tokio::test]
async fn missing_ca_file_names_the_setting() {
    let sim = sim().await;
    let absent = sim.path("ca.pem");
    let out = run(sim.mailfix().env("MAILFIX_CA_FILE", &absent).args(SCAN)).await;
    let headline = format!("cannot read the CA file {}", absent.display());
    assert_config_error(&sim, &out, &headline, "MAILFIX_CA_FILE");
}

/// A journal whose directory cannot be made (its parent is a file; a missing directory is
/// created, and permissions do not stop root): refused before any write.
#[tokio::test]
async fn journal_that_cannot_be_created_names_the_setting() {
    let sim = sim().await;
    let file = sim.path("not-a-dir");
    write(&file, "");
    let journal = file.join("journal.db");
    let out =
        run(sim
            .mailfix()
            .env("MAILFIX_JOURNAL", &journal)
            .args(["fix", "--all-users", "--yes"]))
        .await;
    assert_refused(&sim, &out, &format!("journal {}", file.display()), None);
    let err = stderr(&out);
    assert!(
        err.contains("hint: check the journal path (from env: --journal, MAILFIX_JOURNAL"),
        "{err}"
    );
    assert!(writes(&sim).is_empty(), "nothing may be written: {err}");
}

#[tokio::test]
async fn empty_users_file_is_refused() {
    let sim = sim().await;
    let users = sim.path("users.txt");
    write(&users, "\n# nobody yet\n\n");
    let out = run(sim.mailfix().arg("scan").arg("--users-file").arg(&users)).await;
    let headline = format!("the users file {} names no users", users.display());
    assert_config_error(&sim, &out, &headline, "one UPN or object id per line");
}
