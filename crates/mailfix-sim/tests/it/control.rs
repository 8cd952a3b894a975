//! The control plane: state summary, request log, reset, clock and behaviour.

use mailfix_sim::identity::Audience;
use mailfix_sim::scenario::small;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::sim;

#[tokio::test]
async fn the_log_records_service_app_operation_and_status() {
    let sim = sim(small(6)).await;
    let upn = sim.labelled("healthy")[0].clone();
    sim.invoke("Get-Mailbox", json!({"Identity": upn})).await;
    sim.change(&upn, "Add", "smtp:log1@contoso.com").await;
    let token = sim.token("limited", Audience::Graph);
    sim.http
        .get(sim.url("/v1.0/users?$top=5"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    sim.http
        .post(sim.url("/common/oauth2/v2.0/token"))
        .form(&[("client_id", "abc"), ("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    sim.http.get(sim.url("/nowhere")).send().await.unwrap();

    let log = sim.requests().await;
    let main = sim.client_id("main");
    let exo: Vec<_> = log.iter().filter(|e| e["service"] == "exo").collect();
    assert_eq!(exo[0]["operation"], "Get-Mailbox");
    assert_eq!(
        (exo[0]["write"].as_bool(), exo[1]["write"].as_bool()),
        (Some(false), Some(true))
    );
    assert_eq!(exo[1]["operation"], "Set-Mailbox");
    assert_eq!(exo[1]["app"], main.as_str());
    assert_eq!(exo[1]["status"], 200);
    let graph = log.iter().find(|e| e["service"] == "graph").unwrap();
    assert_eq!(graph["app"], sim.client_id("limited").as_str());
    assert_eq!(graph["query"], "$top=5");
    let login: Vec<_> = log.iter().filter(|e| e["service"] == "login").collect();
    assert_eq!(login[0]["app"], "abc");
    assert_eq!(login[1]["path"], "/nowhere");
    let seqs: Vec<u64> = log.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>());

    let after = sim
        .control(Method::GET, "/_sim/requests?after=3", None)
        .await;
    assert_eq!(after.body[0]["seq"], 4);
    assert_eq!(
        sim.control(Method::DELETE, "/_sim/requests", None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let cleared = sim.requests().await;
    assert_eq!(cleared.len(), 1, "only the GET that read it");
}

#[tokio::test]
async fn reset_rebuilds_the_tenant_and_state_counts_it() {
    let sim = sim(small(6)).await;
    let state = sim.control(Method::GET, "/_sim/state", None).await;
    assert_eq!(state.body["users"], 300);
    assert_eq!(state.body["scenario"], "small");
    assert_eq!(state.body["stuck_users"], 4);
    assert_eq!(state.body["pending_writebacks"], 0);
    let empty_before = state.body["empty_mail_users"].as_u64().unwrap();

    let upn = sim.labelled("empty-mail")[0].clone();
    assert_eq!(
        sim.change(&upn, "Add", "smtp:reset1@contoso.com")
            .await
            .status,
        StatusCode::OK
    );
    sim.advance(400.0).await;
    let state = sim.control(Method::GET, "/_sim/state", None).await;
    assert_eq!(
        state.body["empty_mail_users"].as_u64().unwrap(),
        empty_before - 1
    );

    let id_before = sim.user(&upn).await["id"].clone();
    let answer = sim.control(Method::POST, "/_sim/reset", None).await;
    assert_eq!(answer.status, StatusCode::OK);
    let user = sim.user(&upn).await;
    assert!(user["mail"].is_null(), "the change is gone");
    assert_eq!(user["id"], id_before, "same seed, same ids");
    let log = sim.requests().await;
    let paths: Vec<&str> = log.iter().map(|e| e["path"].as_str().unwrap()).collect();
    assert_eq!(
        paths,
        ["/_sim/reset", &format!("/_sim/users/{upn}")],
        "the log was cleared"
    );
}

#[tokio::test]
async fn clock_and_behaviour_can_be_changed_and_bad_input_is_refused() {
    let sim = sim(small(6)).await;
    let answer = sim
        .control(
            Method::POST,
            "/_sim/clock/scale",
            Some(json!({"scale": 60.0})),
        )
        .await;
    assert_eq!(answer.body["scale"], 60.0);
    let bad = sim
        .control(Method::POST, "/_sim/clock/scale", Some(json!({"scale": 0})))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let bad = sim
        .control(
            Method::POST,
            "/_sim/clock/advance",
            Some(json!({"seconds": -1})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body["error"].as_str().unwrap().contains("forward"));

    let mut behaviour = sim.control(Method::GET, "/_sim/behaviour", None).await.body;
    behaviour["limits"] = json!({"exo.rate_quota": 1});
    let answer = sim
        .control(Method::POST, "/_sim/behaviour", Some(behaviour.clone()))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(
        sim.invoke("Get-AcceptedDomain", json!({})).await.status,
        StatusCode::OK
    );
    assert_eq!(
        sim.invoke("Get-AcceptedDomain", json!({})).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    behaviour["limits"] = json!({"exo.nope": 1});
    let bad = sim
        .control(Method::POST, "/_sim/behaviour", Some(behaviour))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let bad = sim
        .control(
            Method::POST,
            "/_sim/faults",
            Some(json!({"rules": [{"service": "graph", "rate": 2, "kinds": [500]}]})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[test]
fn coverage_lists_every_limit_key_with_its_default() {
    let coverage = include_str!("../../COVERAGE.md");
    for key in mailfix_sim::throttle::LIMIT_KEYS {
        let row = format!("| `{}` | {} |", key.key, key.default);
        assert!(coverage.contains(&row), "COVERAGE.md lacks the row {row}");
    }
}
