//! Client assertions signed with the certificate app's key (docs/protocol.md §5.2), built here with
//! jsonwebtoken: PS256 + `x5t#S256` and RS256 + `x5t` succeed; wrong certificate, wrong key, wrong
//! audience, wrong issuer or subject, a time window that does not hold, and a replayed `jti` fail with
//! their AADSTS codes.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use sha1::Digest as _;

use crate::login_support::{GRAPH_SCOPE, Sim, assert_aadsts, claims};

/// The certificate app's credential as the simulator wrote it: (client id, key PEM, cert DER).
fn credential(sim: &Sim) -> (String, String, Vec<u8>) {
    let info = &sim.sim.info;
    let key = std::fs::read_to_string(info.key_pem.as_ref().unwrap()).unwrap();
    let cert = std::fs::read_to_string(info.cert_pem.as_ref().unwrap()).unwrap();
    (info.cert_client_id.clone().unwrap(), key, pem_der(&cert))
}

fn pem_der(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(body).unwrap()
}

fn sign(key_pem: &str, cert_der: &[u8], alg: Algorithm, claims: &Value) -> String {
    let mut header = Header::new(alg);
    match alg {
        Algorithm::PS256 => {
            header.x5t_s256 = Some(URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(cert_der)));
        }
        _ => header.x5t = Some(URL_SAFE_NO_PAD.encode(sha1::Sha1::digest(cert_der))),
    }
    let key = EncodingKey::from_rsa_pem(key_pem.as_bytes()).unwrap();
    jsonwebtoken::encode(&header, claims, &key).unwrap()
}

fn standard_claims(sim: &Sim, client_id: &str) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({
        "aud": sim.token_url(),
        "iss": client_id,
        "sub": client_id,
        "jti": uuid::Uuid::new_v4().to_string(),
        "nbf": now,
        "iat": now,
        "exp": now + 600,
    })
}

async fn redeem(sim: &Sim, client_id: &str, assertion: &str) -> (u16, Value) {
    let (status, _, body) = sim
        .token(&[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", assertion),
            ("scope", GRAPH_SCOPE),
        ])
        .await;
    (status, body)
}

#[tokio::test]
async fn ps256_and_rs256_assertions_with_the_registered_certificate_get_tokens() {
    let sim = Sim::start().await;
    let (client_id, key, der) = credential(&sim);
    assert_eq!(client_id, sim.client_id("cert"));
    let apps = crate::example_scenario::scenario().apps;
    let cert_app = apps.iter().find(|a| a.role == "cert").unwrap();
    for alg in [Algorithm::PS256, Algorithm::RS256] {
        let assertion = sign(&key, &der, alg, &standard_claims(&sim, &client_id));
        let (status, body) = redeem(&sim, &client_id, &assertion).await;
        assert_eq!(status, 200, "{alg:?}: {body}");
        let claims = claims(body["access_token"].as_str().unwrap());
        assert_eq!(claims["appid"], client_id.as_str());
        assert_eq!(claims["roles"], json!(cert_app.graph_roles));
    }
}

#[tokio::test]
async fn an_unregistered_certificate_is_700027_and_a_foreign_key_7000274() {
    let sim = Sim::start().await;
    let (client_id, key, der) = credential(&sim);
    let (other_cert, other_key, other_der) = mailfix_sim::tls::app_certificate("stranger").unwrap();
    assert!(other_cert.contains("BEGIN CERTIFICATE"));
    let claims = standard_claims(&sim, &client_id);
    let unknown = sign(&other_key, &other_der, Algorithm::PS256, &claims);
    let (status, body) = redeem(&sim, &client_id, &unknown).await;
    assert_aadsts(status, &body, 401, "invalid_client", 700027);
    // The registered certificate's thumbprint, but signed with another key.
    let forged = sign(
        &other_key,
        &der,
        Algorithm::RS256,
        &standard_claims(&sim, &client_id),
    );
    let (status, body) = redeem(&sim, &client_id, &forged).await;
    assert_aadsts(status, &body, 401, "invalid_client", 7000274);
    assert!(!body.to_string().contains(key.lines().nth(1).unwrap()));
}

#[tokio::test]
async fn the_audience_is_this_token_endpoint_by_tenant_id_or_domain() {
    let sim = Sim::start().await;
    let (client_id, key, der) = credential(&sim);
    let domain = &sim.sim.info.tenant_domain;
    let mut claims = standard_claims(&sim, &client_id);
    claims["aud"] = json!(sim.url(&format!("/{domain}/oauth2/v2.0/token")));
    let (status, body) = redeem(
        &sim,
        &client_id,
        &sign(&key, &der, Algorithm::PS256, &claims),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let tenant = &sim.sim.info.tenant_id;
    claims["aud"] = json!(format!(
        "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"
    ));
    claims["jti"] = json!(uuid::Uuid::new_v4().to_string());
    let (status, body) = redeem(
        &sim,
        &client_id,
        &sign(&key, &der, Algorithm::PS256, &claims),
    )
    .await;
    assert_aadsts(status, &body, 401, "invalid_client", 50027);
}

#[tokio::test]
async fn expired_or_not_yet_valid_assertions_are_700024() {
    let sim = Sim::start().await;
    let (client_id, key, der) = credential(&sim);
    let now = chrono::Utc::now().timestamp();
    for (nbf, exp) in [(now - 3600, now - 1800), (now + 3600, now + 4200)] {
        let mut claims = standard_claims(&sim, &client_id);
        claims["nbf"] = json!(nbf);
        claims["exp"] = json!(exp);
        let (status, body) = redeem(
            &sim,
            &client_id,
            &sign(&key, &der, Algorithm::RS256, &claims),
        )
        .await;
        assert_aadsts(status, &body, 401, "invalid_client", 700024);
        let description = body["error_description"].as_str().unwrap();
        assert!(description.contains("Client assertion is not within its valid time range."));
    }
}

#[tokio::test]
async fn a_replayed_jti_is_refused_until_replays_are_allowed() {
    let sim = Sim::start().await;
    let (client_id, key, der) = credential(&sim);
    let assertion = sign(
        &key,
        &der,
        Algorithm::PS256,
        &standard_claims(&sim, &client_id),
    );
    assert_eq!(redeem(&sim, &client_id, &assertion).await.0, 200);
    let (status, body) = redeem(&sim, &client_id, &assertion).await;
    assert_aadsts(status, &body, 401, "invalid_client", 50013);
    let response = sim
        .http
        .post(sim.url("/_sim/login/assertion-replay"))
        .json(&json!({ "reject": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(redeem(&sim, &client_id, &assertion).await.0, 200);
}

#[tokio::test]
async fn issuer_and_subject_must_be_the_client() {
    let sim = Sim::start().await;
    let (client_id, key, der) = credential(&sim);
    let mut claims = standard_claims(&sim, &client_id);
    claims["iss"] = json!(sim.client_id("main"));
    let (status, body) = redeem(
        &sim,
        &client_id,
        &sign(&key, &der, Algorithm::PS256, &claims),
    )
    .await;
    assert_aadsts(status, &body, 401, "invalid_client", 700021);
    let mut claims = standard_claims(&sim, &client_id);
    claims["sub"] = json!("someone-else");
    let (status, body) = redeem(
        &sim,
        &client_id,
        &sign(&key, &der, Algorithm::PS256, &claims),
    )
    .await;
    assert_aadsts(status, &body, 401, "invalid_client", 50048);
}

#[tokio::test]
async fn an_assertion_for_another_app_does_not_sign_in_the_main_app() {
    let sim = Sim::start().await;
    let (cert_client, key, der) = credential(&sim);
    let main = sim.client_id("main");
    let mut claims = standard_claims(&sim, &cert_client);
    claims["iss"] = json!(main);
    claims["sub"] = json!(main);
    let (status, body) = redeem(&sim, &main, &sign(&key, &der, Algorithm::PS256, &claims)).await;
    assert_aadsts(status, &body, 401, "invalid_client", 700027);
}

#[cfg(unix)]
#[tokio::test]
async fn the_private_key_file_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt as _;
    let sim = Sim::start().await;
    let info = &sim.sim.info;
    let key = info.key_pem.as_ref().unwrap();
    let mode = std::fs::metadata(key).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    assert!(
        std::fs::read_to_string(key)
            .unwrap()
            .starts_with("-----BEGIN PRIVATE KEY-----")
    );
    let cert = std::fs::read_to_string(info.cert_pem.as_ref().unwrap()).unwrap();
    assert!(cert.starts_with("-----BEGIN CERTIFICATE-----"));
}
