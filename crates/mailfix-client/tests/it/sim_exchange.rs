//! Exchange against the simulator: every mailbox listed by re-POSTing to the next link (beyond
//! the default `ResultSize`), a secondary address added and removed, the cmdlet errors in each
//! body shape (A, B, C, plain text) typed, and the plain-text concurrency refusal.

use std::collections::HashSet;

use futures::TryStreamExt as _;
use mailfix_client::models::Mailbox;
use mailfix_client::{AddressOutcome, Client, Error, ErrorKind};
use mailfix_sim::scenario::{Scenario, small};
use serde_json::json;

use crate::sim_support::{Sim, early, user_where};

#[tokio::test]
async fn every_mailbox_is_listed_by_reposting_the_body_to_each_next_link() {
    let sim = Sim::start(small(1)).await;
    // Without `ResultSize Unlimited` Exchange would stop at 100.
    sim.set_limits(json!({"exo.default_result_size": 100}))
        .await;
    let mailboxes = sim.get("/_sim/state").await["mailboxes"].as_u64().unwrap() as usize;
    assert!(mailboxes > 200);
    let client = sim.client_with(|c| c.limits.exchange_page_size = 40);
    let mark = sim.last_seq().await;
    let listed: Vec<Mailbox> = client.exo().list_mailboxes().try_collect().await.unwrap();
    assert_eq!(listed.len(), mailboxes);
    let distinct: HashSet<_> = listed
        .iter()
        .map(|m| m.external_directory_object_id.clone().unwrap())
        .collect();
    assert_eq!(distinct.len(), mailboxes);
    assert!(listed.iter().all(|m| m.primary_smtp_address.is_some()));
    let pages: Vec<_> = sim
        .requests(mark)
        .await
        .into_iter()
        .filter(|e| e.service == "exo" && e.path.ends_with("/InvokeCommand"))
        .collect();
    assert_eq!(pages.len(), mailboxes.div_ceil(40));
    for (n, page) in pages.iter().enumerate() {
        assert_eq!((page.method.as_str(), page.status), ("POST", 200));
        assert_eq!(page.operation.as_deref(), Some("Get-Mailbox"));
        assert!(page.path.ends_with("/InvokeCommand"));
        // The simulator refuses a next link replayed with another cmdlet or other parameters.
        let query = page.query.as_deref().unwrap_or_default();
        assert_eq!(query.contains("$skiptoken="), n > 0, "{query}");
    }
}

/// Users to provoke each cmdlet error with, from the scenario definition.
struct Cases {
    synced: String,
    healthy: String,
    taken: String,
    foreign_domain: String,
}

fn cases(scenario: &Scenario) -> Cases {
    let by_label = |label: &'static str| {
        scenario
            .users
            .iter()
            .filter(move |u| u.label == label && u.mailbox.is_some())
    };
    let mut healthy = by_label("healthy");
    Cases {
        synced: by_label("synced").next().unwrap().upn.clone(),
        healthy: healthy.next().unwrap().upn.clone(),
        taken: healthy.next().unwrap().mail.clone().unwrap(),
        foreign_domain: scenario.tenant.not_accepted[0].clone(),
    }
}

/// The four cmdlet errors: (what, expected kind, expected status, the error).
async fn provoke(client: &Client, c: &Cases) -> Vec<(&'static str, ErrorKind, u16, Error)> {
    let exo = client.exo();
    let alias = format!("mailfix.test@{}", c.foreign_domain);
    vec![
        (
            "not found",
            ErrorKind::NotFound,
            404,
            exo.get_mailbox("nobody.at.all@contoso.com")
                .await
                .unwrap_err(),
        ),
        (
            "synced",
            ErrorKind::SyncedObject,
            400,
            exo.add_address(&c.synced, "mailfix.test@contoso.onmicrosoft.com")
                .await
                .unwrap_err(),
        ),
        (
            "proxy in use",
            ErrorKind::ProxyAddressInUse { owner: None },
            400,
            exo.add_address(&c.healthy, &c.taken).await.unwrap_err(),
        ),
        (
            "domain not accepted",
            ErrorKind::DomainNotAccepted,
            400,
            exo.add_address(&c.healthy, &alias).await.unwrap_err(),
        ),
    ]
}

#[tokio::test]
async fn cmdlet_errors_are_typed_in_every_body_shape() {
    let scenario = small(1);
    let c = cases(&scenario);
    let sim = Sim::start(scenario).await;
    let client = sim.client();
    for (shape, name) in [(0, "A"), (1, "B"), (2, "C"), (3, "plain text")] {
        sim.set_limits(json!({"exo.error_shape": shape})).await;
        for (what, kind, status, err) in provoke(&client, &c).await {
            let context = format!("shape {name}, {what}: {err:?}");
            match (&kind, err.kind()) {
                (ErrorKind::ProxyAddressInUse { .. }, ErrorKind::ProxyAddressInUse { owner }) => {
                    assert!(owner.as_deref().is_some_and(|o| !o.is_empty()), "{context}")
                }
                (want, got) => assert_eq!(want, got, "{context}"),
            }
            assert_eq!(err.status(), Some(status), "{context}");
            assert!(
                !err.message().contains("Error executing cmdlet"),
                "{context}"
            );
            assert!(
                err.hint().is_some() || kind == ErrorKind::NotFound,
                "{context}"
            );
            let typed = err.code().is_some_and(|code| code.contains("Exception"));
            assert_eq!(
                typed,
                shape < 2,
                "{context}: the exception type only in A and B"
            );
        }
    }
}

#[tokio::test]
async fn a_secondary_address_is_added_and_removed() {
    let scenario = small(1);
    let upn = user_where(&scenario, |u| {
        u.label == "empty-mail" && u.mailbox.is_some()
    });
    let sim = Sim::start(scenario).await;
    let exo = sim.client().exo();
    let alias = format!(
        "{}.mailfix-t1@contoso.onmicrosoft.com",
        upn.split('@').next().unwrap()
    );
    let added = exo.add_address(&upn, &alias).await.unwrap();
    assert_eq!(
        (added.outcome, added.warnings.len()),
        (AddressOutcome::Applied, 0)
    );
    let mailbox = exo.get_mailbox(&upn).await.unwrap();
    assert!(mailbox.has_address(&alias));
    assert!(
        mailbox.email_addresses.contains(&format!("smtp:{alias}")),
        "secondary, not primary"
    );
    // A change that changes nothing is a success with Exchange's warning.
    let again = exo.add_address(&upn, &alias).await.unwrap();
    assert_eq!(again.outcome, AddressOutcome::Applied);
    assert!(
        again.warnings[0].contains("no settings"),
        "{:?}",
        again.warnings
    );
    let removed = exo.remove_address(&upn, &alias).await.unwrap();
    assert_eq!(removed.outcome, AddressOutcome::Applied);
    assert!(!exo.get_mailbox(&upn).await.unwrap().has_address(&alias));
    let writes: Vec<_> = sim
        .requests(0)
        .await
        .into_iter()
        .filter(|e| e.operation.as_deref() == Some("Set-Mailbox"))
        .map(|e| e.status)
        .collect();
    assert_eq!(writes, [200, 200, 200]);
}

#[tokio::test]
async fn the_plain_text_concurrency_refusal_is_typed_and_retried() {
    let sim = Sim::start(small(1)).await;
    sim.set_limits(json!({"exo.concurrency": 1, "exo.concurrency_retry_after_s": 0.2}))
        .await;
    sim.post("/_sim/faults", json!({"exo_latency_ms": 300}))
        .await;
    let impatient = sim.client_with(|c| {
        c.limits.exchange_concurrency = 3;
        c.retry.max_attempts = 1;
    });
    impatient
        .token_claims(mailfix_client::Resource::Exchange)
        .await
        .unwrap();
    let exo = impatient.exo();
    let results = futures::future::join_all((0..3).map(|_| exo.accepted_domains())).await;
    let refused: Vec<&Error> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(!refused.is_empty() && refused.len() < 3, "{results:?}");
    for err in refused {
        assert_eq!(err.kind(), &ErrorKind::ConcurrencyLimit, "{err:?}");
        assert_eq!(err.status(), Some(429));
        assert!(
            err.message()
                .starts_with("You have reached the maximum number of concurrent")
        );
        assert!(err.retry_after().is_some());
    }

    let patient = sim.client_with(|c| c.limits.exchange_concurrency = 3);
    patient
        .token_claims(mailfix_client::Resource::Exchange)
        .await
        .unwrap();
    let mark = sim.last_seq().await;
    let exo = patient.exo();
    let results = futures::future::join_all((0..3).map(|_| exo.accepted_domains())).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let log = sim.requests(mark).await;
    assert!(log.iter().any(|e| e.status == 429 && e.throttled));
    let cmdlets = |e: &&crate::sim_support::Entry| e.path.ends_with("/InvokeCommand");
    assert_eq!(
        log.iter()
            .filter(cmdlets)
            .filter(|e| e.status == 200)
            .count(),
        3
    );
    assert_eq!(early(&log), [], "a retry came before its Retry-After");
}

/// The most Exchange requests the simulator served at once, from its log.
fn peak_in_flight(log: &[crate::sim_support::Entry]) -> u32 {
    log.iter().filter_map(|e| e.in_flight).max().unwrap_or(0)
}

/// 40 mailbox reads at once through a client allowing `concurrency` Exchange requests in flight,
/// against a simulator that allows `allowed` (0: no limit), each read taking 150 ms.
async fn forty_reads(concurrency: usize, allowed: f64) -> (Client, Vec<crate::sim_support::Entry>) {
    let sim = Sim::start_with(small(1), |o| o.exo_latency_ms = Some(150)).await;
    sim.set_limits(json!({"exo.concurrency": allowed, "exo.concurrency_retry_after_s": 0.2}))
        .await;
    let client = sim.client_with(|c| c.limits.exchange_concurrency = concurrency);
    let upn = {
        let tenant = sim.sim.state.read_tenant();
        let idx = *tenant.mailboxes.keys().next().expect("a mailbox");
        tenant.users[idx as usize].user_principal_name.clone()
    };
    let mark = sim.last_seq().await;
    let exo = client.exo();
    let reads = (0..40).map(|_| exo.get_mailbox(&upn));
    for read in futures::future::join_all(reads).await {
        read.expect("every read succeeds in the end");
    }
    let log: Vec<_> = sim
        .requests(mark)
        .await
        .into_iter()
        .filter(|e| e.service == "exo")
        .collect();
    (client, log)
}

#[tokio::test]
async fn the_exchange_lane_sends_as_many_at_once_as_configured() {
    let (client, log) = forty_reads(10, 0.0).await;
    assert_eq!(peak_in_flight(&log), 10, "up to 10 at once");
    let lane = client.counters().exchange_concurrency;
    assert_eq!(
        (lane.configured, lane.lowest, lane.pushed_back),
        (10, 10, 0)
    );
    let (_, log) = forty_reads(3, 0.0).await;
    assert_eq!(peak_in_flight(&log), 3, "never more than 3");
}

#[tokio::test]
async fn the_exchange_lane_backs_off_when_exchange_pushes_back_and_says_how_often() {
    let (client, log) = forty_reads(10, 3.0).await;
    let refused = log.iter().filter(|e| e.throttled).count() as u64;
    let lane = client.counters().exchange_concurrency;
    assert!(refused >= 1, "Exchange refused some");
    assert_eq!(lane.pushed_back, refused);
    assert_eq!(lane.configured, 10);
    assert!(
        (1..=3).contains(&lane.lowest),
        "lowered to what Exchange allows: {lane:?}"
    );
    // Once lowered, the sends that followed the last refusal met no refusal.
    let last_refusal = log.iter().rposition(|e| e.throttled).unwrap();
    assert!(
        log.len() > last_refusal + 1,
        "reads went on after the last refusal"
    );
}
