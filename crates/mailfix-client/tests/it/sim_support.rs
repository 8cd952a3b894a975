//! The simulator for the acceptance tests: `mailfix-sim` started in this process over HTTPS on
//! loopback, clients configured against it, and its control plane (request log, faults,
//! behaviour, clock).

use std::time::Duration;

use mailfix_client::{Client, ClientConfig, Cloud, Credential, Endpoints, RetryPolicy, Secret};
use mailfix_sim::scenario::{Scenario, UserSpec};
use mailfix_sim::{RunningSim, SimInfo, SimOptions};
use serde::Deserialize;
use serde_json::Value;

/// One request as the simulator logged it (`GET /_sim/requests`).
#[derive(Clone, Debug, Deserialize)]
pub struct Entry {
    pub seq: u64,
    pub service: String,
    pub method: String,
    #[serde(default)]
    pub host: Option<String>,
    pub path: String,
    #[serde(default)]
    pub query: Option<String>,
    pub status: u16,
    #[serde(default)]
    pub app: Option<String>,
    #[serde(default)]
    pub operation: Option<String>,
    pub throttled: bool,
    pub early: bool,
    #[serde(default)]
    pub retry_after_ms: Option<u64>,
    #[serde(default)]
    pub fault: Option<String>,
    #[serde(default)]
    pub batch_items: Vec<BatchItem>,
    /// Exchange requests being served at this one's arrival, itself included.
    #[serde(default)]
    pub in_flight: Option<u32>,
}

/// One `$batch` item of a logged batch.
#[derive(Clone, Debug, Deserialize)]
pub struct BatchItem {
    pub id: String,
    pub url: String,
    pub status: u16,
    pub early: bool,
}

impl Entry {
    /// A token request (client credentials, device code polling or refresh).
    pub fn is_token(&self) -> bool {
        self.service == "login" && self.path.ends_with("/oauth2/v2.0/token")
    }
}

/// A running simulator and an HTTP client for its control plane.
pub struct Sim {
    pub sim: RunningSim,
    http: reqwest::Client,
}

impl Sim {
    /// `scenario` over HTTPS with seed 1 at real speed.
    pub async fn start(scenario: Scenario) -> Self {
        Self::start_with(scenario, |_| {}).await
    }

    /// `scenario` over HTTPS with the options adjusted by `tweak`.
    pub async fn start_with(scenario: Scenario, tweak: impl FnOnce(&mut SimOptions)) -> Self {
        let mut options = SimOptions::for_test(scenario);
        options.http = false;
        tweak(&mut options);
        let sim = mailfix_sim::start(options).await.expect("simulator starts");
        let ca = sim
            .info
            .ca_file
            .as_ref()
            .expect("an HTTPS simulator has a CA");
        let pem = std::fs::read(ca).unwrap();
        let http = reqwest::Client::builder()
            .tls_certs_merge([reqwest::Certificate::from_pem(&pem).unwrap()])
            .build()
            .unwrap();
        Self { sim, http }
    }

    /// UPNs of the scenario users with `label`.
    pub fn labelled(&self, label: &str) -> Vec<String> {
        let tenant = self.sim.state.read_tenant();
        tenant
            .users
            .iter()
            .filter(|u| u.label == label)
            .map(|u| u.user_principal_name.clone())
            .collect()
    }

    pub fn info(&self) -> &SimInfo {
        &self.sim.info
    }

    /// The client id and (first) secret of the scenario's app with `role`.
    pub fn app(&self, role: &str) -> (String, Option<String>) {
        let tenant = self.sim.state.read_tenant();
        let app = tenant
            .apps
            .iter()
            .find(|a| a.role == role)
            .unwrap_or_else(|| panic!("the scenario has a {role} app"));
        (app.client_id.clone(), app.secrets.first().cloned())
    }

    /// A configuration for the global cloud whose three endpoints are the simulator, trusting
    /// its CA, with a fast retry policy.
    pub fn config(&self, credential: Credential) -> ClientConfig {
        let info = self.info();
        let mut config = ClientConfig::new(info.tenant_id.clone(), credential);
        config.endpoints = Endpoints::for_cloud(Cloud::Global)
            .with_login(&info.login_url)
            .with_graph(&info.graph_url)
            .with_exchange(&info.exo_url);
        config.extra_ca = info.ca_file.clone();
        config.retry = RetryPolicy {
            max_attempts: 10,
            max_elapsed: Duration::from_secs(60),
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(200),
        };
        crate::support::capture_logs();
        config
    }

    /// The main app's secret credential.
    pub fn secret(&self) -> Credential {
        let info = self.info();
        Credential::Secret {
            client_id: info.client_id.clone(),
            secret: Secret::new(info.client_secret.clone()),
        }
    }

    /// A client of the main app (client secret).
    pub fn client(&self) -> Client {
        Client::new(self.config(self.secret())).unwrap()
    }

    /// A client of the main app with the configuration adjusted by `tweak`.
    pub fn client_with(&self, tweak: impl FnOnce(&mut ClientConfig)) -> Client {
        let mut config = self.config(self.secret());
        tweak(&mut config);
        Client::new(config).unwrap()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sim.base_url)
    }

    /// `GET` a control-plane path as JSON.
    pub async fn get(&self, path: &str) -> Value {
        let resp = self.http.get(self.url(path)).send().await.unwrap();
        assert!(resp.status().is_success(), "GET {path}: {}", resp.status());
        resp.json().await.unwrap()
    }

    /// `POST` JSON to a control-plane path; the answer must be a success.
    pub async fn post(&self, path: &str, body: Value) -> Value {
        let resp = self
            .http
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        assert!(status.is_success(), "POST {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// Log entries with `seq > after`, without the control plane's own.
    pub async fn requests(&self, after: u64) -> Vec<Entry> {
        let log = self.get(&format!("/_sim/requests?after={after}")).await;
        let entries: Vec<Entry> = serde_json::from_value(log).unwrap();
        entries
            .into_iter()
            .filter(|e| e.service != "control")
            .collect()
    }

    /// The sequence number of the last logged request (0 when none).
    pub async fn last_seq(&self) -> u64 {
        let log: Vec<Entry> = serde_json::from_value(self.get("/_sim/requests").await).unwrap();
        log.last().map_or(0, |e| e.seq)
    }

    /// A function that approves a device-code sign-in (`POST /_sim/devicecode/approve` with the
    /// given body) in the background; for a prompt callback, which cannot wait.
    pub fn approver(&self) -> impl Fn(Value) + Send + Sync + 'static {
        let http = self.http.clone();
        let url = self.url("/_sim/devicecode/approve");
        move |body| {
            let (http, url) = (http.clone(), url.clone());
            tokio::spawn(async move {
                let resp = http.post(url).json(&body).send().await.unwrap();
                assert!(resp.status().is_success(), "approval: {}", resp.status());
            });
        }
    }

    /// Replaces the behaviour's `limits` (the other behaviour settings stay).
    pub async fn set_limits(&self, limits: Value) {
        let mut behaviour = self.get("/_sim/behaviour").await;
        behaviour["limits"] = limits;
        self.post("/_sim/behaviour", behaviour).await;
    }
}

/// The UPN of the first user of `scenario` that `pred` accepts.
pub fn user_where(scenario: &Scenario, pred: impl Fn(&UserSpec) -> bool) -> String {
    scenario
        .users
        .iter()
        .find(|u| pred(u))
        .expect("the scenario has such a user")
        .upn
        .clone()
}

/// Every entry of `log` (and every `$batch` item) that came back before a `Retry-After` it was
/// given, as `(seq, path, item id)`.
pub fn early(log: &[Entry]) -> Vec<(u64, String, Option<String>)> {
    let mut out = Vec::new();
    for e in log {
        if e.early && e.batch_items.is_empty() {
            out.push((e.seq, e.path.clone(), None));
        }
        for item in e.batch_items.iter().filter(|i| i.early) {
            out.push((e.seq, item.url.clone(), Some(item.id.clone())));
        }
    }
    out
}
