//! The RS256 fallback of certificate sign-in against a token endpoint that refuses PS256 (the
//! simulator accepts both; the assertion is verified here with the certificate's public key).

use axum::Router;
use axum::routing::post;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use mailfix_client::auth::assertion::AssertionClaims;
use mailfix_client::{Client, ClientCertificate, Credential, Resource};
use serde_json::json;

use crate::support::{self, fake_jwt, reply};

const TENANT: &str = "contoso.onmicrosoft.com";

fn certificate() -> (ClientCertificate, tempfile::TempDir) {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).unwrap();
    let cert = rcgen::CertificateParams::new(vec!["mailfix-app".to_owned()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.pem");
    std::fs::write(&path, format!("{}\n{}", cert.pem(), key.serialize_pem())).unwrap();
    (ClientCertificate::load(&path, None).unwrap(), dir)
}

fn token_reply() -> axum::response::Response {
    let token =
        fake_jwt(&json!({"aud": "https://graph.microsoft.com", "roles": ["User.Read.All"]}));
    reply(
        200,
        &[],
        json!({"token_type": "Bearer", "expires_in": 3599, "access_token": token}),
    )
}

fn aadsts(status: u16, error: &str, code: u32, text: &str) -> axum::response::Response {
    reply(
        status,
        &[],
        json!({"error": error,
        "error_description": format!("AADSTS{code}: {text}\r\nTrace ID: t\r\nCorrelation ID: c\r\nTimestamp: 2024-01-01 00:00:00Z"),
        "error_codes": [code]}),
    )
}

/// A token endpoint that verifies client assertions; PS256 ones are refused when `refuse_ps256`.
fn assertion_endpoint(
    key: DecodingKey,
    x5t: String,
    x5t_s256: String,
    refuse_ps256: bool,
) -> Router {
    Router::new().route(
        "/{tenant}/oauth2/v2.0/token",
        post(move |headers: axum::http::HeaderMap, body: String| {
            let (key, x5t, x5t_s256) = (key.clone(), x5t.clone(), x5t_s256.clone());
            async move {
                let form: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes())
                    .into_owned()
                    .collect();
                let get = |k: &str| {
                    form.iter()
                        .find(|(n, _)| n == k)
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default()
                };
                assert_eq!(
                    get("client_assertion_type"),
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
                );
                assert!(get("client_secret").is_empty());
                let jwt = get("client_assertion");
                let header = jsonwebtoken::decode_header(&jwt).unwrap();
                if header.alg == Algorithm::PS256 && refuse_ps256 {
                    return aadsts(
                        401,
                        "invalid_client",
                        700027,
                        "Client assertion contains an invalid signature.",
                    );
                }
                match header.alg {
                    Algorithm::PS256 => {
                        assert_eq!(header.x5t_s256.as_deref(), Some(x5t_s256.as_str()))
                    }
                    _ => assert_eq!(header.x5t.as_deref(), Some(x5t.as_str())),
                }
                let host = headers["host"].to_str().unwrap();
                let mut v = Validation::new(header.alg);
                v.set_audience(&[format!("http://{host}/{TENANT}/oauth2/v2.0/token")]);
                v.set_issuer(&["cert-app"]);
                let claims = jsonwebtoken::decode::<AssertionClaims>(&jwt, &key, &v)
                    .unwrap()
                    .claims;
                assert_eq!(claims.sub, "cert-app");
                assert_eq!(claims.exp - claims.nbf, 600);
                token_reply()
            }
        }),
    )
}

fn cert_client(url: &str, cert: ClientCertificate) -> Client {
    let mut config = support::config(url);
    config.credential = Credential::Certificate {
        client_id: "cert-app".into(),
        certificate: cert,
    };
    Client::new(config).unwrap()
}

#[tokio::test]
async fn a_refused_ps256_assertion_falls_back_to_rs256_once_and_remembers() {
    let (cert, _dir) = certificate();
    let router = assertion_endpoint(
        cert.decoding_key().unwrap(),
        cert.x5t(),
        cert.x5t_s256(),
        true,
    );
    let server = support::serve(router).await;
    let client = cert_client(&server.url, cert);
    client.token_claims(Resource::Graph).await.unwrap();
    assert_eq!(server.log.matching("/token").len(), 2);
    client.token_claims(Resource::Exchange).await.unwrap();
    assert_eq!(
        server.log.matching("/token").len(),
        3,
        "RS256 used directly the second time"
    );
}
