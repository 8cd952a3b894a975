//! Tokens where the simulator cannot show it: a fresh token refused too (the simulator accepts
//! every token it just issued), and `expires_in: 0` (it never answers less than one second).

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::get;
use mailfix_client::{ErrorKind, UserKey};
use serde_json::json;

use crate::support::{self, bearer, claims_of, reply};

/// Graph answers 401 to tokens numbered in `refuse`, 200 otherwise.
fn graph_refusing(refuse: &'static [u64]) -> Router {
    let handler = move |headers: HeaderMap| async move {
        let n = claims_of(&bearer(&headers))["n"].as_u64().unwrap_or(0);
        if refuse.contains(&n) {
            let body = json!({"error": {"code": "InvalidAuthenticationToken", "message": "Access token has expired or is not yet valid."}});
            return reply(401, &[], body);
        }
        reply(200, &[], json!({"id": "u1"}))
    };
    Router::new().route("/v1.0/users/{id}", get(handler))
}

async fn get_user(client: &mailfix_client::Client) -> Result<(), mailfix_client::Error> {
    client
        .graph()
        .get_user(&UserKey::parse("u1"), &["id"])
        .await
        .map(drop)
}

#[tokio::test]
async fn a_second_401_is_an_unauthorized_error_not_a_loop() {
    let server =
        support::serve(graph_refusing(&[1, 2, 3, 4]).merge(support::token_endpoint(3599))).await;
    let client = support::client(&server.url);
    let err = get_user(&client).await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Unauthorized);
    assert_eq!(err.code(), Some("InvalidAuthenticationToken"));
    assert_eq!(server.log.matching("/v1.0/users").len(), 2);
    assert_eq!(server.log.matching("/token").len(), 2);
}

#[tokio::test]
async fn an_expired_token_is_replaced_before_use() {
    // expires_in 0: stale at once, so every request needs a new token.
    let server = support::serve(graph_refusing(&[]).merge(support::token_endpoint(0))).await;
    let client = support::client(&server.url);
    for _ in 0..3 {
        get_user(&client).await.unwrap();
    }
    assert_eq!(server.log.matching("/token").len(), 3);
    assert_eq!(client.counters().token_refreshes, 0, "no 401 was needed");
}
