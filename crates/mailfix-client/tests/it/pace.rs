//! Pacing: concurrency caps per service, the reports/audit window, slowing down on the services'
//! own pressure signals.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use futures::TryStreamExt as _;
use futures::future::join_all;
use mailfix_client::{Client, Filter, UserKey};
use serde_json::json;

use crate::support::{self, reply};

#[derive(Clone, Default)]
struct InFlight {
    now: Arc<AtomicUsize>,
    max: Arc<AtomicUsize>,
}

impl InFlight {
    /// Holds each request for 30 ms (server side) while counting how many overlap.
    async fn hold(&self) {
        let n = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.max.fetch_max(n, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(30)).await;
        self.now.fetch_sub(1, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn requests_in_flight_never_exceed_the_caps() {
    let graph = InFlight::default();
    let exo = InFlight::default();
    let (g, e) = (graph.clone(), exo.clone());
    let router = Router::new()
        .route(
            "/v1.0/users/{id}",
            get(move || {
                let g = g.clone();
                async move {
                    g.hold().await;
                    reply(200, &[], json!({"id": "u"}))
                }
            }),
        )
        .route(
            "/adminapi/beta/{tenant}/InvokeCommand",
            post(move || {
                let e = e.clone();
                async move {
                    e.hold().await;
                    reply(200, &[], json!({"value": [{"Identity": "x"}]}))
                }
            }),
        )
        .merge(support::token_endpoint(3599));
    let server = support::serve(router).await;
    let mut config = support::config(&server.url);
    config.limits.graph_concurrency = 4;
    let client = Client::new(config).unwrap();
    let graph_calls = (0..24).map(|i| {
        let client = client.clone();
        async move {
            client
                .graph()
                .get_user(&UserKey::parse(&format!("u{i}")), &["id"])
                .await
                .unwrap();
        }
    });
    let exo_calls = (0..12).map(|i| {
        let client = client.clone();
        async move {
            client.exo().get_mailbox(&format!("m{i}")).await.unwrap();
        }
    });
    tokio::join!(join_all(graph_calls), join_all(exo_calls));
    let (g, e) = (
        graph.max.load(Ordering::SeqCst),
        exo.max.load(Ordering::SeqCst),
    );
    assert!((2..=4).contains(&g), "graph in flight peaked at {g}");
    assert!((2..=3).contains(&e), "exchange in flight peaked at {e}");
}

#[tokio::test]
async fn reports_and_audit_keep_to_their_window() {
    let router = Router::new()
        .route(
            "/v1.0/auditLogs/directoryAudits",
            get(|headers: HeaderMap, axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>| async move {
                let page: usize = q.get("$skiptoken").and_then(|s| s.parse().ok()).unwrap_or(0);
                let mut body = json!({"value": [{"id": format!("a{page}"), "activityDisplayName": "x", "activityDateTime": "2024-05-01T00:00:00Z"}]});
                if page < 5 {
                    let host = headers["host"].to_str().unwrap();
                    body["@odata.nextLink"] = json!(format!("http://{host}/v1.0/auditLogs/directoryAudits?$skiptoken={}", page + 1));
                }
                reply(200, &[], body)
            }),
        )
        .merge(support::token_endpoint(3599));
    let server = support::serve(router).await;
    let mut config = support::config(&server.url);
    config.limits.reports_requests = 2;
    config.limits.reports_window = Duration::from_millis(300);
    let client = Client::new(config).unwrap();
    let filter = Filter::eq("loggedByService", "Authentication Methods");
    let audits: Vec<_> = client
        .graph()
        .directory_audits(Some(filter), Some(1))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(audits.len(), 6);
    let hits = server.log.matching("/directoryAudits");
    assert!(
        hits[0]
            .query
            .contains("loggedByService%20eq%20%27Authentication%20Methods%27"),
        "{}",
        hits[0].query
    );
    for w in hits.windows(3) {
        assert!(
            w[2].at >= w[0].at + Duration::from_millis(300),
            "3 requests within one window"
        );
    }
}

#[tokio::test]
async fn two_audit_reads_overlap_their_round_trips_and_keep_the_window() {
    let held = InFlight::default();
    let h = held.clone();
    let router = Router::new()
        .route(
            "/v1.0/auditLogs/directoryAudits",
            get(move |headers: HeaderMap, axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>| {
                let h = h.clone();
                async move {
                    h.hold().await;
                    let page: usize = q.get("$skiptoken").and_then(|s| s.parse().ok()).unwrap_or(0);
                    let mut body = json!({"value": [{"id": format!("a{page}"), "activityDisplayName": "x", "activityDateTime": "2024-05-01T00:00:00Z"}]});
                    if page < 3 {
                        let host = headers["host"].to_str().unwrap();
                        let filter = q.get("$filter").cloned().unwrap_or_default();
                        body["@odata.nextLink"] = json!(format!(
                            "http://{host}/v1.0/auditLogs/directoryAudits?$filter={}&$skiptoken={}",
                            filter.replace(' ', "%20").replace('\'', "%27"),
                            page + 1
                        ));
                    }
                    reply(200, &[], body)
                }
            }),
        )
        .merge(support::token_endpoint(3599));
    let server = support::serve(router).await;
    let mut config = support::config(&server.url);
    config.limits.reports_requests = 3;
    config.limits.reports_window = Duration::from_millis(400);
    let client = Client::new(config).unwrap();
    let read = |service: &str| {
        client
            .graph()
            .directory_audits(Some(Filter::eq("loggedByService", service)), Some(1))
            .try_collect::<Vec<_>>()
    };
    let (a, b) = tokio::join!(read("A"), read("B"));
    assert_eq!((a.unwrap().len(), b.unwrap().len()), (4, 4));
    assert_eq!(
        held.max.load(Ordering::SeqCst),
        2,
        "the two reads overlapped"
    );
    let hits = server.log.matching("/directoryAudits");
    assert_eq!(hits.len(), 8);
    for w in hits.windows(4) {
        assert!(
            w[3].at >= w[0].at + Duration::from_millis(400),
            "4 requests within one window"
        );
    }
}

#[tokio::test]
async fn sends_are_spaced_when_graph_reports_pressure() {
    let count = Arc::new(AtomicUsize::new(0));
    let router = Router::new()
        .route(
            "/v1.0/users/{id}",
            get(move || {
                let count = count.clone();
                async move {
                    // The first answer says 90 % of the limit is used; later ones say nothing.
                    let pressure = count.fetch_add(1, Ordering::SeqCst) == 0;
                    let headers: &[(&'static str, &str)] = if pressure {
                        &[("x-ms-throttle-limit-percentage", "0.9")]
                    } else {
                        &[]
                    };
                    reply(200, headers, json!({"id": "u"}))
                }
            }),
        )
        .merge(support::token_endpoint(3599));
    let server = support::serve(router).await;
    let mut config = support::config(&server.url);
    config.limits.slow_down_step = Duration::from_millis(100);
    let client = Client::new(config).unwrap();
    for _ in 0..3 {
        client
            .graph()
            .get_user(&UserKey::parse("u"), &["id"])
            .await
            .unwrap();
    }
    let hits = server.log.matching("/v1.0/users");
    // 0.9 → two steps of 100 ms between the first answer and the next send.
    assert!(hits[1].at >= hits[0].at + Duration::from_millis(200));
    assert!(client.counters().waited() >= Duration::from_millis(150));
}

/// A quota of one request that refills every 10 ms: a 429 says how long until the next unit.
#[derive(Clone)]
struct Refilling {
    next: Arc<std::sync::Mutex<std::time::Instant>>,
    refused: Arc<AtomicUsize>,
}

impl Refilling {
    fn answer(&self) -> axum::response::Response {
        const EVERY: Duration = Duration::from_millis(10);
        let now = std::time::Instant::now();
        let mut next = self.next.lock().unwrap();
        if now < *next {
            self.refused.fetch_add(1, Ordering::SeqCst);
            let wait = format!("{:.3}", (*next - now).as_secs_f64());
            return reply(429, &[("Retry-After", &wait)], support::throttled_body());
        }
        *next = now + EVERY;
        reply(200, &[], json!({"id": "u"}))
    }
}

#[tokio::test]
async fn after_throttled_answers_waiting_requests_do_not_all_go_at_once() {
    let quota = Refilling {
        next: Arc::new(std::sync::Mutex::new(std::time::Instant::now())),
        refused: Arc::default(),
    };
    let q = quota.clone();
    let router = Router::new()
        .route(
            "/v1.0/users/{id}",
            get(move || {
                let q = q.clone();
                async move { q.answer() }
            }),
        )
        .merge(support::token_endpoint(3599));
    let server = support::serve(router).await;
    let mut config = support::config(&server.url);
    config.retry.max_attempts = 100;
    let client = Client::new(config).unwrap();
    let user = UserKey::parse("u");
    let gets = (0..100).map(|_| async {
        client.graph().get_user(&user, &["id"]).await.unwrap();
    });
    join_all(gets).await;
    // Eight requests in flight that all went again when a Retry-After ended would be refused
    // about seven times per success (several hundred here); spaced sends are refused rarely.
    let refused = quota.refused.load(Ordering::SeqCst);
    assert!(
        refused < 50,
        "{refused} throttled answers for 100 successes"
    );
    assert_eq!(client.counters().throttled, refused as u64);
}
