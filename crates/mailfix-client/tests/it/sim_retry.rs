//! The retry rules against the simulator's injected faults: bounded attempts and total time,
//! client errors sent once, and writes repeated only where that is safe (a create only when the
//! service surely did not process it, a value update like a read).

use std::time::Duration;

use mailfix_client::models::PhoneType;
use mailfix_client::{Credential, ErrorKind, Query, Secret, UserKey};
use mailfix_sim::scenario::small;
use serde_json::{Value, json};

use crate::sim_support::Sim;

/// Every request whose path starts with `prefix` fails with `kind`.
async fn always(sim: &Sim, service: &str, prefix: &str, kind: Value, retry_after_s: f64) {
    sim.post(
        "/_sim/faults",
        json!({"rules": [{"service": service, "path_prefix": prefix, "rate": 1.0, "kinds": [kind]}],
               "retry_after_s": retry_after_s}),
    )
    .await;
}

#[tokio::test]
async fn attempts_are_bounded_and_the_last_error_kept() {
    let sim = Sim::start(small(1)).await;
    always(&sim, "graph", "/v1.0/groups", json!(503), 0.01).await;
    let client = sim.client();
    let err = client.graph().find_groups("All Staff").await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Throttled, "{err:?}");
    assert_eq!(err.status(), Some(503));
    assert!(err.is_transient() && err.retry_after().is_some());
    let log = sim.requests(0).await;
    let graph: Vec<_> = log.iter().filter(|e| e.service == "graph").collect();
    assert_eq!(graph.len(), 10, "the configured ten attempts");
    assert!(
        graph
            .iter()
            .all(|e| e.fault.as_deref() == Some("503") && !e.early)
    );
}

#[tokio::test]
async fn a_retry_after_beyond_the_time_bound_ends_the_request() {
    let sim = Sim::start(small(1)).await;
    always(&sim, "graph", "/v1.0/groups", json!(429), 120.0).await;
    let client = sim.client_with(|c| c.retry.max_elapsed = Duration::from_secs(5));
    let err = client.graph().find_groups("All Staff").await.unwrap_err();
    assert!(err.is_throttled(), "{err:?}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
    let log = sim.requests(0).await;
    assert_eq!(log.iter().filter(|e| e.service == "graph").count(), 1);
}

#[tokio::test]
async fn client_errors_are_sent_once() {
    let sim = Sim::start(small(1)).await;
    let main = sim.client();
    let (id, secret) = sim.app("limited");
    let limited = sim.client_with(|c| {
        c.credential = Credential::Secret {
            client_id: id,
            secret: Secret::new(secret.unwrap()),
        }
    });
    let unknown = UserKey::parse("00000000-0000-0000-0000-00000000beef");
    let errors = [
        (
            404,
            main.graph().get_user(&unknown, &["id"]).await.unwrap_err(),
        ),
        (400, {
            use futures::TryStreamExt as _;
            let too_big = Query::new().select(["id"]).top(1000);
            let users = main.graph().list_users(&too_big).try_collect::<Vec<_>>();
            users.await.unwrap_err()
        }),
        (
            403,
            limited.graph().find_groups("All Staff").await.unwrap_err(),
        ),
    ];
    let log = sim.requests(0).await;
    let graph: Vec<u16> = log
        .iter()
        .filter(|e| e.service == "graph")
        .map(|e| e.status)
        .collect();
    assert_eq!(graph, [404, 400, 403], "each sent once");
    for (status, err) in errors {
        assert_eq!(err.status(), Some(status), "{err:?}");
        assert!(!err.is_transient());
    }
}

/// The id of a healthy user without an email method but with a mobile phone.
async fn user_with_a_mobile(sim: &Sim) -> String {
    let scenario = small(1);
    for u in scenario.users.iter().filter(|u| u.label == "healthy") {
        if u.methods.mobile.is_some() && u.methods.email.is_none() {
            let user = sim.get(&format!("/_sim/users/{}", u.upn)).await;
            return user["id"].as_str().unwrap().to_owned();
        }
    }
    panic!("small(1) has a healthy user with a mobile and no email method");
}

#[tokio::test]
async fn creates_are_repeated_only_when_surely_not_processed_and_updates_like_reads() {
    let sim = Sim::start(small(1)).await;
    let id = user_with_a_mobile(&sim).await;
    let user = UserKey::parse(&id);
    let email_path = format!("/v1.0/users/{id}/authentication/emailMethods");
    let client = sim.client_with(|c| c.retry.max_attempts = 3);
    let graph = client.graph();
    let email = || graph.add_email_method(&user, "kim.private@example.org");
    let sends = |log: &[crate::sim_support::Entry], path: &str| {
        log.iter().filter(|e| e.path.starts_with(path)).count()
    };

    // 429: the service did not process it, so it is sent again (up to the bound).
    always(&sim, "graph", &email_path, json!(429), 0.01).await;
    let mark = sim.last_seq().await;
    assert!(email().await.unwrap_err().is_throttled());
    assert_eq!(sends(&sim.requests(mark).await, &email_path), 3);
    // 500: the outcome is unknown, so it is not repeated.
    always(&sim, "graph", &email_path, json!(500), 0.01).await;
    let mark = sim.last_seq().await;
    assert_eq!(email().await.unwrap_err().kind(), &ErrorKind::Transient);
    assert_eq!(sends(&sim.requests(mark).await, &email_path), 1);
    // A reset after the service processed it: not repeated, and the caller is told to check.
    always(&sim, "graph", &email_path, json!("reset"), 0.01).await;
    let mark = sim.last_seq().await;
    let lost = email().await.unwrap_err();
    assert_eq!(lost.kind(), &ErrorKind::Network, "{lost:?}");
    assert!(
        lost.hint()
            .unwrap()
            .contains("may or may not have been applied")
    );
    assert_eq!(sends(&sim.requests(mark).await, &email_path), 1);
    let state = sim.get(&format!("/_sim/users/{id}")).await;
    assert_eq!(
        state["methods"]["email"], "kim.private@example.org",
        "created once"
    );

    // Changing a phone number is retried like a read.
    let phones = format!("/v1.0/users/{id}/authentication/phoneMethods");
    always(&sim, "graph", &phones, json!(504), 0.01).await;
    let mark = sim.last_seq().await;
    let err = graph
        .update_phone_method(&user, PhoneType::Mobile, "+61 498765432")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Transient);
    assert_eq!(sends(&sim.requests(mark).await, &phones), 3);
}
