//! The retry loop over HTTP: Retry-After honoured (never a request before it elapsed, also for
//! concurrent requests), classified statuses retried, unsafe writes not repeated, bounded attempts.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};
use http::Method;
use mailfix_client::{Client, ErrorKind, Request, RetryMode, Service, UserRef};
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
        .get_user(&UserRef::parse("u1"), &["id", "mail"])
        .await
}

#[tokio::test]
async fn never_sends_before_a_fractional_retry_after_has_elapsed() {
    let (router, sent) = flaky(2, 429, Some("0.25"));
    let server = support::serve(router).await;
    let client = support::client(&server.url);
    let user = get_user(&client).await.unwrap();
    assert_eq!(user.mail.as_deref(), Some("u1@contoso.com"));
    let arrivals: Vec<Instant> = server
        .log
        .matching("/v1.0/users/")
        .iter()
        .map(|h| h.at)
        .collect();
    let sent = sent.lock().unwrap().clone();
    assert_eq!(arrivals.len(), 3);
    for (i, throttled_at) in sent.iter().enumerate() {
        assert!(
            arrivals[i + 1] >= *throttled_at + Duration::from_millis(250),
            "request {} came {:?} after the 429",
            i + 1,
            arrivals[i + 1] - *throttled_at
        );
    }
    let c = client.counters();
    assert_eq!((c.throttled, c.retries), (2, 2));
    assert!(c.waited() >= Duration::from_millis(400), "{c:?}");
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
    for status in [408, 500, 502, 503, 504] {
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

#[tokio::test]
async fn client_errors_are_not_retried() {
    for status in [400, 403, 404, 409] {
        let (router, _) = flaky(5, status, None);
        let server = support::serve(router).await;
        let client = support::client(&server.url);
        let err = get_user(&client).await.unwrap_err();
        assert_eq!(err.status(), Some(status));
        assert_eq!(
            server.log.matching("/v1.0/users/").len(),
            1,
            "status {status}"
        );
    }
}

#[tokio::test]
async fn attempts_are_bounded_and_the_last_error_kept() {
    let (router, _) = flaky(100, 503, Some("0.01"));
    let server = support::serve(router).await;
    let client = support::client(&server.url);
    let err = get_user(&client).await.unwrap_err();
    assert_eq!(server.log.matching("/v1.0/users/").len(), 6);
    assert_eq!(err.kind(), &ErrorKind::Throttled);
    assert!(err.is_transient());
}

#[tokio::test]
async fn total_time_is_bounded_by_a_long_retry_after() {
    let (router, _) = flaky(1, 429, Some("120"));
    let server = support::serve(router).await;
    let mut config = support::config(&server.url);
    config.retry.max_elapsed = Duration::from_secs(5);
    let client = Client::new(config).unwrap();
    let err = get_user(&client).await.unwrap_err();
    assert!(err.is_throttled());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
    assert_eq!(server.log.matching("/v1.0/users/").len(), 1);
}

#[tokio::test]
async fn a_create_is_repeated_after_429_but_not_after_500() {
    let (router, _) = flaky(1, 429, Some("0.05"));
    let server = support::serve(router).await;
    let client = support::client(&server.url);
    client
        .graph()
        .add_email_method(&UserRef::parse("u1"), "kim@fabrikam.com")
        .await
        .unwrap();
    assert_eq!(server.log.matching("/emailMethods").len(), 2);

    let (router, _) = flaky(1, 500, None);
    let server = support::serve(router).await;
    let client = support::client(&server.url);
    let err = client
        .graph()
        .add_email_method(&UserRef::parse("u1"), "kim@fabrikam.com")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Transient);
    assert_eq!(server.log.matching("/emailMethods").len(), 1);
}

#[tokio::test]
async fn a_value_update_is_retried_like_a_read() {
    let (router, _) = flaky(1, 502, None);
    let server = support::serve(router).await;
    let client = support::client(&server.url);
    let url = url::Url::parse(&format!("{}/v1.0/users/u1", server.url)).unwrap();
    let req = Request::new(Service::Graph, Method::PATCH, url, "users.update")
        .json(&json!({"department": "x"}))
        .unwrap()
        .mode(RetryMode::Idempotent);
    client.execute(req).await.unwrap();
    assert_eq!(server.log.matching("/v1.0/users/").len(), 2);
}
