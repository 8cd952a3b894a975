//! Helpers for the Graph tests: custom scenarios, a simulator on loopback, tokens minted by the
//! simulator's own authority, and a small HTTP helper.

use std::time::Duration;

use mailfix_sim::identity::Audience;
use mailfix_sim::identity::tokens::TokenRequest;
use mailfix_sim::scenario::{
    BehaviourSpec, GroupSpec, MemberSpec, PlanSpec, Scenario, TenantSpec, UserSpec,
};
use mailfix_sim::{RunningSim, SimOptions};
use serde_json::Value;

/// Every Graph permission mailfix uses.
pub const ALL: &[&str] = &[
    "User.ReadWrite.All",
    "GroupMember.Read.All",
    "UserAuthenticationMethod.ReadWrite.All",
    "AuditLog.Read.All",
    "Directory.Read.All",
];

/// Exchange Online Plan 1, a mailbox plan.
pub const EXO_PLAN_1: &str = "9aaf7827-d63c-4b61-89c3-182f06f82e5c";

/// A user spec with a UPN in `contoso.com` and its defaults.
pub fn user(local: &str, display: &str) -> UserSpec {
    UserSpec {
        upn: format!("{local}@contoso.com"),
        display_name: display.to_owned(),
        enabled: true,
        label: "healthy".to_owned(),
        ..UserSpec::default()
    }
}

/// A healthy user with `mail`, a mailbox and an Exchange plan.
pub fn mailbox_user(local: &str, display: &str) -> UserSpec {
    UserSpec {
        mail: Some(format!("{local}@contoso.com")),
        mailbox: Some(mailfix_sim::scenario::MailboxSpec::default()),
        plans: vec![PlanSpec {
            service_plan_id: EXO_PLAN_1.parse().expect("a GUID"),
            service: "exchange".to_owned(),
            capability_status: "Enabled".to_owned(),
        }],
        ..user(local, display)
    }
}

/// A group with members given as specs.
pub fn group(name: &str, members: Vec<MemberSpec>) -> GroupSpec {
    GroupSpec {
        display_name: name.to_owned(),
        members,
        ..GroupSpec::default()
    }
}

/// A scenario with these users and groups in `contoso.onmicrosoft.com` + `contoso.com`.
pub fn scenario(users: Vec<UserSpec>, groups: Vec<GroupSpec>) -> Scenario {
    Scenario {
        name: "graph-test".to_owned(),
        tenant: TenantSpec {
            initial_domain: "contoso.onmicrosoft.com".to_owned(),
            domains: vec!["contoso.com".to_owned()],
            ..TenantSpec::default()
        },
        users,
        groups,
        behaviour: BehaviourSpec {
            // These tests exercise query semantics, one request after another; the reports and
            // audit limit of 5 requests per 10 s has its own tests (throttle.rs).
            limits: [("graph.reports_quota".to_owned(), 10_000.0)].into(),
            ..BehaviourSpec::default()
        },
        ..Scenario::default()
    }
}

/// `n` users `user00001@contoso.com`...
pub fn many_users(n: usize) -> Vec<UserSpec> {
    (1..=n)
        .map(|i| mailbox_user(&format!("user{i:05}"), &format!("User {i:05}")))
        .collect()
}

/// A running simulator and a client for it.
pub struct Sim {
    /// The simulator.
    pub sim: RunningSim,
    /// HTTP client.
    pub http: reqwest::Client,
    /// A token with every permission in [`ALL`].
    pub token: String,
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Resp {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: reqwest::header::HeaderMap,
    /// Body text.
    pub text: String,
}

impl Resp {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The Graph error code and message.
    pub fn error(&self) -> (String, String) {
        let j = self.json();
        (
            j["error"]["code"].as_str().unwrap_or_default().to_owned(),
            j["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        )
    }
}

/// Starts a simulator for `scenario`.
pub async fn start(scenario: Scenario) -> Sim {
    let sim = mailfix_sim::start(SimOptions::for_test(scenario))
        .await
        .expect("the simulator starts");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("a client");
    let mut s = Sim {
        sim,
        http,
        token: String::new(),
    };
    s.token = s.token_with(ALL);
    s
}

impl Sim {
    /// A Graph token with exactly these application permissions.
    pub fn token_with(&self, roles: &[&str]) -> String {
        self.token_for(roles, None, Audience::Graph)
    }

    /// A token for any audience, optionally delegated for `upn`.
    pub fn token_for(&self, roles: &[&str], upn: Option<&str>, audience: Audience) -> String {
        let state = &self.sim.state;
        let tenant_id = state.read_tenant().id.to_string();
        let roles: Vec<String> = roles.iter().map(|r| (*r).to_owned()).collect();
        state.identity.issue(&TokenRequest {
            tenant_id: &tenant_id,
            app_id: "11111111-1111-1111-1111-111111111111",
            audience,
            roles: &roles,
            scopes: &[],
            directory_roles: &[],
            upn,
            now: state.clock.now(),
            lifetime_s: 3600,
        })
    }

    /// The Graph service root (`http://127.0.0.1:PORT/v1.0`).
    pub fn root(&self) -> String {
        format!("{}/v1.0", self.sim.base_url)
    }

    /// `GET {root}{path}` with the full token.
    pub async fn get(&self, path: &str) -> Resp {
        self.send("GET", path, &[], None).await
    }

    /// `GET` with an advanced-query header.
    pub async fn get_eventual(&self, path: &str) -> Resp {
        self.send("GET", path, &[("ConsistencyLevel", "eventual")], None)
            .await
    }

    /// A request with the full token.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> Resp {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.root())
        };
        let auth = format!("Bearer {}", self.token);
        let mut all = vec![("Authorization", auth.as_str())];
        all.extend_from_slice(headers);
        self.raw(method, &url, &all, body).await
    }

    /// A request (no body) with another bearer token.
    pub async fn send_as(&self, token: &str, method: &str, path: &str) -> Resp {
        let url = format!("{}{path}", self.root());
        let auth = format!("Bearer {token}");
        self.raw(method, &url, &[("Authorization", auth.as_str())], None)
            .await
    }

    /// A request to an absolute URL with exactly these headers.
    pub async fn raw(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> Resp {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
        let mut request = self.http.request(method, url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the simulator answers");
        Resp {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            text: response.text().await.expect("a body"),
        }
    }

    /// Follows `@odata.nextLink` from `path`, resending `headers`; gives every page's body.
    pub async fn pages(&self, path: &str, headers: &[(&str, &str)]) -> Vec<Value> {
        self.pages_with(&format!("{}{path}", self.root()), headers)
            .await
    }

    /// Follows `@odata.nextLink` from an absolute URL.
    pub async fn pages_from(&self, url: &str) -> Vec<Value> {
        self.pages_with(url, &[]).await
    }

    async fn pages_with(&self, url: &str, headers: &[(&str, &str)]) -> Vec<Value> {
        let mut pages = Vec::new();
        let mut next = Some(url.to_owned());
        while let Some(url) = next {
            let r = self.send("GET", &url, headers, None).await;
            assert_eq!(r.status, 200, "{url}: {}", r.text);
            let body = r.json();
            next = body["@odata.nextLink"].as_str().map(str::to_owned);
            pages.push(body);
            assert!(pages.len() < 10_000, "paging does not end");
        }
        pages
    }

    /// The object id of a user by UPN.
    pub fn user_id(&self, upn: &str) -> String {
        let tenant = self.sim.state.read_tenant();
        let idx = tenant.user_by_upn(upn).expect("the user exists");
        tenant.users[idx as usize].id.to_string()
    }

    /// Soft-deletes a user the way the directory does (a tombstone with a new change number).
    pub fn delete_user(&self, upn: &str) {
        let mut tenant = self.sim.state.write_tenant();
        let idx = tenant.user_by_upn(upn).expect("the user exists");
        tenant.users[idx as usize].deleted = true;
        tenant.touch_user(idx);
    }

    /// The object id of the first group with this name.
    pub fn group_id(&self, name: &str) -> String {
        let tenant = self.sim.state.read_tenant();
        let idx = tenant.groups_named(name)[0];
        tenant.groups[idx as usize].id.to_string()
    }
}

/// Every item of every page.
pub fn items(pages: &[Value]) -> Vec<Value> {
    pages
        .iter()
        .flat_map(|p| p["value"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// The keys of a JSON object, sorted.
pub fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    k.sort();
    k
}

/// Percent-encodes a query value (spaces, quotes, `+`, `#`, `&`...).
pub fn enc(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
