//! Change tracking against the simulator: a round "from now" (`$deltatoken=latest`) that sees only
//! later hires, a deltaLink refused after expiry or a reset (`needs_resync`), pages of the client's
//! page size, and transitive membership checks in `$batch` (20 users per request).

use futures::TryStreamExt as _;
use mailfix_client::{DeltaItem, DeltaStart, GroupId, UserId, needs_resync};
use mailfix_sim::scenario::small;
use serde_json::{Value, json};

use crate::sim_support::Sim;

fn select() -> Vec<String> {
    ["id", "userPrincipalName", "mail"]
        .map(String::from)
        .to_vec()
}

async fn round(sim: &Sim, start: DeltaStart) -> Result<Vec<DeltaItem>, mailfix_client::Error> {
    sim.client().graph().users_delta(start).try_collect().await
}

fn link(items: &[DeltaItem]) -> String {
    match items.last() {
        Some(DeltaItem::DeltaLink(link)) => link.clone(),
        other => panic!("a round ends with its deltaLink: {other:?}"),
    }
}

/// Graph requests after `after` (each client signs in first).
async fn graph_requests(sim: &Sim, after: u64) -> Vec<crate::sim_support::Entry> {
    let mut requests = sim.requests(after).await;
    requests.retain(|e| e.service == "graph");
    requests
}

async fn hire(sim: &Sim, body: Value) -> Vec<Value> {
    sim.post("/_sim/users/hire", body).await["hired"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn a_round_from_now_sees_only_later_hires_in_one_request() {
    let sim = Sim::start(small(5)).await;
    let latest = round(&sim, DeltaStart::Latest { select: select() })
        .await
        .unwrap();
    assert_eq!(latest.len(), 1, "only the link: {latest:?}");
    let hired = hire(&sim, json!({"count": 3})).await;
    let after = sim.last_seq().await;
    let changes = round(&sim, DeltaStart::Link(link(&latest))).await.unwrap();
    let ids: Vec<&str> = changes
        .iter()
        .filter_map(|i| match i {
            DeltaItem::Changed(u) => Some(u.id.as_str()),
            _ => None,
        })
        .collect();
    let hired_ids: Vec<&str> = hired.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(ids, hired_ids);
    let requests = graph_requests(&sim, after).await;
    assert_eq!(requests.len(), 1, "one page: {requests:?}");
    let first = &graph_requests(&sim, 0).await[0];
    assert!(
        first
            .query
            .as_deref()
            .unwrap_or("")
            .contains("deltatoken=latest")
    );
}

#[tokio::test]
async fn expired_and_reset_links_say_that_a_resync_is_needed() {
    let sim = Sim::start(small(5)).await;
    for answer in ["expired", "reset"] {
        let latest = round(&sim, DeltaStart::Latest { select: select() })
            .await
            .unwrap();
        sim.post("/_sim/delta/expire", json!({ "answer": answer }))
            .await;
        let err = round(&sim, DeltaStart::Link(link(&latest)))
            .await
            .unwrap_err();
        assert!(needs_resync(&err), "{answer}: {err}");
        assert_eq!(err.status(), Some(410));
    }
    let other = mailfix_client::Error::new(mailfix_client::ErrorKind::BadRequest, "nope");
    assert!(!needs_resync(&other));
}

#[tokio::test]
async fn membership_is_checked_transitively_twenty_users_per_request() {
    let sim = Sim::start(small(5)).await;
    let inside = hire(&sim, json!({"count": 25, "groups": ["Platform Team"]})).await;
    let outside = hire(&sim, json!({"count": 2, "groups": ["Contractors"]})).await;
    let all_staff = GroupId(sim.info().groups["All Staff"].clone());
    let users: Vec<UserId> = inside
        .iter()
        .chain(&outside)
        .map(|h| UserId(h["id"].as_str().unwrap().to_owned()))
        .collect();
    let after = sim.last_seq().await;
    let answers = sim
        .client()
        .graph()
        .member_groups(&users, std::slice::from_ref(&all_staff))
        .await
        .unwrap();
    assert_eq!(answers.len(), 27);
    for (i, (user, found)) in answers.iter().enumerate() {
        assert_eq!(user, &users[i]);
        let found = found.as_ref().unwrap();
        assert_eq!(found.contains(&all_staff), i < 25, "user {i}");
    }
    let requests = graph_requests(&sim, after).await;
    assert_eq!(requests.len(), 2, "27 users in two $batch requests");
}
