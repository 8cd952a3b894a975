//! Sign-in settings checked on this machine before any request: the tenant's form, a secret pasted
//! where its file's path goes (never echoed), a certificate outside its validity period; and the
//! service's sign-in errors shown with their code once.

use mailfix_sim::scenario;

use crate::errors::assert_error;
use crate::support::{TestSim, run, stderr, stdout, write};

async fn sim() -> TestSim {
    TestSim::start(scenario::small(3)).await
}

/// Requests that reached the simulator (its control plane left out).
async fn requests(sim: &TestSim) -> usize {
    let log = sim.control_get("/_sim/requests").await;
    log.as_array()
        .unwrap()
        .iter()
        .filter(|e| e["service"] != "control")
        .count()
}

#[tokio::test]
async fn a_tenant_that_is_neither_an_id_nor_a_domain_is_refused_before_any_request() {
    let sim = sim().await;
    let secret = sim.sim.info.client_secret.clone();
    for tenant in [
        "not a tenant/../x",
        "contoso",
        "https://login.microsoftonline.com/x",
    ] {
        let mut cmd = sim.mailfix();
        cmd.env("MAILFIX_TENANT", tenant);
        let out = run(cmd.args(["scan", "--all-users"])).await;
        assert_error(
            &out,
            2,
            &format!("the tenant '{tenant}' is neither a tenant id (a GUID) nor a domain name"),
            "contoso.onmicrosoft.com",
            &secret,
        );
    }
    assert_eq!(requests(&sim).await, 0);
}

#[tokio::test]
async fn a_sign_in_error_shows_its_code_once() {
    let sim = sim().await;
    let client_id = sim.sim.info.client_id.clone();
    let out = run(sim
        .mailfix_as(&client_id, "not-the-secret-Q8~xyz")
        .args(["scan", "--all-users"]))
    .await;
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.matches("AADSTS7000215").count(), 1, "{err}");
    assert!(
        err.contains("error: sign-in token: AADSTS7000215: "),
        "{err}"
    );
}

#[tokio::test]
async fn a_secret_pasted_as_the_secret_files_path_is_never_echoed() {
    let sim = sim().await;
    let pasted = "2S8Q~kD7wq.Xb4nR_vT1yLm9ZpA3eF6hJ0cUoN5i";
    let mut cmd = sim.mailfix();
    cmd.env_remove("MAILFIX_CLIENT_SECRET").args([
        "scan",
        "--all-users",
        "--client-secret-file",
        pasted,
    ]);
    let out = run(&mut cmd).await;
    assert_error(
        &out,
        2,
        "looks like a secret itself (not shown)",
        "MAILFIX_CLIENT_SECRET",
        pasted,
    );
    let mut check = sim.mailfix();
    check.env_remove("MAILFIX_CLIENT_SECRET").args([
        "auth",
        "check",
        "-o",
        "json",
        "--client-secret-file",
        pasted,
    ]);
    let out = run(&mut check).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(!all.contains("kD7wq"), "{all}");
    assert!(
        all.contains("whose path looks like a secret (not shown)"),
        "{all}"
    );
    assert_eq!(requests(&sim).await, 0);
}

/// A self-signed RSA certificate with its key, valid from `from` to `to` (years).
fn certificate_valid_between(from: i32, to: i32) -> String {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["mailfix-test".to_owned()]).unwrap();
    params.not_before = rcgen::date_time_ymd(from, 1, 1);
    params.not_after = rcgen::date_time_ymd(to, 1, 1);
    let cert = params.self_signed(&key).unwrap();
    format!("{}\n{}", cert.pem(), key.serialize_pem())
}

#[tokio::test]
async fn a_certificate_outside_its_validity_is_refused_with_its_dates_before_any_request() {
    let sim = sim().await;
    let secret = sim.sim.info.client_secret.clone();
    let cases = [
        (
            (2020, 2021),
            "the certificate expired on 2021-01-01 00:00 UTC (valid from 2020-01-01 00:00 UTC to 2021-01-01 00:00 UTC)",
            "upload its public key",
        ),
        (
            (2990, 2999),
            "the certificate is not valid yet (valid from 2990-01-01 00:00 UTC",
            "clock",
        ),
    ];
    for ((from, to), headline, hint) in cases {
        let pem = sim.path(&format!("cert-{from}.pem"));
        write(&pem, &certificate_valid_between(from, to));
        let mut cmd = sim.mailfix();
        cmd.env_remove("MAILFIX_CLIENT_SECRET")
            .env("MAILFIX_CERTIFICATE", &pem);
        let out = run(cmd.args(["scan", "--all-users"])).await;
        assert_error(&out, 2, headline, hint, &secret);
    }
    assert_eq!(requests(&sim).await, 0);
}
