//! Throttling: Graph resource units, the reports bucket, Exchange's rate budget and concurrency, and
//! the enforcement of `Retry-After` (a client that comes back early is refused again, marked `early`).

use mailfix_sim::SimOptions;
use mailfix_sim::identity::Audience;
use mailfix_sim::scenario::{Scenario, small};
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{Answer, sim, sim_with};

fn limited(limits: &[(&str, f64)]) -> Scenario {
    let mut scenario = small(2);
    for (key, value) in limits {
        scenario.behaviour.limits.insert((*key).to_owned(), *value);
    }
    scenario
}

fn retry_after(answer: &Answer) -> f64 {
    answer.headers["Retry-After"]
        .to_str()
        .expect("ASCII")
        .parse()
        .expect("seconds")
}

#[tokio::test]
async fn graph_resource_units_run_out_and_retry_after_is_enforced() {
    let sim = sim(limited(&[("graph.ru_quota", 10.0)])).await;
    let token = sim.token("main", Audience::Graph);
    let mut percentages = Vec::new();
    for _ in 0..5 {
        let answer = sim.graph_get(&token, "/v1.0/users").await;
        assert_ne!(answer.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(answer.headers["x-ms-resource-unit"], "2");
        percentages.push(
            answer
                .headers
                .get("x-ms-throttle-limit-percentage")
                .is_some(),
        );
    }
    // At 8 of 10 RU used the bucket has refilled a hair, so the fourth answer may or may not say so.
    assert_eq!(
        (&percentages[..3], percentages[4]),
        (&[false, false, false][..], true),
        "reported from 80% used"
    );

    let refused = sim.graph_get(&token, "/v1.0/users").await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.body["error"]["code"], "TooManyRequests");
    let wait = retry_after(&refused);
    assert!(
        wait > 0.0 && wait <= 2.0,
        "about two RU at one RU per second: {wait}"
    );
    let scope = refused.headers["x-ms-throttle-scope"].to_str().unwrap();
    assert!(scope.starts_with("Tenant_Application/") && scope.ends_with(&sim.tenant_id()));
    assert_eq!(
        refused.headers["x-ms-throttle-information"],
        "ResourceUnitLimitExceeded"
    );

    let early = sim.graph_get(&token, "/v1.0/users/x").await;
    assert_eq!(
        early.status,
        StatusCode::TOO_MANY_REQUESTS,
        "came back before Retry-After"
    );
    sim.advance(wait + 0.5).await;
    let later = sim.graph_get(&token, "/v1.0/users?$select=id").await;
    assert_ne!(later.status, StatusCode::TOO_MANY_REQUESTS);

    let log = sim.requests().await;
    let flags: Vec<(bool, bool)> = log
        .iter()
        .filter(|e| e["service"] == "graph")
        .map(|e| {
            (
                e["throttled"].as_bool().unwrap(),
                e["early"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(&flags[5..], [(true, false), (true, true), (false, false)]);
    assert!(log[5]["retry_after_ms"].as_u64().unwrap() > 0);
}

#[tokio::test]
async fn buckets_are_per_app() {
    let sim = sim(limited(&[("graph.ru_quota", 2.0)])).await;
    let main = sim.token("main", Audience::Graph);
    let limited_app = sim.token("limited", Audience::Graph);
    assert_ne!(
        sim.graph_get(&main, "/v1.0/users").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        sim.graph_get(&main, "/v1.0/users").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_ne!(
        sim.graph_get(&limited_app, "/v1.0/users").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn reports_and_audit_logs_allow_five_requests_per_ten_seconds() {
    let sim = sim(small(2)).await;
    let token = sim.token("main", Audience::Graph);
    let paths = [
        "/v1.0/reports/authenticationMethods/userRegistrationDetails",
        "/v1.0/auditLogs/directoryAudits",
    ];
    for i in 0..5 {
        let answer = sim.graph_get(&token, paths[i % 2]).await;
        assert_ne!(answer.status, StatusCode::TOO_MANY_REQUESTS, "request {i}");
    }
    let refused = sim.graph_get(&token, paths[0]).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&refused) <= 2.0);
    let directory = sim.graph_get(&token, "/v1.0/users").await;
    assert_ne!(
        directory.status,
        StatusCode::TOO_MANY_REQUESTS,
        "a separate bucket"
    );
    sim.advance(10.0).await;
    for _ in 0..5 {
        assert_ne!(
            sim.graph_get(&token, paths[1]).await.status,
            StatusCode::TOO_MANY_REQUESTS
        );
    }
}

#[tokio::test]
async fn exchange_rate_budget_answers_rate_limit_headers_and_429() {
    let sim = sim(limited(&[
        ("exo.rate_quota", 3.0),
        ("exo.rate_window_s", 60.0),
    ]))
    .await;
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let answer = sim.invoke("Get-AcceptedDomain", json!({})).await;
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(answer.headers["Rate-Limit-Limit"], "3");
        remaining.push(
            answer.headers["Rate-Limit-Remaining"]
                .to_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(remaining, ["2", "1", "0"]);
    let refused = sim.invoke("Get-AcceptedDomain", json!({})).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    let wait = retry_after(&refused);
    assert!(wait > 59.0 && wait <= 60.0, "until the window ends: {wait}");
    let early = sim.invoke("Get-AcceptedDomain", json!({})).await;
    assert_eq!(early.status, StatusCode::TOO_MANY_REQUESTS);
    let log = sim.requests().await;
    assert_eq!(log.last().unwrap()["early"], true);
    sim.advance(60.0).await;
    assert_eq!(
        sim.invoke("Get-AcceptedDomain", json!({})).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn exchange_concurrency_overflow_answers_the_plain_text_message() {
    let mut options = SimOptions::for_test(limited(&[("exo.concurrency", 2.0)]));
    options.exo_latency_ms = Some(400);
    let sim = sim_with(options).await;
    let calls = (0..4).map(|_| sim.invoke("Get-AcceptedDomain", json!({})));
    let answers = futures::future::join_all(calls).await;
    let ok = answers
        .iter()
        .filter(|a| a.status == StatusCode::OK)
        .count();
    let refused: Vec<&Answer> = answers
        .iter()
        .filter(|a| a.status == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert_eq!((ok, refused.len()), (2, 2));
    for answer in refused {
        assert!(answer.text.starts_with(
            "You have reached the maximum number of concurrent requests per tenant. Please wait and try again"
        ));
        assert!(answer.headers.contains_key("Retry-After"));
    }
}

#[tokio::test]
async fn retry_after_is_wall_clock_time_at_the_time_scale() {
    // The reports bucket refills one request every window / quota simulated seconds. A window of an
    // hour keeps the test independent of how long the five requests take for real: the wait for the
    // next token is at most 3600 / 5 = 720 simulated seconds, 144 wall-clock seconds at 5x, and
    // only shrinks by what refilled meanwhile (a few simulated seconds).
    let mut options = SimOptions::for_test(limited(&[("graph.reports_window_s", 3600.0)]));
    options.time_scale = 5.0;
    let sim = sim_with(options).await;
    let token = sim.token("main", Audience::Graph);
    let path = "/v1.0/auditLogs/directoryAudits";
    for _ in 0..5 {
        sim.graph_get(&token, path).await;
    }
    let refused = sim.graph_get(&token, path).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    let wait = retry_after(&refused);
    assert!(
        (100.0..=144.0).contains(&wait),
        "up to 720 simulated seconds at 5x, in wall-clock seconds: {wait}"
    );
}

/// The status of a Graph GET sent with `client-request-id: id`.
async fn get_as(sim: &crate::support::Sim, token: &str, id: &str, path: &str) -> StatusCode {
    let response = sim
        .http
        .get(sim.url(path))
        .bearer_auth(token)
        .header("client-request-id", id)
        .send()
        .await
        .unwrap();
    response.status()
}

#[tokio::test]
async fn with_a_request_id_only_a_retry_of_the_throttled_request_is_early() {
    let sim = sim(limited(&[("graph.ru_quota", 2.0)])).await;
    let token = sim.token("main", Audience::Graph);
    let too_many = StatusCode::TOO_MANY_REQUESTS;
    assert_ne!(get_as(&sim, &token, "a", "/v1.0/users").await, too_many);
    assert_eq!(get_as(&sim, &token, "b", "/v1.0/users").await, too_many);
    // Another request while the bucket is blocked is refused, but it was told nothing.
    assert_eq!(get_as(&sim, &token, "c", "/v1.0/groups").await, too_many);
    assert_eq!(get_as(&sim, &token, "b", "/v1.0/users").await, too_many);
    sim.advance(11.0).await;
    assert_ne!(get_as(&sim, &token, "b", "/v1.0/users").await, too_many);
    let flags: Vec<(bool, bool)> = sim
        .requests()
        .await
        .iter()
        .filter(|e| e["service"] == "graph")
        .map(|e| (e["throttled"] == true, e["early"] == true))
        .collect();
    assert_eq!(
        flags,
        [
            (false, false),
            (true, false),
            (true, false),
            (true, true),
            (false, false)
        ]
    );
}

#[tokio::test]
async fn the_log_counts_exchange_requests_in_flight_at_each_arrival() {
    let mut options = SimOptions::for_test(limited(&[("exo.concurrency", 0.0)]));
    options.exo_latency_ms = Some(1000);
    let sim = sim_with(options).await;
    let calls = (0..5).map(|_| sim.invoke("Get-AcceptedDomain", json!({})));
    let answers = futures::future::join_all(calls).await;
    assert!(answers.iter().all(|a| a.status == StatusCode::OK));
    let alone = sim.invoke("Get-AcceptedDomain", json!({})).await;
    assert_eq!(alone.status, StatusCode::OK);
    let log = sim.requests().await;
    let counts: Vec<u64> = log
        .iter()
        .filter(|e| e["service"] == "exo")
        .map(|e| {
            e["in_flight"]
                .as_u64()
                .expect("an Exchange entry has in_flight")
        })
        .collect();
    assert_eq!(counts.len(), 6);
    assert_eq!(counts[..5].iter().max(), Some(&5), "{counts:?}");
    assert_eq!(counts[5], 1, "the others had been answered: {counts:?}");
    assert!(
        log.iter()
            .filter(|e| e["service"] != "exo")
            .all(|e| e.get("in_flight").is_none())
    );
}
