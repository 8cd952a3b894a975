//! Bad server answers (TESTING.md, "server answers"): Graph, Exchange and the token endpoint
//! answering with an HTML error page, text that is not JSON, a body cut short or a 500 without a
//! body (the simulator's malformed-answer faults), Exchange's plain-text errors, and a server
//! certificate no configured CA vouches for. Each ends with the exit code of the table in `exit.rs`, a one-line
//! headline naming the service and operation, and a hint; never a raw page or a secret.

use mailfix_sim::scenario::{self, small};
use serde_json::{Value, json};

use crate::errors::assert_error;
use crate::support::{TestSim, run, stderr};
use crate::tenant::{compressed, json_out, without_a_mailbox, writes};

/// What an answer of each malformed kind must be called, and the hint's key words.
const KINDS: [(&str, &str, &str); 4] = [
    (
        "html",
        "502 an HTML page (\"502 Bad Gateway\") instead of the service's answer",
        "proxy",
    ),
    (
        "not-json",
        "200 the answer is not JSON (text/plain",
        "proxy",
    ),
    (
        "truncated",
        "200 the answer ends early, after ",
        "cut it short",
    ),
    (
        "empty",
        "500 no details (the answer was empty)",
        "try again later",
    ),
];

/// Makes every request to `service` answer with fault `kind`.
async fn always(sim: &TestSim, service: &str, kind: &str) {
    let rule = json!({"rules": [{"service": service, "rate": 1.0, "kinds": [kind]}]});
    sim.control_post("/_sim/faults", rule).await;
}

/// Runs `args` with retries bounded to a few seconds.
async fn mailfix(sim: &TestSim, args: &[&str]) -> std::process::Output {
    run(sim
        .mailfix()
        .env("MAILFIX_RETRY_MAX_ELAPSED", "2s")
        .args(args))
    .await
}

fn assert_no_raw_page(out: &std::process::Output) {
    let err = stderr(out);
    assert!(!err.contains("<html") && !err.contains("<title>"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn graph_answers_that_are_not_json_are_described_with_a_hint() {
    let sim = TestSim::start(scenario::small(3)).await;
    let secret = sim.sim.info.client_secret.clone();
    for (kind, headline, hint) in KINDS {
        always(&sim, "graph", kind).await;
        let out = mailfix(&sim, &["scan", "--all-users"]).await;
        let headline = format!("Graph users.list: {headline}");
        assert_error(&out, 1, &headline, hint, &secret);
        assert_no_raw_page(&out);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn exchange_answers_that_are_not_json_are_described_with_a_hint() {
    let sim = TestSim::start(scenario::small(3)).await;
    let secret = sim.sim.info.client_secret.clone();
    for (kind, headline, hint) in KINDS {
        always(&sim, "exo", kind).await;
        let out = mailfix(&sim, &["fix", "--all-users", "--dry-run"]).await;
        let headline = format!("Exchange Get-AcceptedDomain: {headline}");
        assert_error(&out, 1, &headline, hint, &secret);
        assert_no_raw_page(&out);
    }
    assert_eq!(writes(&sim).len(), 0, "nothing was written");
}

#[tokio::test(flavor = "multi_thread")]
async fn token_endpoint_answers_that_are_not_json_are_described_but_never_printed() {
    let sim = TestSim::start(scenario::small(3)).await;
    let secret = sim.sim.info.client_secret.clone();
    let kinds = [
        (
            "html",
            "502 the answer is an HTML page (\"502 Bad Gateway\")",
            "proxy",
        ),
        (
            "not-json",
            "200 the answer is not JSON (text/plain; charset=utf-8, 45 bytes)",
            "proxy",
        ),
        (
            "truncated",
            "200 the answer ends early, after ",
            "cut it short",
        ),
        ("empty", "500 the answer was empty", "try again later"),
    ];
    for (kind, headline, hint) in kinds {
        always(&sim, "login", kind).await;
        let out = mailfix(&sim, &["scan", "--all-users"]).await;
        assert_error(
            &out,
            1,
            &format!("sign-in token: {headline}"),
            hint,
            &secret,
        );
        assert_no_raw_page(&out);
        // A sign-in answer may hold a token: no excerpt of it is ever printed.
        assert!(
            !stderr(&out).contains("Request blocked"),
            "{}",
            stderr(&out)
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn exchange_errors_in_plain_text_are_understood() {
    let mut scenario = small(13);
    let lost = without_a_mailbox(&mut scenario);
    let sim = compressed(&scenario, 120.0, (60.0, 300.0)).await;
    let plain = json!({"limits": {"exo.error_shape": 3}});
    sim.control_post("/_sim/behaviour", plain).await;
    let behaviour = sim.control_get("/_sim/behaviour").await;
    assert_eq!(behaviour["limits"]["exo.error_shape"], 3.0, "{behaviour}");

    let out = run(sim.mailfix().args(["fix", "--user", &lost, "--yes"])).await;

    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let report = json_out(&out);
    let reason = report["failed"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("no Exchange mailbox found"), "{reason}");
    let answers: Vec<Value> = sim
        .control_get("/_sim/requests")
        .await
        .as_array()
        .unwrap()
        .clone();
    let refused = answers
        .iter()
        .find(|e| e["service"] == "exo" && e["status"] == 404)
        .expect("Exchange refused the unknown mailbox");
    assert_eq!(refused["operation"], "Set-Mailbox");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_certificate_no_configured_ca_vouches_for_is_refused_with_the_ca_hint() {
    let sim = TestSim::start(scenario::small(3)).await;
    let secret = sim.sim.info.client_secret.clone();
    let mut cmd = sim.mailfix();
    cmd.env_remove("MAILFIX_CA_FILE");

    let out = run(cmd.args(["scan", "--all-users"])).await;

    assert_error(
        &out,
        1,
        "sign-in token: the TLS certificate of 127.0.0.1 is not trusted",
        "--ca-file",
        &secret,
    );
    assert!(
        sim.sim.state.log.is_empty(),
        "nothing was sent over the untrusted connection"
    );
}
