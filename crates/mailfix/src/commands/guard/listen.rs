//! `--listen 127.0.0.1:PORT`: `/healthz` (the last cycle that ended and its age; 503 until the
//! first one, or when it is older than three intervals) and `/metrics` (Prometheus text format).
//! Only loopback addresses unless `--listen-allow-remote`: the endpoints have no authentication.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use chrono::{DateTime, Utc};
use mailfix_engine::guard::{GuardEvent, GuardObserver};
use serde_json::json;

use super::metrics::Metrics;
use crate::error::CliError;

/// What `/healthz` knows.
#[derive(Debug, Default)]
pub struct Health {
    last: Mutex<Option<(u64, DateTime<Utc>)>>,
    interval: Option<Duration>,
}

impl Health {
    /// Health for a guard whose cycles start every `interval` (`None`: `--once`).
    pub fn new(interval: Option<Duration>) -> Self {
        Health {
            last: Mutex::new(None),
            interval,
        }
    }

    fn answer(&self) -> (StatusCode, serde_json::Value) {
        let last = *self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some((cycle, at)) = last else {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                json!({"status": "starting", "last_cycle": null}),
            );
        };
        let age = (Utc::now() - at).num_milliseconds().max(0) as f64 / 1000.0;
        let stale = self
            .interval
            .is_some_and(|every| age > 3.0 * every.as_secs_f64());
        let status = if stale { "stale" } else { "ok" };
        let code = if stale {
            StatusCode::SERVICE_UNAVAILABLE
        } else {
            StatusCode::OK
        };
        (
            code,
            json!({"status": status, "last_cycle": {"cycle": cycle, "at": at, "age_s": age}}),
        )
    }
}

impl GuardObserver for Health {
    fn event(&self, event: &GuardEvent) {
        if let GuardEvent::CycleFinished { summary } = event {
            *self
                .last
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) =
                Some((summary.cycle, summary.at));
        }
    }
}

#[derive(Clone)]
struct Shared {
    health: Arc<Health>,
    metrics: Arc<Metrics>,
}

/// Checks `--listen`: an IP address and port, loopback unless remote listening is allowed.
pub fn address(text: &str, allow_remote: bool) -> Result<SocketAddr, CliError> {
    let addr: SocketAddr = text.parse().map_err(|_| {
        CliError::usage(format!(
            "invalid --listen '{text}': not an IP address and port"
        ))
        .hint("pass e.g. --listen 127.0.0.1:9464")
    })?;
    if !addr.ip().is_loopback() && !allow_remote {
        return Err(CliError::usage(format!(
            "--listen {addr} is not a loopback address; /healthz and /metrics have no authentication"
        ))
        .hint("listen on 127.0.0.1 (and let a local agent scrape it), or pass --listen-allow-remote to expose it on purpose"));
    }
    Ok(addr)
}

/// Serves `/healthz` and `/metrics` on `addr` until the returned task is aborted.
pub async fn serve(
    addr: SocketAddr,
    health: Arc<Health>,
    metrics: Arc<Metrics>,
) -> Result<(SocketAddr, tokio::task::JoinHandle<()>), CliError> {
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        CliError::usage(format!("cannot listen on {addr}"))
            .cause(e)
            .hint("choose another port with --listen, e.g. --listen 127.0.0.1:0 for a free one")
    })?;
    let bound = listener
        .local_addr()
        .map_err(|e| CliError::runtime("cannot read the listening address").cause(e))?;
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_text))
        .with_state(Shared { health, metrics });
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((bound, task))
}

async fn healthz(State(shared): State<Shared>) -> impl IntoResponse {
    let (code, body) = shared.health.answer();
    (code, axum::Json(body))
}

async fn metrics_text(State(shared): State<Shared>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        shared.metrics.render(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_unless_allowed() {
        assert!(address("127.0.0.1:9464", false).is_ok());
        assert!(address("[::1]:9464", false).is_ok());
        let err = address("0.0.0.0:9464", false).unwrap_err();
        assert!(err.to_string().contains("not a loopback address"), "{err}");
        assert!(address("0.0.0.0:9464", true).is_ok());
        assert!(address("localhost:9464", false).is_err(), "an IP address");
    }

    #[test]
    fn health_is_starting_then_ok_then_stale() {
        let health = Health::new(Some(Duration::from_secs(60)));
        assert_eq!(health.answer().0, StatusCode::SERVICE_UNAVAILABLE);
        let summary = mailfix_engine::guard::CycleSummary {
            cycle: 3,
            at: Utc::now(),
            ..Default::default()
        };
        health.event(&GuardEvent::CycleFinished { summary });
        let (code, body) = health.answer();
        assert_eq!(code, StatusCode::OK);
        assert_eq!(body["last_cycle"]["cycle"], 3);
        let old = mailfix_engine::guard::CycleSummary {
            cycle: 4,
            at: Utc::now() - chrono::Duration::seconds(600),
            ..Default::default()
        };
        health.event(&GuardEvent::CycleFinished { summary: old });
        assert_eq!(health.answer().1["status"], "stale");
    }
}
