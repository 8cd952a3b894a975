//! The acceptance run under injected faults: with 20% of Graph and Exchange requests answered
//! 429, 503, 504 or a reset connection, listing "All Staff" and reading every member's mailbox
//! gives exactly what it gives without faults, and the simulator's log shows no request sent
//! before the `Retry-After` it was given.

use std::collections::BTreeMap;

use futures::{StreamExt as _, TryStreamExt as _};
use mailfix_client::models::User;
use mailfix_client::{Client, ErrorKind, GroupId, Membership, Query};
use mailfix_sim::scenario::small;
use serde_json::json;

use crate::sim_support::{Entry, Sim, early};

/// Page size of the member listing, small enough for Graph to see some faults too.
const PAGE: u32 = 10;

/// What a run reads: each member's user id, UPN and `mail`, and its mailbox's primary address and
/// addresses, or the kind of error reading it gave (users without a mailbox: not found).
type Reading = BTreeMap<
    String,
    (
        Option<String>,
        Option<String>,
        Result<(Option<String>, Vec<String>), ErrorKind>,
    ),
>;

async fn read_all_staff(client: &Client, group: &GroupId) -> Reading {
    let query = Query::new().select(["id", "userPrincipalName", "mail"]);
    let members: Vec<User> = client
        .graph()
        .user_members(group, Membership::Transitive, &query)
        .try_collect()
        .await
        .unwrap();
    let exo = client.exo();
    futures::stream::iter(members)
        .map(|user| {
            let exo = exo.clone();
            async move {
                let mailbox = exo
                    .get_mailbox(&user.id)
                    .await
                    .map(|m| (m.primary_smtp_address, m.email_addresses))
                    .map_err(|e| e.kind().clone());
                (user.id, (user.user_principal_name, user.mail, mailbox))
            }
        })
        .buffer_unordered(6)
        .collect()
        .await
}

fn faulted(log: &[Entry], service: &str) -> usize {
    log.iter()
        .filter(|e| e.service == service && e.fault.is_some())
        .count()
}

#[tokio::test]
async fn twenty_percent_faults_change_nothing_and_no_retry_comes_early() {
    let sim = Sim::start(small(1)).await;
    let group = GroupId(sim.info().groups["All Staff"].clone());
    let members = sim.info().group_user_counts["All Staff"];
    let clean = read_all_staff(
        &sim.client_with(|c| c.limits.graph_page_size = PAGE),
        &group,
    )
    .await;
    assert_eq!(clean.len(), members);
    let without_mailbox = clean.values().filter(|(_, _, m)| m.is_err()).count();
    assert!(without_mailbox > 0 && without_mailbox < members / 5);
    assert!(
        clean
            .values()
            .filter_map(|(_, _, m)| m.as_ref().err())
            .all(|k| *k == ErrorKind::NotFound)
    );

    let kinds = json!([429, 503, 504, "reset"]);
    sim.post(
        "/_sim/faults",
        json!({"rules": [{"service": "graph", "rate": 0.2, "kinds": kinds},
                         {"service": "exo", "rate": 0.2, "kinds": kinds}],
               "retry_after_s": 0.1}),
    )
    .await;
    let mark = sim.last_seq().await;
    let client = sim.client_with(|c| c.limits.graph_page_size = PAGE);
    let faulty = read_all_staff(&client, &group).await;
    assert_eq!(faulty, clean, "faults changed the result");

    let log = sim.requests(mark).await;
    assert_eq!(
        early(&log),
        [],
        "a request came back before its Retry-After"
    );
    let (graph, exo) = (faulted(&log, "graph"), faulted(&log, "exo"));
    assert!(
        graph > 0 && exo > members / 10,
        "faults were injected: {graph} {exo}"
    );
    // Each member's mailbox is read once to the end; every other Exchange request was answered
    // with a fault, or refused while the app was told to wait (requests in flight at the time).
    // (The client's one Exchange endpoint discovery is not a mailbox read.)
    let exo_log = log
        .iter()
        .filter(|e| e.service == "exo" && e.path.ends_with("/InvokeCommand"));
    let finished = exo_log
        .clone()
        .filter(|e| e.fault.is_none() && matches!(e.status, 200 | 404))
        .count();
    assert_eq!(finished, members);
    assert!(
        exo_log
            .filter(|e| e.fault.is_none() && !matches!(e.status, 200 | 404))
            .all(|e| e.throttled && e.retry_after_ms.is_some())
    );
    let pages = log
        .iter()
        .filter(|e| e.service == "graph" && e.path.contains("/transitiveMembers"));
    let served = pages
        .clone()
        .filter(|e| e.status == 200 && e.fault.is_none())
        .count();
    assert_eq!(
        served,
        members.div_ceil(PAGE as usize),
        "ceil(N/{PAGE}) plus retries"
    );
    assert_eq!(pages.count(), served + graph);
    assert!(log.iter().any(|e| e.retry_after_ms.is_some()));
    assert!(client.counters().retries >= (graph + exo) as u64);
}
