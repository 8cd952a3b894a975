//! The bad inputs of the real-tenant work (TESTING.md): settings and flags refused before any
//! request, and a redirect mailfix cannot follow explained.

use std::process::Output;

use mailfix_sim::scenario::small;

use crate::realtenant_exchange::switch;
use crate::support::{TestSim, run, stderr};
use crate::tenant::requests;

/// Exit 2, `headline` in the first line, `remedy` somewhere after it, nothing sent, no secret.
fn assert_refused(sim: &TestSim, out: &Output, headline: &str, remedy: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let first = err.lines().next().unwrap_or_default();
    assert!(first.contains(headline), "headline {headline:?} in {err}");
    assert!(err.contains(remedy), "remedy {remedy:?} in {err}");
    assert!(!err.contains(&sim.sim.info.client_secret), "{err}");
    assert!(requests(sim, 0).is_empty(), "a request was sent: {err}");
}

#[tokio::test]
async fn bad_trace_and_retry_settings_are_refused_before_any_request() {
    let sim = TestSim::start(small(3)).await;
    let scan = ["scan", "--all-users"];
    let out = run(sim
        .mailfix()
        .env("MAILFIX_DUAL_WRITE_RETRY", "soon")
        .args(scan))
    .await;
    assert_refused(
        &sim,
        &out,
        "dual_write_retry 'soon' (from env) is not a duration",
        "use a number with a unit",
    );
    let out = run(sim.mailfix().arg("--trace").arg(sim.dir.path()).args(scan)).await;
    assert_refused(&sim, &out, "is a directory", "give --trace a file name");
    let out = run(sim.mailfix().arg("--trace-unmasked").args(scan)).await;
    assert_refused(&sim, &out, "error:", "--trace");
}

#[tokio::test]
async fn sim_refuses_a_trace_and_an_unknown_cloud() {
    let sim = TestSim::start(small(3)).await;
    let out = run(sim.mailfix().args(["--trace", "x.har", "sim"])).await;
    assert_refused(
        &sim,
        &out,
        "`mailfix sim` makes none",
        "mailfix command that talks",
    );
    let out = run(sim.mailfix().args(["sim", "--cloud", "mars"])).await;
    assert_refused(
        &sim,
        &out,
        "invalid --cloud 'mars'",
        "global, usgov-high, usgov-dod, china",
    );
}

#[tokio::test]
async fn a_redirect_to_a_host_mailfix_cannot_derive_is_explained() {
    let mut scenario = small(4);
    switch(&mut scenario, &[("exo.redirect", 1.0)]);
    let sim = TestSim::start(scenario).await;
    // The Exchange URL is the simulator's IP address: no prefix can go in front of it.
    let out = run(sim.mailfix().args(["fix", "--all-users", "--dry-run"])).await;
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("Exchange redirected the call to nam13b.localhost"),
        "{err}"
    );
    assert!(err.contains("names the front door by host"), "{err}");
    assert!(!err.contains(&sim.sim.info.client_secret));
}
