//! The webhook receiver's routes: `POST /_sim/webhooks/{channel}` receives a delivery (answered as
//! the real endpoint would: `202` for a channel named `teams…` like a Teams workflow, `200 ok` for
//! `slack…` like a Slack incoming webhook, `200` otherwise, unless a failure is queued),
//! `GET /_sim/webhooks/{channel}` lists them, `POST /_sim/webhooks/{channel}/fail`
//! `{"count": N, "status": S}` fails the next N, and `DELETE /_sim/webhooks` forgets everything.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::plane::{ControlError, bad_body};
use crate::state::AppState;
use crate::webhooks::Delivery;

/// `POST /_sim/webhooks/{channel}`.
pub async fn receive(
    State(state): State<AppState>,
    Path(channel): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let delivery = Delivery {
        at: state.clock.now(),
        content_type: header("content-type"),
        user_agent: header("user-agent"),
        json: serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
        text: String::from_utf8_lossy(&body).into_owned(),
        status: 0,
    };
    let ok = match channel.as_str() {
        c if c.starts_with("teams") => 202,
        _ => 200,
    };
    let status = state.webhooks.receive(&channel, delivery, ok);
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match status {
        StatusCode::OK if channel.starts_with("slack") => (status, "ok").into_response(),
        StatusCode::TOO_MANY_REQUESTS => {
            (status, [("retry-after", "1")], "slow down").into_response()
        }
        _ => status.into_response(),
    }
}

/// `GET /_sim/webhooks/{channel}`.
pub async fn list(
    State(state): State<AppState>,
    Path(channel): Path<String>,
) -> Json<Vec<Delivery>> {
    Json(state.webhooks.deliveries(&channel))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Fail {
    count: usize,
    status: u16,
}

/// `POST /_sim/webhooks/{channel}/fail`.
pub async fn fail(
    State(state): State<AppState>,
    Path(channel): Path<String>,
    body: axum::body::Bytes,
) -> Result<StatusCode, ControlError> {
    let Fail { count, status } = serde_json::from_slice(&body).map_err(bad_body)?;
    if !(400..=599).contains(&status) {
        return Err(bad_body("status must be an error status (400..=599)"));
    }
    state.webhooks.fail_next(&channel, count, status);
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /_sim/webhooks`.
pub async fn clear(State(state): State<AppState>) -> StatusCode {
    state.webhooks.clear();
    StatusCode::NO_CONTENT
}
