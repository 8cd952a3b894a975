//! Helpers: start a simulator, mint tokens, call InvokeCommand and the control plane.

use mailfix_sim::identity::Audience;
use mailfix_sim::identity::tokens::TokenRequest;
use mailfix_sim::scenario::Scenario;
use mailfix_sim::{RunningSim, SimOptions, start};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

/// A started simulator with an HTTP client.
pub struct Sim {
    pub sim: RunningSim,
    pub http: reqwest::Client,
}

pub async fn sim(scenario: Scenario) -> Sim {
    sim_with(SimOptions::for_test(scenario)).await
}

pub async fn sim_with(options: SimOptions) -> Sim {
    let sim = start(options).await.expect("simulator starts");
    Sim {
        sim,
        http: reqwest::Client::new(),
    }
}

/// Replaces the fault configuration (`POST /_sim/faults`); the answer must be a success.
pub async fn set_faults(sim: &Sim, config: Value) {
    let answer = sim
        .control(reqwest::Method::POST, "/_sim/faults", Some(config))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Sim {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sim.base_url)
    }

    pub fn tenant_id(&self) -> String {
        self.sim.state.read_tenant().id.to_string()
    }

    pub fn domain(&self) -> String {
        self.sim.state.read_tenant().initial_domain.clone()
    }

    /// A token for the app with `role`, carrying the permissions it was granted for `audience`.
    pub fn token(&self, role: &str, audience: Audience) -> String {
        let tenant = self.sim.state.read_tenant();
        let app = tenant
            .apps
            .iter()
            .find(|a| a.role == role)
            .expect("app role");
        let roles = match audience {
            Audience::Graph => app.graph_roles.clone(),
            Audience::Exchange => app.exchange_roles.clone(),
        };
        self.sim.state.identity.issue(&TokenRequest {
            tenant_id: &tenant.id.to_string(),
            app_id: &app.client_id,
            audience,
            roles: &roles,
            scopes: &[],
            directory_roles: &app.directory_roles,
            upn: None,
            now: self.sim.state.clock.now(),
            lifetime_s: 3600,
        })
    }

    pub fn client_id(&self, role: &str) -> String {
        let tenant = self.sim.state.read_tenant();
        tenant
            .apps
            .iter()
            .find(|a| a.role == role)
            .expect("app role")
            .client_id
            .clone()
    }

    /// GETs a Graph path with `token`.
    pub async fn graph_get(&self, token: &str, path: &str) -> Answer {
        let response = self
            .http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request");
        Self::answer(response).await
    }

    pub async fn answer(response: reqwest::Response) -> Answer {
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            body,
            text,
        }
    }

    /// POSTs an InvokeCommand body to `url` with `token`.
    pub async fn invoke_at(
        &self,
        url: &str,
        token: &str,
        cmdlet: &str,
        params: Value,
        page: Option<usize>,
    ) -> Answer {
        let mut request = self
            .http
            .post(url)
            .bearer_auth(token)
            .json(&json!({"CmdletInput": {"CmdletName": cmdlet, "Parameters": params}}));
        if let Some(size) = page {
            request = request.header("Prefer", format!("odata.maxpagesize={size}"));
        }
        Self::answer(request.send().await.expect("request")).await
    }

    /// Runs a cmdlet as the `main` app.
    pub async fn invoke(&self, cmdlet: &str, params: Value) -> Answer {
        let token = self.token("main", Audience::Exchange);
        let url = self.url(&format!("/adminapi/beta/{}/InvokeCommand", self.domain()));
        self.invoke_at(&url, &token, cmdlet, params, None).await
    }

    /// Adds (`add`) or removes an address on a mailbox as the `main` app.
    pub async fn change(&self, identity: &str, key: &str, address: &str) -> Answer {
        let table = json!({"@odata.type": "#Exchange.GenericHashTable", key: address});
        self.invoke(
            "Set-Mailbox",
            json!({"Identity": identity, "EmailAddresses": table}),
        )
        .await
    }

    /// Asks the token endpoint for a Graph token as the main app (client credentials).
    pub async fn request_token(&self) -> Answer {
        let info = &self.sim.info;
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", info.client_id.as_str()),
            ("client_secret", info.client_secret.as_str()),
            ("scope", "https://graph.microsoft.com/.default"),
        ];
        let url = self.url(&format!("/{}/oauth2/v2.0/token", info.tenant_id));
        Self::answer(
            self.http
                .post(url)
                .form(&form)
                .send()
                .await
                .expect("token request"),
        )
        .await
    }

    pub async fn control(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Answer {
        let mut request = self.http.request(method, self.url(path));
        if let Some(body) = body {
            request = request.json(&body);
        }
        Self::answer(request.send().await.expect("control request")).await
    }

    pub async fn advance(&self, seconds: f64) {
        let answer = self
            .control(
                reqwest::Method::POST,
                "/_sim/clock/advance",
                Some(json!({"seconds": seconds})),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    }

    /// The control plane's view of a user.
    pub async fn user(&self, key: &str) -> Value {
        let answer = self
            .control(reqwest::Method::GET, &format!("/_sim/users/{key}"), None)
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        answer.body
    }

    pub async fn requests(&self) -> Vec<Value> {
        let answer = self
            .control(reqwest::Method::GET, "/_sim/requests", None)
            .await;
        answer.body.as_array().cloned().unwrap_or_default()
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
}

/// The Exchange error message inside a Shape A body.
pub fn exo_message(body: &Value) -> String {
    let detail = body["error"]["details"][0]["message"]
        .as_str()
        .unwrap_or_default();
    let inner: Value = serde_json::from_str(detail).unwrap_or(Value::Null);
    inner["Message"].as_str().unwrap_or_default().to_owned()
}

/// The vendored reference material (`tests/fixtures/`, sources and licences in its NOTICE.md):
/// Microsoft's documentation examples and recorded traffic the simulator is checked against.
pub fn fixtures_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}
