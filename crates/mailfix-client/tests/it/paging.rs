//! Paging where the simulator cannot show it: no `ConsistencyLevel` header on a plain query (the
//! simulator logs no headers), and the next links it never sends (to another host, or the same
//! link again), which end the stream with an error.

use std::collections::HashMap;

use axum::Router;
use axum::extract::Query as Params;
use axum::http::HeaderMap;
use axum::routing::get;
use futures::TryStreamExt as _;
use mailfix_client::Query;
use serde_json::json;

use crate::support::{self, host, reply};

/// `/v1.0/users`: page 1 has two users, page 2 none (but a next link), page 3 one user.
fn three_pages() -> Router {
    Router::new().route(
        "/v1.0/users",
        get(|headers: HeaderMap, Params(q): Params<HashMap<String, String>>| async move {
            let base = format!("{}/v1.0/users?$top=2&$skiptoken=", host(&headers));
            let page = match q.get("$skiptoken").map(String::as_str) {
                None => json!({"@odata.count": 3, "value": [{"id": "a"}, {"id": "b"}], "@odata.nextLink": format!("{base}p2")}),
                Some("p2") => json!({"value": [], "@odata.nextLink": format!("{base}p3")}),
                Some(_) => json!({"value": [{"id": "c"}]}),
            };
            reply(200, &[], page)
        }),
    )
}

#[tokio::test]
async fn a_plain_query_sends_no_consistency_header() {
    let server = support::serve(three_pages().merge(support::token_endpoint(3599))).await;
    let client = support::client(&server.url);
    let users: Vec<_> = client
        .graph()
        .list_users(&Query::new().top(2))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(users.len(), 3);
    assert!(
        server
            .log
            .matching("/v1.0/users")
            .iter()
            .all(|h| h.header("consistencylevel").is_none())
    );
}

#[tokio::test]
async fn a_next_link_to_another_host_is_refused_and_gets_no_token() {
    let other = support::serve(Router::new()).await;
    let link = format!("{}/v1.0/users?$skiptoken=x", other.url);
    let router = Router::new().route(
        "/v1.0/users",
        get(move || {
            let link = link.clone();
            async move {
                reply(
                    200,
                    &[],
                    json!({"value": [{"id": "a"}], "@odata.nextLink": link}),
                )
            }
        }),
    );
    let server = support::serve(router.merge(support::token_endpoint(3599))).await;
    let client = support::client(&server.url);
    let result: Result<Vec<_>, _> = client.graph().list_users(&Query::new()).try_collect().await;
    let err = result.unwrap_err();
    assert!(err.message().contains("another host"), "{err}");
    assert!(other.log.hits().is_empty());
}

#[tokio::test]
async fn a_repeated_next_link_ends_the_stream_with_an_error() {
    let router = Router::new().route(
        "/v1.0/users",
        get(|headers: HeaderMap| async move {
            let link = format!("{}/v1.0/users?$skiptoken=same", host(&headers));
            reply(200, &[], json!({"value": [], "@odata.nextLink": link}))
        }),
    );
    let server = support::serve(router.merge(support::token_endpoint(3599))).await;
    let client = support::client(&server.url);
    let result: Result<Vec<_>, _> = client.graph().list_users(&Query::new()).try_collect().await;
    assert!(result.unwrap_err().message().contains("same next link"));
    assert_eq!(server.log.matching("/v1.0/users").len(), 2);
}
