//! `$batch` with items throttled for different times, which the simulator (one `Retry-After` for
//! all injected faults) cannot produce: only the throttled items are sent again, after the
//! longest `Retry-After`.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::routing::post;
use mailfix_client::UserId;
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::support::{self, reply};

/// A `$batch` endpoint answering in reverse order: an id in `throttle` → 429 with `Retry-After`
/// from the table the first time it is seen; others → the user.
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
                    let answer = if let (Some((_, after)), true) = (throttle, first_time) {
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
