//! `$batch` against the simulator: items throttled one by one (per-item 429 and 503 with their
//! own `Retry-After`) are sent again alone, never before their `Retry-After`, until every user is
//! read; items that failed otherwise are not repeated; items still throttled when the attempts run
//! out are throttled errors.

use std::collections::BTreeMap;

use futures::{StreamExt as _, TryStreamExt as _};
use mailfix_client::models::User;
use mailfix_client::{Query, UserId};
use mailfix_sim::scenario::small;
use serde_json::json;

use crate::sim_support::{Sim, early};

#[tokio::test]
async fn throttled_items_are_resent_alone_until_every_user_is_read() {
    let sim = Sim::start(small(1)).await;
    let client = sim.client();
    let users: Vec<User> = client
        .graph()
        .list_users(&Query::new().select(["id", "userPrincipalName"]))
        .try_collect()
        .await
        .unwrap();
    let mut ids: Vec<UserId> = users
        .iter()
        .take(100)
        .map(|u| UserId(u.id.clone()))
        .collect();
    let unknown = UserId("00000000-0000-0000-0000-00000000beef".to_owned());
    ids.push(unknown.clone());
    sim.post(
        "/_sim/faults",
        json!({"rules": [{"service": "graph", "path_prefix": "/v1.0/users/", "rate": 0.3,
                          "kinds": [429, 503]}], "retry_after_s": 0.05}),
    )
    .await;
    let mark = sim.last_seq().await;
    let answers = client
        .graph()
        .get_users(&ids, &["id", "userPrincipalName"])
        .await
        .unwrap();

    assert_eq!(answers.len(), ids.len());
    for ((id, answer), user) in answers.iter().zip(&users) {
        if *id == unknown {
            assert!(answer.as_ref().unwrap_err().is_not_found());
            continue;
        }
        let read = answer.as_ref().unwrap();
        assert_eq!(
            (&read.id, &read.user_principal_name),
            (&user.id, &user.user_principal_name)
        );
    }
    let log = sim.requests(mark).await;
    assert!(
        log.iter()
            .all(|e| e.path.ends_with("/$batch") && e.status == 200)
    );
    assert!(log.iter().all(|e| e.batch_items.len() <= 20));
    // Per item (its URL names the user): sends in order; only a throttled answer is followed by
    // another send, and the last answer is final.
    let mut sends: BTreeMap<&str, Vec<u16>> = BTreeMap::new();
    for item in log.iter().flat_map(|e| &e.batch_items) {
        sends.entry(&item.url).or_default().push(item.status);
    }
    assert_eq!(sends.len(), ids.len());
    let mut resent = 0;
    for (url, statuses) in &sends {
        let (last, before) = statuses.split_last().unwrap();
        assert!(
            before.iter().all(|s| matches!(s, 429 | 503)),
            "{url}: {statuses:?}"
        );
        assert!(matches!(last, 200 | 404), "{url}: {statuses:?}");
        resent += before.len();
    }
    assert!(resent > 10, "faults hit about 30% of the items: {resent}");
    assert_eq!(early(&log), [], "an item came back before its Retry-After");
    assert_eq!(client.counters().batch_items, (ids.len() + resent) as u64);
}

#[tokio::test]
async fn items_still_throttled_at_the_bound_are_throttled_errors() {
    let sim = Sim::start(small(1)).await;
    let client = sim.client_with(|c| c.retry.max_attempts = 3);
    let users: Vec<User> = client
        .graph()
        .list_users(&Query::new().select(["id"]).top(5))
        .take(5)
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<UserId> = users.iter().map(|u| UserId(u.id.clone())).collect();
    sim.post(
        "/_sim/faults",
        json!({"rules": [{"service": "graph", "path_prefix": "/v1.0/users/", "rate": 1.0,
                          "kinds": [429]}], "retry_after_s": 0.02}),
    )
    .await;
    let mark = sim.last_seq().await;
    let answers = client.graph().get_users(&ids, &["id"]).await.unwrap();
    for (_, answer) in &answers {
        let err = answer.as_ref().unwrap_err();
        assert!(err.is_throttled() && err.retry_after().is_some(), "{err:?}");
    }
    let log = sim.requests(mark).await;
    assert_eq!(log.len(), 3, "three rounds");
    assert!(log.iter().all(|e| e.batch_items.len() == 5));
    assert_eq!(early(&log), []);
}
