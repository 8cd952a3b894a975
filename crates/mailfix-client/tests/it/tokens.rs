//! Tokens: one per resource, cached, refreshed before expiry and once on a 401; introspection;
//! secrets and tokens never in logs; 403 hints.

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use mailfix_client::{ErrorKind, Resource, UserRef};
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
        .get_user(&UserRef::parse("u1"), &["id"])
        .await
        .map(drop)
}

#[tokio::test]
async fn a_401_drops_the_token_and_retries_once_with_a_new_one() {
    let server = support::serve(graph_refusing(&[1]).merge(support::token_endpoint(3599))).await;
    let client = support::client(&server.url);
    get_user(&client).await.unwrap();
    assert_eq!(server.log.matching("/token").len(), 2);
    assert_eq!(server.log.matching("/v1.0/users").len(), 2);
    assert_eq!(client.counters().token_refreshes, 1);
    // The new token is kept.
    get_user(&client).await.unwrap();
    assert_eq!(server.log.matching("/token").len(), 2);
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
async fn one_cached_token_per_resource_with_its_own_scope() {
    let exo = Router::new().route(
        "/adminapi/beta/{tenant}/InvokeCommand",
        post(|| async { reply(200, &[], json!({"value": [{"DomainName": "contoso.com"}]})) }),
    );
    let server = support::serve(
        graph_refusing(&[])
            .merge(exo)
            .merge(support::token_endpoint(3599)),
    )
    .await;
    let client = support::client(&server.url);
    for _ in 0..3 {
        get_user(&client).await.unwrap();
        client.exo().accepted_domains().await.unwrap();
    }
    let tokens = server.log.matching("/token");
    let scopes: Vec<String> = tokens
        .iter()
        .filter_map(|h| h.form_value("scope"))
        .collect();
    assert_eq!(
        scopes,
        [
            "https://graph.microsoft.com/.default",
            "https://outlook.office365.com/.default"
        ]
    );
    for h in &tokens {
        assert_eq!(
            h.form_value("grant_type").as_deref(),
            Some("client_credentials")
        );
        assert_eq!(h.form_value("client_id").as_deref(), Some("app-1"));
        assert_eq!(
            h.form_value("client_secret").as_deref(),
            Some("the-client-secret")
        );
    }
    let exo_aud =
        claims_of(&bearer(&server.log.matching("/InvokeCommand")[0].headers))["aud"].clone();
    assert_eq!(exo_aud, "https://outlook.office365.com");
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

#[tokio::test]
async fn token_claims_are_decoded_per_resource() {
    let server = support::serve(support::token_endpoint(3599)).await;
    let client = support::client(&server.url);
    let graph = client.token_claims(Resource::Graph).await.unwrap();
    assert_eq!(graph.aud, "https://graph.microsoft.com");
    assert_eq!(graph.roles, ["User.Read.All", "GroupMember.Read.All"]);
    assert_eq!(graph.tid.as_deref(), Some("tenant-1"));
    let exo = client.token_claims(Resource::Exchange).await.unwrap();
    assert_eq!(exo.aud, "https://outlook.office365.com");
}

#[tokio::test]
async fn a_403_names_the_missing_permission() {
    let denied = Router::new()
        .route(
            "/v1.0/groups/{id}/transitiveMembers",
            get(|| async {
                let body = json!({"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges to complete the operation."}});
                reply(403, &[("request-id", "rid-403")], body)
            }),
        )
        .route(
            "/adminapi/beta/{tenant}/InvokeCommand",
            post(|| async { reply(403, &[], json!({"error": {"code": "Forbidden", "message": "Access denied"}})) }),
        );
    let server = support::serve(denied.merge(support::token_endpoint(3599))).await;
    let client = support::client(&server.url);
    use futures::TryStreamExt as _;
    let err = client
        .graph()
        .members(
            &"g1".into(),
            mailfix_client::Membership::Transitive,
            &Default::default(),
        )
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(err.is_forbidden());
    assert_eq!(err.request_id(), Some("rid-403"));
    assert!(
        err.hint().unwrap().contains("GroupMember.Read.All"),
        "{:?}",
        err.hint()
    );
    let err = client
        .exo()
        .get_mailbox("u1@contoso.com")
        .await
        .unwrap_err();
    assert!(err.is_forbidden());
    let hint = err.hint().unwrap();
    assert!(
        hint.contains("Exchange.ManageAsApp") && hint.contains("Exchange Administrator"),
        "{hint}"
    );
}

#[tokio::test]
async fn logs_show_requests_but_never_secrets_or_tokens() {
    let server = support::serve(graph_refusing(&[1]).merge(support::token_endpoint(3599))).await;
    let client = support::client(&server.url);
    get_user(&client).await.unwrap();
    let token = bearer(&server.log.matching("/v1.0/users")[1].headers);
    // The capture holds the logs of every test in this binary, all of which use this secret.
    let logs = support::logs();
    let ours: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains(&server.url[7..]) || l.contains("path=/v1.0/users/u1"))
        .collect();
    assert!(
        logs.contains("status=401") && logs.contains("status=200"),
        "{logs}"
    );
    assert!(
        !ours.is_empty() || logs.contains("path=/v1.0/users/u1"),
        "{logs}"
    );
    assert!(!logs.contains("the-client-secret"));
    assert!(!logs.contains(&token));
    assert!(!format!("{client:?}").contains("the-client-secret"));
}
