//! Paging against the simulator: a 100k-member run through a token expiry (401, new token, same
//! page again, exact counts), ceil(N/999) requests for N transitive members, and empty pages that
//! still have a next link.

use std::collections::HashSet;

use futures::{StreamExt as _, TryStreamExt as _};
use http::Method;
use mailfix_client::models::{DirectoryObject, User};
use mailfix_client::{Filter, GroupId, Membership, Page, Permission, Query, Resource};
use mailfix_sim::scenario::{all_users, enterprise, scale, small};
use serde_json::json;

use crate::sim_support::{Entry, Sim};

fn all_staff(sim: &Sim) -> GroupId {
    GroupId(sim.info().groups["All Staff"].clone())
}

fn is_transitive_page(e: &Entry) -> bool {
    e.service == "graph" && e.path.contains("/transitiveMembers")
}

#[tokio::test]
async fn a_token_expiring_in_a_100k_member_run_is_replaced_and_every_member_listed() {
    let sim = Sim::start(enterprise(1)).await;
    let expected = sim.info().group_user_counts["All Staff"];
    assert!(expected > 95_000, "{expected}");
    let client = sim.client();
    client.token_claims(Resource::Graph).await.unwrap();
    let mark = sim.last_seq().await;
    let query = Query::new().select(["id", "userPrincipalName"]);
    let mut members = client
        .graph()
        .user_members(&all_staff(&sim), Membership::Transitive, &query);
    let mut ids = HashSet::new();
    while let Some(user) = members.next().await {
        assert!(ids.insert(user.unwrap().id), "a member listed twice");
        if ids.len() == expected / 2 {
            // The cached token is now past its expiry in simulated time.
            sim.post("/_sim/clock/advance", json!({"seconds": 3600}))
                .await;
        }
    }
    assert_eq!(ids.len(), expected);

    let log = sim.requests(mark).await;
    let refused: Vec<usize> = (0..log.len()).filter(|&i| log[i].status == 401).collect();
    assert_eq!(refused.len(), 1, "one 401 in the run");
    let at = refused[0];
    let (expired, token, again) = (&log[at], &log[at + 1], &log[at + 2]);
    assert!(is_transitive_page(expired), "{expired:?}");
    assert!(token.is_token() && token.status == 200, "{token:?}");
    assert_eq!(
        (again.path.as_str(), again.query.as_deref(), again.status),
        (expired.path.as_str(), expired.query.as_deref(), 200),
        "the refused page is sent again"
    );
    let pages = log.iter().filter(|e| is_transitive_page(e)).count();
    assert_eq!(
        pages,
        expected.div_ceil(999) + 1,
        "ceil(N/999) plus the refused one"
    );
    assert_eq!(log.iter().filter(|e| e.is_token()).count(), 1);
}

#[tokio::test]
async fn listing_n_transitive_members_takes_ceil_n_over_999_requests() {
    let scenario = scale(2_500, 1);
    // Every group but All Staff itself is nested in it, and so is the kiosk device.
    let nested = scenario.groups.len() - 1 + scenario.others.len();
    let sim = Sim::start(scenario).await;
    let users = sim.info().group_user_counts["All Staff"];
    let client = sim.client();
    client.token_claims(Resource::Graph).await.unwrap();
    for page_size in [999, 250] {
        let client = sim.client_with(|c| c.limits.graph_page_size = page_size);
        let mark = sim.last_seq().await;
        let members: Vec<DirectoryObject> = client
            .graph()
            .members(
                &all_staff(&sim),
                Membership::Transitive,
                &Query::new().select(["id"]),
            )
            .try_collect()
            .await
            .unwrap();
        let n = members.len();
        assert_eq!(n, users + nested);
        let listed_users = members
            .iter()
            .filter(|m| matches!(m, DirectoryObject::User(_)))
            .count();
        assert_eq!(listed_users, users);
        let log = sim.requests(mark).await;
        let requests = log.iter().filter(|e| is_transitive_page(e)).count();
        assert_eq!(
            requests,
            n.div_ceil(page_size as usize),
            "page size {page_size}"
        );
        assert!(log.iter().all(|e| e.status == 200 || e.is_token()));
    }
}

#[tokio::test]
async fn empty_pages_with_a_next_link_are_followed_to_the_end() {
    let scenario = small(1);
    let disabled = all_users(&scenario).filter(|u| !u.enabled).count();
    let sim = Sim::start(scenario).await;
    sim.set_limits(json!({"graph.page_scan_limit": 25})).await;
    let users = sim.get("/_sim/state").await["users"].as_u64().unwrap() as usize;
    let client = sim.client();
    client.token_claims(Resource::Graph).await.unwrap();
    let mark = sim.last_seq().await;
    let graph = client.graph();
    let query = Query::new()
        .select(["id", "accountEnabled"])
        .filter(Filter::eq_bool("accountEnabled", false))
        .top(999);
    let req = graph
        .request(
            Method::GET,
            &query.apply("/users"),
            "users.list",
            Permission::UserReadAll,
        )
        .unwrap();
    let pages: Vec<Page<User>> = graph.pages(req).try_collect().await.unwrap();
    let empty_with_next = pages
        .iter()
        .filter(|p| p.value.is_empty() && p.next_link.is_some())
        .count();
    assert!(empty_with_next > 0, "the knob made empty pages");
    let listed: Vec<&User> = pages.iter().flat_map(|p| &p.value).collect();
    assert_eq!(listed.len(), disabled);
    assert!(listed.iter().all(|u| u.account_enabled == Some(false)));
    let requests = sim.requests(mark).await;
    assert_eq!(requests.len(), users.div_ceil(25));
    assert!(requests.iter().all(|e| e.status == 200));
}
