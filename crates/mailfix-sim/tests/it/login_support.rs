//! Shared pieces of the sign-in tests: a small scenario, a simulator over HTTPS on loopback, a client
//! that trusts only its CA, and assertions on AADSTS error responses.

use std::path::PathBuf;

use mailfix_sim::identity::{Audience, Caller};
use mailfix_sim::{RunningSim, SimOptions, start};
use serde_json::Value;

pub use crate::example_scenario::{DISABLED, OTHER_DOMAIN, scenario, upn};

pub const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default";
pub const EXCHANGE_SCOPE: &str = "https://outlook.office365.com/.default";

/// A running simulator over HTTPS and a client that trusts only its CA.
pub struct Sim {
    pub sim: RunningSim,
    pub http: reqwest::Client,
}

impl Sim {
    pub async fn start() -> Self {
        Self::with(|_| {}).await
    }

    pub async fn with(adjust: impl FnOnce(&mut SimOptions)) -> Self {
        let mut options = SimOptions::for_test(scenario());
        options.http = false;
        adjust(&mut options);
        let sim = start(options).await.expect("simulator starts");
        let ca = std::fs::read(sim.info.ca_file.as_ref().expect("HTTPS has a CA file")).unwrap();
        let http = reqwest::Client::builder()
            .tls_certs_only([reqwest::Certificate::from_pem(&ca).unwrap()])
            .build()
            .unwrap();
        Self { sim, http }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sim.base_url)
    }

    pub fn token_url(&self) -> String {
        self.url(&format!("/{}/oauth2/v2.0/token", self.sim.info.tenant_id))
    }

    /// POSTs a form to the token endpoint; returns status, headers and JSON body.
    pub async fn token(&self, form: &[(&str, &str)]) -> (u16, reqwest::header::HeaderMap, Value) {
        self.post_form(&self.token_url(), form).await
    }

    pub async fn post_form(
        &self,
        url: &str,
        form: &[(&str, &str)],
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let response = self.http.post(url).form(form).send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        (status, headers, response.json().await.unwrap())
    }

    pub async fn get_json(&self, path: &str) -> (u16, reqwest::header::HeaderMap, Value) {
        let response = self.http.get(self.url(path)).send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        (status, headers, response.json().await.unwrap())
    }

    /// The client-credentials form of the main app with its secret, for `scope`.
    pub fn secret_form<'a>(&'a self, scope: &'a str) -> [(&'a str, &'a str); 4] {
        let info = &self.sim.info;
        [
            ("grant_type", "client_credentials"),
            ("client_id", &info.client_id),
            ("client_secret", &info.client_secret),
            ("scope", scope),
        ]
    }

    /// Client credentials with the main app's secret for `scope`.
    pub async fn secret_token(&self, scope: &str) -> (u16, reqwest::header::HeaderMap, Value) {
        self.token(&self.secret_form(scope)).await
    }

    /// Verifies an access token as Graph and Exchange do, at the simulator's current time.
    pub fn verify(&self, token: &str, audience: Audience) -> Caller {
        let header = format!("Bearer {token}");
        let now = self.sim.state.clock.now();
        let identity = &self.sim.state.identity;
        identity
            .verify(Some(&header), audience, now)
            .expect("a valid token")
    }

    /// The client id of the scenario app with `role`.
    pub fn client_id(&self, role: &str) -> String {
        let index = scenario().apps.iter().position(|a| a.role == role).unwrap();
        self.sim.state.read_tenant().apps[index].client_id.clone()
    }
}

/// Asserts the documented AADSTS error shape (docs/protocol.md §5.1) with this status, error and code.
pub fn assert_aadsts(status: u16, body: &Value, want_status: u16, error: &str, code: u64) {
    assert_eq!(status, want_status, "{body}");
    assert_eq!(body["error"], error, "{body}");
    assert_eq!(body["error_codes"], serde_json::json!([code]), "{body}");
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for key in [
        "error",
        "error_description",
        "error_codes",
        "timestamp",
        "trace_id",
        "correlation_id",
        "error_uri",
    ] {
        assert!(keys.contains(&key), "{key} missing in {body}");
    }
    let description = body["error_description"].as_str().unwrap();
    assert!(
        description.starts_with(&format!("AADSTS{code}: ")),
        "{description}"
    );
    let trace = body["trace_id"].as_str().unwrap();
    assert!(
        description.contains(&format!("\r\nTrace ID: {trace}\r\n")),
        "{description}"
    );
    let correlation = body["correlation_id"].as_str().unwrap();
    assert!(description.contains(&format!("\r\nCorrelation ID: {correlation}\r\n")));
    let timestamp = body["timestamp"].as_str().unwrap();
    assert!(
        description.ends_with(&format!("\r\nTimestamp: {timestamp}")),
        "{description}"
    );
    assert!(
        chrono::NaiveDateTime::parse_from_str(timestamp, "%Y-%m-%d %H:%M:%SZ").is_ok(),
        "{timestamp}"
    );
}

/// A JSON object's keys, sorted.
pub fn sorted_keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

/// The claims of a JWT, without verifying it.
pub fn claims(token: &str) -> Value {
    use base64::Engine as _;
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// The vendored reference material.
pub fn reference_dir() -> PathBuf {
    crate::support::fixtures_dir()
}
