//! The retry loop where the simulator cannot show it: `Retry-After` as an HTTP date, a 429 holding
//! back a later request to the same service (the simulator marks only retries of the throttled
//! request itself), and 408/502 (which it never injects) retried for reads.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};
use mailfix_client::{Client, UserKey};
use serde_json::json;
use tokio::time::Instant;

use crate::support::{self, reply, throttled_body};

/// Answers the first `fail` requests with `status` (and `retry_after` if given), then 200; records
/// when each failure was sent.
fn flaky(
    fail: usize,
    status: u16,
    retry_after: Option<&'static str>,
) -> (Router, Arc<Mutex<Vec<Instant>>>) {
    let count = Arc::new(AtomicUsize::new(0));
    let sent = Arc::new(Mutex::new(Vec::new()));
    let s = sent.clone();
    let handler = move || {
        let count = count.clone();
        let sent = s.clone();
        async move {
            if count.fetch_add(1, Ordering::SeqCst) < fail {
                let headers: Vec<(&'static str, &str)> = retry_after
                    .map(|r| vec![("retry-after", r)])
                    .unwrap_or_default();
                sent.lock().unwrap().push(Instant::now());
                return reply(status, &headers, throttled_body());
            }
            reply(
                200,
                &[],
                json!({"id": "u1", "mail": "u1@contoso.com", "emailAddress": "kim@fabrikam.com"}),
            )
        }
    };
    let router = Router::new()
        .route(
            "/v1.0/users/{id}",
            get(handler.clone()).patch(handler.clone()),
        )
        .route(
            "/v1.0/users/{id}/authentication/emailMethods",
            post(handler),
        )
        .merge(support::token_endpoint(3599));
    (router, sent)
}

async fn get_user(client: &Client) -> Result<mailfix_client::models::User, mailfix_client::Error> {
    client
        .graph()
        .get_user(&UserKey::parse("u1"), &["id", "mail"])
        .await
}

#[tokio::test]
async fn retry_after_as_http_date_is_honoured() {
    let at = std::time::SystemTime::now() + Duration::from_secs(2);
    let date: &'static str = Box::leak(httpdate::fmt_http_date(at).into_boxed_str());
    let (router, _) = flaky(1, 503, Some(date));
    let server = support::serve(router).await;
    let client = support::client(&server.url);
    get_user(&client).await.unwrap();
    let hits = server.log.matching("/v1.0/users/");
    assert_eq!(hits.len(), 2);
    assert!(hits[1].wall >= httpdate::parse_http_date(date).unwrap());
}

#[tokio::test]
async fn a_429_holds_back_other_requests_to_the_same_service() {
    let (router, sent) = flaky(1, 429, Some("0.4"));
    let server = support::serve(router).await;
    let mut config = support::config(&server.url);
    config.retry.max_attempts = 1;
    let client = Client::new(config).unwrap();
    let first = get_user(&client).await.unwrap_err();
    assert!(first.is_throttled());
    assert_eq!(first.retry_after(), Some(Duration::from_millis(400)));
    // A different request, started after the 429 came back, still waits for the Retry-After.
    get_user(&client).await.unwrap();
    let hits = server.log.matching("/v1.0/users/");
    assert!(hits[1].at >= sent.lock().unwrap()[0] + Duration::from_millis(400));
}

#[tokio::test]
async fn transient_statuses_are_retried_for_reads() {
    for status in [408, 502] {
        let (router, _) = flaky(2, status, None);
        let server = support::serve(router).await;
        let client = support::client(&server.url);
        get_user(&client).await.unwrap();
        assert_eq!(
            server.log.matching("/v1.0/users/").len(),
            3,
            "status {status}"
        );
        assert_eq!(client.counters().retries, 2);
    }
}
