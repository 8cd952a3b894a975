//! Injected faults: rates by service and path, the kinds, resets, latency, and that an injected 429
//! is enforced like a real one.

use std::time::Instant;

use mailfix_sim::SimOptions;
use mailfix_sim::identity::Audience;
use mailfix_sim::scenario::small;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{set_faults, sim, sim_with};

#[tokio::test]
async fn faults_hit_their_service_at_their_rate() {
    let sim = sim(small(4)).await;
    set_faults(
        &sim,
        json!({"rules": [{"service": "exo", "rate": 0.3, "kinds": [500, 503]}]}),
    )
    .await;
    let mut failed = 0;
    for _ in 0..200 {
        let answer = sim.invoke("Get-AcceptedDomain", json!({})).await;
        match answer.status.as_u16() {
            200 => {}
            500 | 503 => {
                failed += 1;
                assert_eq!(answer.body["error"]["message"], "Error executing cmdlet");
            }
            other => panic!("unexpected status {other}"),
        }
    }
    assert!((40..=80).contains(&failed), "about 30% of 200: {failed}");
    let log = sim.requests().await;
    let logged = log.iter().filter(|e| e["fault"].is_string()).count();
    assert_eq!(logged, failed);

    let token = sim.token("main", Audience::Graph);
    for _ in 0..20 {
        let response = sim.graph_get(&token, "/v1.0/groups").await;
        assert!(
            response.status.as_u16() < 500,
            "graph is not covered by an exo rule"
        );
    }
}

#[tokio::test]
async fn path_prefixes_select_the_routes() {
    let sim = sim(small(4)).await;
    set_faults(&sim, json!({"rules": [{"service": "graph", "path_prefix": "/v1.0/users", "rate": 1.0, "kinds": [504]}]})).await;
    let token = sim.token("main", Audience::Graph);
    let users = sim.graph_get(&token, "/v1.0/users").await;
    assert_eq!(users.status, StatusCode::GATEWAY_TIMEOUT);
    let body = users.body;
    assert!(
        body["error"]["innerError"]["request-id"].is_string(),
        "a Graph-shaped error"
    );
    let groups = sim.graph_get(&token, "/v1.0/groups").await;
    assert_ne!(groups.status, StatusCode::GATEWAY_TIMEOUT);
}

#[tokio::test]
async fn a_reset_drops_the_connection_mid_response() {
    let sim = sim(small(4)).await;
    set_faults(
        &sim,
        json!({"rules": [{"service": "exo", "rate": 1.0, "kinds": ["reset"]}]}),
    )
    .await;
    let token = sim.token("main", Audience::Exchange);
    let url = sim.url(&format!("/adminapi/beta/{}/InvokeCommand", sim.domain()));
    let result = async {
        let response = sim
            .http
            .post(&url)
            .bearer_auth(&token)
            .json(&json!({"CmdletInput": {"CmdletName": "Get-AcceptedDomain"}}))
            .send()
            .await?;
        response.bytes().await
    }
    .await;
    assert!(result.is_err(), "the body must break off: {result:?}");
    let log = sim.requests().await;
    assert_eq!(log.last().unwrap()["fault"], "reset");
}

#[tokio::test]
async fn an_injected_429_carries_retry_after_and_is_enforced() {
    let sim = sim(small(4)).await;
    set_faults(&sim, json!({"rules": [{"service": "graph", "path_prefix": "/v1.0/users", "rate": 1.0, "kinds": [429]}], "retry_after_s": 3.0})).await;
    let token = sim.token("main", Audience::Graph);
    let first = sim.graph_get(&token, "/v1.0/users").await;
    assert_eq!(first.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(first.headers["Retry-After"], "3");
    set_faults(&sim, json!({"rules": []})).await;
    let early = sim.graph_get(&token, "/v1.0/groups").await;
    assert_eq!(
        early.status,
        StatusCode::TOO_MANY_REQUESTS,
        "same bucket, too early"
    );
    sim.advance(3.0).await;
    let later = sim.graph_get(&token, "/v1.0/groups").await;
    assert_ne!(later.status, StatusCode::TOO_MANY_REQUESTS);
    let log = sim.requests().await;
    let graph: Vec<_> = log.iter().filter(|e| e["service"] == "graph").collect();
    assert_eq!(
        (graph[0]["fault"].as_str(), graph[0]["early"].as_bool()),
        (Some("429"), Some(false))
    );
    assert_eq!(graph[1]["early"], true);
}

#[tokio::test]
async fn the_fault_rate_option_covers_graph_and_exchange() {
    let mut options = SimOptions::for_test(small(4));
    options.fault_rate = Some(1.0);
    options.graph_latency_ms = Some(150);
    let sim = sim_with(options).await;
    let faults = sim.control(Method::GET, "/_sim/faults", None).await;
    assert_eq!(faults.body["rules"].as_array().unwrap().len(), 2);
    assert_eq!(
        faults.body["rules"][0]["kinds"],
        json!([429, 503, 504, "reset"])
    );
    assert_eq!(faults.body["graph_latency_ms"], 150);
    let token = sim.token("main", Audience::Graph);
    let started = Instant::now();
    let result = sim
        .http
        .get(sim.url("/v1.0/users"))
        .bearer_auth(&token)
        .send()
        .await;
    assert!(started.elapsed().as_millis() >= 150, "latency is added");
    if let Ok(response) = result {
        let status = response.status().as_u16();
        assert!([429, 503, 504, 200].contains(&status), "{status}");
    }
}

#[tokio::test]
async fn sign_in_faults_answer_the_identity_platforms_error() {
    let sim = sim(small(4)).await;
    set_faults(
        &sim,
        json!({"rules": [{"service": "login", "rate": 1.0, "kinds": [503]}], "retry_after_s": 2.0}),
    )
    .await;
    let answer = sim.request_token().await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(answer.headers["Retry-After"], "2");
    assert_eq!(answer.body["error"], "temporarily_unavailable");
    assert_eq!(answer.body["error_codes"], json!([90033]));
    let log = sim.requests().await;
    let login: Vec<_> = log.iter().filter(|e| e["service"] == "login").collect();
    assert_eq!(login.len(), 1);
    assert_eq!(login[0]["fault"], "503");
}
