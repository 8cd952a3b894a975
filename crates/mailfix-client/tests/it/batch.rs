//! `$batch`: 20 items per batch, answers matched by id in any order, only throttled items sent
//! again (after the longest Retry-After), per-item errors typed.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::routing::post;
use mailfix_client::{ErrorKind, UserId};
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::support::{self, reply};

/// A `$batch` endpoint answering in reverse order: `/users/missing*` → 404; an id in `throttle`
/// → 429 with `Retry-After` from the table the first time it is seen; others → the user.
fn batch_server(
    throttle: &'static [(&'static str, &'static str)],
) -> (Router, Arc<Mutex<Vec<Instant>>>) {
    let seen = Arc::new(Mutex::new(HashSet::<String>::new()));
    let throttled_at = Arc::new(Mutex::new(Vec::new()));
    let t = throttled_at.clone();
    let router = Router::new().route(
        "/v1.0/$batch",
        post(move |Json(body): Json<Value>| {
            let seen = seen.clone();
            let throttled_at = t.clone();
            async move {
                let mut responses = Vec::new();
                let mut throttled_any = false;
                for item in body["requests"].as_array().unwrap() {
                    let url = item["url"].as_str().unwrap();
                    let user = url.trim_start_matches("/users/").split('?').next().unwrap().to_owned();
                    let first_time = seen.lock().unwrap().insert(user.clone());
                    let throttle = throttle.iter().find(|(u, _)| *u == user);
                    let answer = if user.starts_with("missing") {
                        json!({"id": item["id"], "status": 404, "body": {"error": {"code": "Request_ResourceNotFound", "message": format!("Resource '{user}' does not exist")}}})
                    } else if let (Some((_, after)), true) = (throttle, first_time) {
                        throttled_any = true;
                        json!({"id": item["id"], "status": 429, "headers": {"Retry-After": after}, "body": {"error": {"code": "TooManyRequests", "message": "Too many"}}})
                    } else {
                        json!({"id": item["id"], "status": 200, "body": {"id": user, "mail": format!("{user}@contoso.com")}})
                    };
                    responses.push(answer);
                }
                responses.reverse();
                if throttled_any {
                    throttled_at.lock().unwrap().push(Instant::now());
                }
                reply(200, &[], json!({"responses": responses}))
            }
        }),
    );
    (router, throttled_at)
}

fn ids(n: usize) -> Vec<UserId> {
    (0..n).map(|i| UserId(format!("u{i}"))).collect()
}

#[tokio::test]
async fn batches_hold_at_most_twenty_and_answers_match_their_ids() {
    let (router, _) = batch_server(&[]);
    let server = support::serve(router.merge(support::token_endpoint(3599))).await;
    let client = support::client(&server.url);
    let mut wanted = ids(45);
    wanted[7] = UserId("missing-7".into());
    let results = client
        .graph()
        .get_users(&wanted, &["id", "mail"])
        .await
        .unwrap();
    assert_eq!(results.len(), 45);
    for (id, result) in &results {
        if id.as_str() == "missing-7" {
            assert_eq!(result.as_ref().unwrap_err().kind(), &ErrorKind::NotFound);
        } else {
            assert_eq!(
                result.as_ref().unwrap().id,
                id.as_str(),
                "answer filed under the wrong id"
            );
        }
    }
    let sizes: Vec<usize> = server
        .log
        .matching("/$batch")
        .iter()
        .map(|h| h.json()["requests"].as_array().unwrap().len())
        .collect();
    let mut sorted = sizes.clone();
    sorted.sort();
    assert_eq!(sorted, [5, 20, 20]);
    let first = &server.log.matching("/$batch")[0].json()["requests"][0];
    assert!(first["url"].as_str().unwrap().ends_with("?$select=id,mail"));
    assert_eq!(client.counters().batch_items, 45);
}

#[tokio::test]
async fn only_throttled_items_are_resent_after_the_longest_retry_after() {
    let (router, throttled_at) = batch_server(&[("u3", "0.1"), ("u11", "0.3")]);
    let server = support::serve(router.merge(support::token_endpoint(3599))).await;
    let client = support::client(&server.url);
    let results = client.graph().get_users(&ids(20), &["id"]).await.unwrap();
    assert!(results.iter().all(|(_, r)| r.is_ok()));
    let hits = server.log.matching("/$batch");
    assert_eq!(hits.len(), 2);
    let resent: Vec<String> = hits[1].json()["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["url"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(resent, ["/users/u3?$select=id", "/users/u11?$select=id"]);
    assert!(hits[1].at >= throttled_at.lock().unwrap()[0] + Duration::from_millis(300));
    let c = client.counters();
    assert_eq!((c.throttled, c.retries, c.batch_items), (2, 1, 22));
}

#[tokio::test]
async fn items_still_throttled_after_the_bound_are_throttled_errors() {
    let always = Router::new().route(
        "/v1.0/$batch",
        post(|Json(body): Json<Value>| async move {
            let responses: Vec<Value> = body["requests"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| json!({"id": r["id"], "status": 429, "headers": {"retry-after": "0.01"}, "body": {}}))
                .collect();
            reply(200, &[], json!({"responses": responses}))
        }),
    );
    let server = support::serve(always.merge(support::token_endpoint(3599))).await;
    let client = support::client(&server.url);
    let results = client.graph().get_users(&ids(2), &["id"]).await.unwrap();
    for (_, r) in results {
        assert!(r.unwrap_err().is_throttled());
    }
    assert_eq!(
        server.log.matching("/$batch").len(),
        6,
        "bounded by max_attempts"
    );
}
