//! Malformed answers (an HTML gateway page, text that is not JSON, a truncated body, a 500
//! without a body) on each service and on `$batch` items, and the request bodies the log keeps.

use mailfix_sim::identity::Audience;
use mailfix_sim::scenario::small;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Sim, set_faults, sim};

async fn fail_always(sim: &Sim, service: &str, kind: &str) {
    let config = json!({"rules": [{"service": service, "rate": 1.0, "kinds": [kind]}]});
    set_faults(sim, config).await;
}

fn content_type(answer: &crate::support::Answer) -> &str {
    answer
        .headers
        .get("content-type")
        .map_or("", |v| v.to_str().unwrap())
}

#[tokio::test]
async fn malformed_answers_come_as_a_gateway_or_a_filter_would_send_them() {
    let sim = sim(small(4)).await;
    let token = sim.token("main", Audience::Graph);

    fail_always(&sim, "graph", "html").await;
    let html = sim.graph_get(&token, "/v1.0/users").await;
    assert_eq!(html.status, StatusCode::BAD_GATEWAY);
    assert!(content_type(&html).starts_with("text/html"));
    assert!(
        html.text.contains("<title>502 Bad Gateway</title>"),
        "{}",
        html.text
    );

    fail_always(&sim, "exo", "not-json").await;
    let text = sim.invoke("Get-AcceptedDomain", json!({})).await;
    assert_eq!(text.status, StatusCode::OK);
    assert!(content_type(&text).starts_with("text/plain"));
    assert!(
        serde_json::from_str::<Value>(&text.text).is_err(),
        "{}",
        text.text
    );

    fail_always(&sim, "graph", "empty").await;
    let empty = sim.graph_get(&token, "/v1.0/users").await;
    assert_eq!(empty.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!((empty.text.as_str(), content_type(&empty)), ("", ""));

    fail_always(&sim, "graph", "truncated").await;
    let cut = sim.graph_get(&token, "/v1.0/users?$select=id").await;
    set_faults(&sim, json!({"rules": []})).await;
    let whole = sim.graph_get(&token, "/v1.0/users?$select=id").await;
    assert_eq!(cut.status, StatusCode::OK, "the route's own status");
    assert_eq!(cut.text.len(), whole.text.len() / 2);
    assert!(whole.text.starts_with(&cut.text));
    assert!(serde_json::from_str::<Value>(&cut.text).is_err());

    let faults: Vec<Value> = sim
        .requests()
        .await
        .iter()
        .map(|e| e["fault"].clone())
        .filter(|f| !f.is_null())
        .collect();
    assert_eq!(faults, ["html", "not-json", "empty", "truncated"]);
}

#[tokio::test]
async fn the_token_endpoint_can_answer_text_that_is_not_json() {
    let sim = sim(small(4)).await;
    fail_always(&sim, "login", "not-json").await;
    let answer = sim.request_token().await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(!answer.text.contains("access_token"), "{}", answer.text);
}

#[tokio::test]
async fn batch_items_get_malformed_answers_as_their_body() {
    let sim = sim(small(4)).await;
    fail_always(&sim, "graph", "html").await;
    let token = sim.token("main", Audience::Graph);
    let body = json!({"requests": [{"id": "1", "method": "GET", "url": "/users?$top=1"}]});
    let response = sim
        .http
        .post(sim.url("/v1.0/$batch"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let answer = Sim::answer(response).await;
    assert_eq!(
        answer.status,
        StatusCode::OK,
        "the batch itself is not faulted"
    );
    let item = &answer.body["responses"][0];
    assert_eq!(item["status"], 502);
    assert!(
        item["body"].as_str().unwrap().contains("Bad Gateway"),
        "{item}"
    );
}

#[tokio::test]
async fn the_log_keeps_what_writes_asked_for_and_never_a_sign_in_body() {
    let sim = sim(small(4)).await;
    let upn = sim.labelled("empty-mail")[0].clone();
    let address = format!("smtp:probe.x@{}", sim.domain());
    let added = sim.change(&upn, "Add", &address).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.text);
    let _ = sim
        .graph_get(&sim.token("main", Audience::Graph), "/v1.0/users")
        .await;

    let log = sim.requests().await;
    let set = log
        .iter()
        .find(|e| e["operation"] == "Set-Mailbox")
        .unwrap();
    let body: Value = serde_json::from_str(set["body"].as_str().unwrap()).unwrap();
    let params = &body["CmdletInput"]["Parameters"];
    assert_eq!(params["EmailAddresses"]["Add"], address);
    let get = log.iter().find(|e| e["service"] == "graph").unwrap();
    assert!(get.get("body").is_none(), "reads keep no body: {get}");

    sim.request_token().await;
    let log = sim.requests().await;
    let token = log.iter().rev().find(|e| e["service"] == "login").unwrap();
    assert!(token.get("body").is_none(), "{token}");
    assert!(
        !serde_json::to_string(&log)
            .unwrap()
            .contains(&sim.sim.info.client_secret)
    );
}
