//! Paging streams: next links followed verbatim, `ConsistencyLevel` resent on every page, empty
//! pages with a next link, links to other hosts refused, and ceil(N/999) requests for N members.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Path, Query as Params};
use axum::http::HeaderMap;
use axum::routing::get;
use futures::TryStreamExt as _;
use mailfix_client::models::DirectoryObject;
use mailfix_client::{Filter, GroupId, Membership, Query, Service};
use serde_json::{Value, json};

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
async fn every_page_is_read_including_after_an_empty_one() {
    let server = support::serve(three_pages().merge(support::token_endpoint(3599))).await;
    let client = support::client(&server.url);
    let query = Query::new()
        .select(["id", "mail"])
        .filter(Filter::is_null("mail"))
        .advanced();
    let users: Vec<_> = client
        .graph()
        .list_users(&query)
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<&str> = users.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(ids, ["a", "b", "c"]);
    let hits = server.log.matching("/v1.0/users");
    assert_eq!(hits.len(), 3);
    assert_eq!(
        hits[0].query,
        "$select=id,mail&$filter=mail%20eq%20null&$top=999&$count=true"
    );
    assert_eq!(
        hits[1].query, "$top=2&$skiptoken=p2",
        "next link followed verbatim"
    );
    assert_eq!(hits[2].query, "$top=2&$skiptoken=p3");
    for h in &hits {
        assert_eq!(
            h.header("consistencylevel"),
            Some("eventual"),
            "{}",
            h.query
        );
    }
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

/// `transitiveMembers` of a group of `n` members honouring `$top` (every 10th a group, every
/// 25th a device, the rest users).
fn members(n: usize) -> Router {
    Router::new().route(
        "/v1.0/groups/{id}/transitiveMembers",
        get(move |Path(id): Path<String>, headers: HeaderMap, Params(q): Params<HashMap<String, String>>| async move {
            let top: usize = q.get("$top").and_then(|t| t.parse().ok()).unwrap_or(100).min(999);
            let start: usize = q.get("$skiptoken").and_then(|t| t.parse().ok()).unwrap_or(0);
            let end = (start + top).min(n);
            let value: Vec<Value> = (start..end)
                .map(|i| {
                    let kind = if i % 10 == 0 { "group" } else if i % 25 == 0 { "device" } else { "user" };
                    json!({"@odata.type": format!("#microsoft.graph.{kind}"), "id": format!("m{i}")})
                })
                .collect();
            let mut page = json!({"value": value});
            if end < n {
                page["@odata.nextLink"] = json!(format!(
                    "{}/v1.0/groups/{id}/transitiveMembers?$top={top}&$skiptoken={end}",
                    host(&headers)
                ));
            }
            reply(200, &[], page)
        }),
    )
}

#[tokio::test]
async fn listing_n_transitive_members_takes_ceil_n_over_999_requests() {
    for n in [0usize, 1, 999, 1000, 2500] {
        let server = support::serve(members(n).merge(support::token_endpoint(3599))).await;
        let client = support::client(&server.url);
        let objects: Vec<DirectoryObject> = client
            .graph()
            .members(
                &GroupId::from("g1"),
                Membership::Transitive,
                &Query::new().select(["id"]),
            )
            .try_collect()
            .await
            .unwrap();
        assert_eq!(objects.len(), n);
        let expected = n.div_ceil(999).max(1) as u64;
        let sent = client
            .counters()
            .requests_for(Service::Graph, "groups.transitiveMembers");
        assert_eq!(sent, expected, "n = {n}");
        assert_eq!(
            server.log.matching("/transitiveMembers").len() as u64,
            expected
        );
        let groups = objects.iter().filter(|o| o.kind() == "group").count();
        let devices = objects.iter().filter(|o| o.kind() == "device").count();
        assert_eq!(groups, (0..n).filter(|i| i % 10 == 0).count());
        assert_eq!(
            devices,
            (0..n).filter(|i| i % 10 != 0 && i % 25 == 0).count()
        );
    }
}
