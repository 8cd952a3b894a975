//! Sign-in against test token endpoints: certificate assertions (verified server-side with the
//! certificate's public key), the RS256 fallback, AADSTS errors, device code with the refresh
//! token cache.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::routing::post;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use mailfix_client::auth::assertion::AssertionClaims;
use mailfix_client::{
    Client, ClientCertificate, Credential, DeviceCodeOptions, DeviceCodePrompt, ErrorKind,
    Resource, SignInKind,
};
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
async fn certificate_sign_in_sends_a_ps256_assertion_the_server_can_verify() {
    let (cert, _dir) = certificate();
    let router = assertion_endpoint(
        cert.decoding_key().unwrap(),
        cert.x5t(),
        cert.x5t_s256(),
        false,
    );
    let server = support::serve(router).await;
    let client = cert_client(&server.url, cert);
    let claims = client.token_claims(Resource::Graph).await.unwrap();
    assert_eq!(claims.roles, ["User.Read.All"]);
    assert_eq!(server.log.matching("/token").len(), 1);
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

#[tokio::test]
async fn aadsts_errors_are_typed_with_hints_and_not_retried() {
    let cases = [
        (401, "invalid_client", 7000215, SignInKind::InvalidSecret),
        (400, "unauthorized_client", 700016, SignInKind::UnknownApp),
        (400, "invalid_request", 90002, SignInKind::UnknownTenant),
        (400, "invalid_scope", 70011, SignInKind::InvalidScope),
    ];
    for (status, error, code, kind) in cases {
        let router = Router::new().route(
            "/{tenant}/oauth2/v2.0/token",
            post(move || async move { aadsts(status, error, code, "Something is wrong.") }),
        );
        let server = support::serve(router).await;
        let client = support::client(&server.url);
        let err = client.token_claims(Resource::Graph).await.unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::SignIn(kind), "{code}");
        assert_eq!(err.code(), Some(format!("AADSTS{code}").as_str()));
        assert!(err.hint().is_some(), "{code}");
        assert!(!err.to_string().contains("Trace ID"));
        assert!(!format!("{err:?}").contains("the-client-secret"));
        assert_eq!(server.log.matching("/token").len(), 1, "{code}");
    }
}

#[tokio::test]
async fn a_token_endpoint_outage_is_retried() {
    let count = Arc::new(AtomicUsize::new(0));
    let router = Router::new().route(
        "/{tenant}/oauth2/v2.0/token",
        post(move || {
            let count = count.clone();
            async move {
                if count.fetch_add(1, Ordering::SeqCst) == 0 {
                    return reply(503, &[("retry-after", "0.05")], json!({}));
                }
                token_reply()
            }
        }),
    );
    let server = support::serve(router).await;
    let client = support::client(&server.url);
    client.token_claims(Resource::Graph).await.unwrap();
    assert_eq!(server.log.matching("/token").len(), 2);
}

/// Device code endpoints: one pending poll, then tokens; refresh tokens rotate rt-1, rt-2, ...
fn device_endpoints() -> Router {
    let polls = Arc::new(AtomicUsize::new(0));
    let issued = Arc::new(AtomicUsize::new(0));
    Router::new()
        .route(
            "/{tenant}/oauth2/v2.0/devicecode",
            post(|| async {
                reply(200, &[], json!({"device_code": "dc-1", "user_code": "ABCD-EFGH",
                    "verification_uri": "https://microsoft.com/devicelogin", "expires_in": 900, "interval": 0,
                    "message": "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code ABCD-EFGH to authenticate."}))
            }),
        )
        .route(
            "/{tenant}/oauth2/v2.0/token",
            post(move |body: String| {
                let (polls, issued) = (polls.clone(), issued.clone());
                async move {
                    let form: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes()).into_owned().collect();
                    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
                    let grant = get("grant_type");
                    if grant.ends_with("device_code") && polls.fetch_add(1, Ordering::SeqCst) == 0 {
                        return aadsts(400, "authorization_pending", 70016, "Pending end-user authorization.");
                    }
                    let current = issued.load(Ordering::SeqCst);
                    if grant == "refresh_token" && get("refresh_token") != format!("rt-{current}") {
                        return aadsts(400, "invalid_grant", 70008, "The refresh token has expired.");
                    }
                    let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
                    let aud = get("scope").split(' ').next().unwrap_or_default().trim_end_matches("/.default").to_owned();
                    let token = fake_jwt(&json!({"aud": aud, "scp": "User.Read.All", "upn": "admin@contoso.com"}));
                    reply(200, &[], json!({"token_type": "Bearer", "expires_in": 3599, "access_token": token,
                        "refresh_token": format!("rt-{n}"), "scope": get("scope")}))
                }
            }),
        )
}

fn device_client(
    url: &str,
    cache: &std::path::Path,
    prompts: Arc<Mutex<Vec<DeviceCodePrompt>>>,
) -> Client {
    let mut config = support::config(url);
    config.credential = Credential::DeviceCode(DeviceCodeOptions {
        client_id: "public-app".into(),
        cache_file: Some(cache.to_owned()),
        prompt: Arc::new(move |p: &DeviceCodePrompt| prompts.lock().unwrap().push(p.clone())),
    });
    Client::new(config).unwrap()
}

#[tokio::test]
async fn device_code_signs_in_once_then_refresh_tokens_serve_both_resources_and_later_runs() {
    let server = support::serve(device_endpoints()).await;
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("state/token.json");
    let prompts = Arc::new(Mutex::new(Vec::new()));
    let client = device_client(&server.url, &cache, prompts.clone());
    let graph = client.token_claims(Resource::Graph).await.unwrap();
    assert_eq!(graph.scp, ["User.Read.All"]);
    assert_eq!(graph.upn.as_deref(), Some("admin@contoso.com"));
    {
        let shown = prompts.lock().unwrap();
        assert_eq!(shown.len(), 1);
        assert_eq!(shown[0].user_code, "ABCD-EFGH");
        assert!(shown[0].message.as_deref().unwrap().contains("ABCD-EFGH"));
    }
    let devicecode = server.log.matching("/devicecode");
    assert_eq!(
        devicecode[0].form_value("scope").as_deref(),
        Some("https://graph.microsoft.com/.default offline_access")
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(&cache).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let exo = client.token_claims(Resource::Exchange).await.unwrap();
    assert_eq!(exo.aud, "https://outlook.office365.com");
    let refresh = server
        .log
        .hits()
        .into_iter()
        .filter(|h| h.form_value("grant_type").as_deref() == Some("refresh_token"))
        .count();
    assert_eq!(
        refresh, 1,
        "the second resource comes from the refresh token"
    );

    // A later run reads the cache and signs in without a prompt.
    let later = device_client(&server.url, &cache, prompts.clone());
    later.token_claims(Resource::Graph).await.unwrap();
    assert_eq!(server.log.matching("/devicecode").len(), 1);
    assert_eq!(prompts.lock().unwrap().len(), 1);
    assert!(
        !std::fs::read_to_string(&cache).unwrap().contains("rt-1"),
        "rotated refresh token stored"
    );
}

#[tokio::test]
async fn an_expired_cached_refresh_token_falls_back_to_the_device_code() {
    let server = support::serve(device_endpoints()).await;
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("token.json");
    std::fs::write(
        &cache,
        json!({"client_id": "public-app", "tenant": TENANT, "refresh_token": "stale"}).to_string(),
    )
    .unwrap();
    let prompts = Arc::new(Mutex::new(Vec::new()));
    let client = device_client(&server.url, &cache, prompts.clone());
    client.token_claims(Resource::Graph).await.unwrap();
    assert_eq!(prompts.lock().unwrap().len(), 1);
}
