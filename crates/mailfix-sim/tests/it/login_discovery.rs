//! Discovery documents and response headers compared key by key with the real recorded exchange
//! (`tests/fixtures/recorded/entra-recorded-client-credentials.json`), the tenant spellings the service
//! accepts, and what HTTPS and `SimInfo` give a client.

use std::collections::{BTreeMap, BTreeSet};

use mailfix_sim::scenario::MemberSpec;
use serde_json::Value;

use crate::login_support::{GRAPH_SCOPE, Sim, assert_aadsts, reference_dir, scenario};

const RECORDED_TENANT: &str = "12345678-1234-1234-1234-123456789012";
const RECORDED_HOST: &str = "https://login.microsoftonline.com";

fn recorded(index: usize) -> Value {
    let path = reference_dir().join("recorded/entra-recorded-client-credentials.json");
    let fixture: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    fixture["interactions"][index]["response"].clone()
}

/// The recorded headers a simulator response must repeat (values that identify a server or a
/// moment, like dates, request ids, cookies and lengths, are left out).
fn assert_recorded_headers(recorded: &Value, got: &reqwest::header::HeaderMap) {
    let stable = [
        "cache-control",
        "pragma",
        "expires",
        "content-type",
        "strict-transport-security",
        "x-content-type-options",
        "access-control-allow-origin",
        "access-control-allow-methods",
        "p3p",
        "x-xss-protection",
    ];
    for pair in recorded["headers"].as_array().unwrap() {
        let name = pair[0].as_str().unwrap().to_ascii_lowercase();
        if stable.contains(&name.as_str()) {
            assert_eq!(
                got[name.as_str()],
                pair[1].as_str().unwrap(),
                "header {name}"
            );
        }
    }
    assert!(got.contains_key("x-ms-request-id"));
}

/// Each recorded value with the recorded host and tenant replaced by this simulator's.
fn localise(value: &Value, base: &str, tenant: &str) -> Value {
    let host = base.trim_start_matches("https://");
    match value {
        Value::String(s) => Value::String(
            s.replace(RECORDED_HOST, base)
                .replace("https://graph.microsoft.com", base)
                .replace(RECORDED_TENANT, tenant)
                .replace("graph.microsoft.com", host),
        ),
        other => other.clone(),
    }
}

#[tokio::test]
async fn openid_configuration_matches_the_recording_key_by_key() {
    let sim = Sim::start().await;
    let tenant = sim.sim.info.tenant_id.clone();
    let path = format!("/{tenant}/v2.0/.well-known/openid-configuration");
    let (status, headers, doc) = sim.get_json(&path).await;
    assert_eq!(status, 200);
    let recorded = recorded(1);
    assert_recorded_headers(&recorded, &headers);
    let want = recorded["body"].as_object().unwrap();
    let got = doc.as_object().unwrap();
    assert_eq!(
        got.keys().collect::<BTreeSet<_>>(),
        want.keys().collect::<BTreeSet<_>>()
    );
    for (key, value) in want {
        assert_eq!(
            got[key],
            localise(value, &sim.sim.base_url, &tenant),
            "{key}"
        );
    }
}

#[tokio::test]
async fn discovery_by_domain_common_and_unknown_tenant() {
    let sim = Sim::start().await;
    let info = &sim.sim.info;
    let doc = |t: &str| format!("/{t}/v2.0/.well-known/openid-configuration");
    let (_, _, by_domain) = sim.get_json(&doc(&info.tenant_domain)).await;
    let token_endpoint = sim.url(&format!("/{}/oauth2/v2.0/token", info.tenant_id));
    assert_eq!(by_domain["token_endpoint"], token_endpoint.as_str());
    let (status, _, common) = sim.get_json(&doc("common")).await;
    assert_eq!(status, 200);
    assert_eq!(
        common["token_endpoint"],
        sim.url("/common/oauth2/v2.0/token").as_str()
    );
    assert_eq!(common["issuer"], sim.url("/{tenantid}/v2.0").as_str());
    let (status, _, unknown) = sim.get_json(&doc("nosuch.onmicrosoft.com")).await;
    assert_aadsts(status, &unknown, 400, "invalid_tenant", 90002);
}

#[tokio::test]
async fn instance_discovery_matches_the_recording_and_names_this_host() {
    let sim = Sim::start().await;
    let tenant = &sim.sim.info.tenant_id;
    let authorize = sim.url(&format!("/{tenant}/oauth2/v2.0/authorize"));
    let path =
        format!("/common/discovery/instance?api-version=1.1&authorization_endpoint={authorize}");
    let (status, headers, doc) = sim.get_json(&path).await;
    assert_eq!(status, 200);
    let recorded = recorded(0);
    assert_recorded_headers(&recorded, &headers);
    let keys = |v: &Value| {
        v.as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect::<BTreeSet<_>>()
    };
    assert_eq!(keys(&doc), keys(&recorded["body"]));
    assert_eq!(
        keys(&doc["metadata"][0]),
        keys(&recorded["body"]["metadata"][0])
    );
    let expected = sim.url(&format!("/{tenant}/v2.0/.well-known/openid-configuration"));
    assert_eq!(doc["tenant_discovery_endpoint"], expected.as_str());
    let host = sim.sim.base_url.trim_start_matches("https://");
    assert_eq!(doc["metadata"][0]["aliases"], serde_json::json!([host]));

    let foreign = "/common/discovery/instance?authorization_endpoint=https://login.example.com/x/oauth2/v2.0/authorize";
    let (status, _, body) = sim.get_json(foreign).await;
    assert_aadsts(status, &body, 400, "invalid_instance", 50049);
}

#[tokio::test]
async fn token_responses_carry_the_recorded_headers() {
    let sim = Sim::start().await;
    let (status, headers, _) = sim.secret_token(GRAPH_SCOPE).await;
    assert_eq!(status, 200);
    assert_recorded_headers(&recorded(2), &headers);
}

#[tokio::test]
async fn https_serves_localhost_too_and_http_has_no_ca() {
    let sim = Sim::start().await;
    let port = sim.sim.base_url.rsplit(':').next().unwrap();
    let tenant = &sim.sim.info.tenant_id;
    let url = format!("https://localhost:{port}/{tenant}/discovery/v2.0/keys");
    let response = sim.http.get(url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let ca = std::fs::read_to_string(sim.sim.info.ca_file.as_ref().unwrap()).unwrap();
    assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"));

    let plain = mailfix_sim::start(mailfix_sim::SimOptions::for_test(scenario()))
        .await
        .unwrap();
    assert!(plain.base_url.starts_with("http://127.0.0.1:"));
    assert_eq!(plain.info.ca_file, None);
    assert_eq!(plain.info.login_url, plain.base_url);
}

/// Distinct users reachable from `group` in the scenario definition.
fn spec_users(name: &str, seen: &mut BTreeSet<String>, users: &mut BTreeSet<String>) {
    let spec = scenario();
    let group = spec.groups.iter().find(|g| g.display_name == name).unwrap();
    for member in &group.members {
        match member {
            MemberSpec::User(upn) => {
                users.insert(upn.clone());
            }
            MemberSpec::Group(g) if seen.insert(g.clone()) => spec_users(g, seen, users),
            _ => {}
        }
    }
}

#[tokio::test]
async fn sim_info_names_apps_by_role_and_counts_group_users() {
    let sim = Sim::start().await;
    let info = &sim.sim.info;
    assert_eq!(info.client_id, sim.client_id("main"));
    assert_eq!(
        info.cert_client_id.as_deref(),
        Some(sim.client_id("cert").as_str())
    );
    assert_eq!(
        info.limited_client_id.as_deref(),
        Some(sim.client_id("limited").as_str())
    );
    assert_ne!(
        info.client_secret,
        *info.limited_client_secret.as_ref().unwrap()
    );
    for url in [&info.login_url, &info.graph_url, &info.exo_url] {
        assert_eq!(url, &sim.sim.base_url);
    }
    let mut expected = BTreeMap::new();
    for group in scenario().groups {
        let (mut seen, mut users) = (
            BTreeSet::from([group.display_name.clone()]),
            BTreeSet::new(),
        );
        spec_users(&group.display_name, &mut seen, &mut users);
        expected.insert(group.display_name, users.len());
    }
    assert_eq!(info.group_user_counts, expected);
    assert!(expected["All Staff"] > 3, "nested members count");
}
