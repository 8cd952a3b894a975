//! The `/_sim/` control plane for tests, the benchmark and people: reset, state summary, request log,
//! faults, behaviour, clock, un-sticking, and registration attempts. No authentication; JSON in and
//! out; errors are `{"error": "..."}`.

use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{hiring, registration, users, webhooks};
use crate::delta_tokens::ExpiryAnswer;
use crate::faults::FaultConfig;
use crate::log::LogEntry;
use crate::scenario::BehaviourSpec;
use crate::state::{AppState, fault_config};
use crate::throttle::Limits;

/// The control routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/_sim/reset", post(reset))
        .route("/_sim/state", get(summary))
        .route("/_sim/requests", get(requests).delete(clear_requests))
        .route("/_sim/faults", get(faults).post(set_faults))
        .route("/_sim/behaviour", get(behaviour).post(set_behaviour))
        .route("/_sim/clock", get(clock))
        .route("/_sim/clock/advance", post(advance))
        .route("/_sim/clock/scale", post(scale))
        .route("/_sim/unstick", post(unstick))
        .route("/_sim/registration/attempts", post(registration::attempts))
        .route("/_sim/users/hire", post(hiring::hire))
        .route(
            "/_sim/users/hire-rate",
            get(hiring::rate).post(hiring::set_rate),
        )
        .route("/_sim/users/{key}", get(users::user).delete(hiring::leave))
        .route("/_sim/users/{key}/roles", post(users::set_roles))
        .route("/_sim/delta/expire", post(expire_delta))
        .route("/_sim/webhooks", axum::routing::delete(webhooks::clear))
        .route(
            "/_sim/webhooks/{channel}",
            get(webhooks::list).post(webhooks::receive),
        )
        .route("/_sim/webhooks/{channel}/fail", post(webhooks::fail))
        .route("/_sim/{*rest}", any(unknown))
}

async fn unknown(uri: axum::http::Uri) -> ControlError {
    ControlError(
        StatusCode::NOT_FOUND,
        format!("no control route {} (see COVERAGE.md)", uri.path()),
    )
}

/// A control-plane error: `{"error": message}` with a status.
#[derive(Debug)]
pub struct ControlError(pub StatusCode, pub String);

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

/// A request body that did not parse, as a 400.
pub fn bad_body(e: impl std::fmt::Display) -> ControlError {
    ControlError(StatusCode::BAD_REQUEST, e.to_string())
}

async fn reset(State(state): State<AppState>) -> Result<Json<serde_json::Value>, ControlError> {
    state
        .reset()
        .map_err(|e| ControlError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let users = state.read_tenant().users.len();
    Ok(Json(json!({ "reset": true, "users": users })))
}

/// `GET /_sim/state`.
#[derive(Debug, Serialize)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Seed.
    pub seed: u64,
    /// Tenant id.
    pub tenant_id: String,
    /// Simulated now.
    pub now: chrono::DateTime<chrono::Utc>,
    /// Clock scale.
    pub scale: f64,
    /// Live users.
    pub users: usize,
    /// Users whose `mail` is empty.
    pub empty_mail_users: usize,
    /// Mailboxes.
    pub mailboxes: usize,
    /// Groups.
    pub groups: usize,
    /// Write-backs scheduled and not landed.
    pub pending_writebacks: usize,
    /// Write-backs held for stuck users.
    pub held_writebacks: usize,
    /// Users that are stuck.
    pub stuck_users: usize,
    /// Addresses reserved now.
    pub reserved_addresses: usize,
    /// Directory audit events.
    pub audit_events: usize,
    /// Request log entries.
    pub requests: usize,
}

async fn summary(State(state): State<AppState>) -> Json<Summary> {
    let now = state.clock.now();
    let scenario = state
        .scenario
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .name
        .clone();
    let tenant = state.read_tenant();
    let live = || tenant.users.iter().filter(|u| !u.deleted);
    Json(Summary {
        scenario,
        seed: state.seed,
        tenant_id: tenant.id.to_string(),
        now,
        scale: state.clock.scale(),
        users: live().count(),
        empty_mail_users: live()
            .filter(|u| u.mail.as_deref().is_none_or(str::is_empty))
            .count(),
        mailboxes: tenant.mailboxes.len(),
        groups: tenant.groups.len(),
        pending_writebacks: tenant.writebacks.len(),
        held_writebacks: tenant.held_writebacks.len(),
        stuck_users: live().filter(|u| u.stuck).count(),
        reserved_addresses: tenant.reserved_count(now),
        audit_events: tenant.audits.len(),
        requests: state.log.len(),
    })
}

#[derive(Deserialize)]
struct After {
    #[serde(default)]
    after: u64,
}

async fn requests(
    State(state): State<AppState>,
    Query(after): Query<After>,
) -> Json<Vec<LogEntry>> {
    Json(state.log.since(after.after))
}

async fn clear_requests(State(state): State<AppState>) -> StatusCode {
    state.log.clear();
    StatusCode::NO_CONTENT
}

async fn faults(State(state): State<AppState>) -> Json<FaultConfig> {
    Json(state.faults.config())
}

async fn set_faults(
    State(state): State<AppState>,
    body: axum::body::Bytes,
) -> Result<Json<FaultConfig>, ControlError> {
    let config: FaultConfig = serde_json::from_slice(&body).map_err(bad_body)?;
    if config.rules.iter().any(|r| !(0.0..=1.0).contains(&r.rate)) {
        return Err(bad_body("every rule's rate must be between 0 and 1"));
    }
    state.faults.set_config(config.clone());
    Ok(Json(config))
}

async fn behaviour(State(state): State<AppState>) -> Json<BehaviourSpec> {
    Json(state.behaviour())
}

/// Replaces the behaviour: throttling limits and fault settings follow at once; delays, lags and
/// reservations apply to what happens next.
async fn set_behaviour(
    State(state): State<AppState>,
    body: axum::body::Bytes,
) -> Result<Json<BehaviourSpec>, ControlError> {
    let spec: BehaviourSpec = serde_json::from_slice(&body).map_err(bad_body)?;
    let limits = Limits::from_map(&spec.limits).map_err(bad_body)?;
    state.throttle.set_limits(limits);
    state.faults.set_config(fault_config(&spec));
    *state
        .behaviour
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = spec.clone();
    Ok(Json(spec))
}

fn clock_json(state: &AppState) -> Json<serde_json::Value> {
    Json(json!({ "now": state.clock.now(), "scale": state.clock.scale() }))
}

async fn clock(State(state): State<AppState>) -> Json<serde_json::Value> {
    clock_json(&state)
}

#[derive(Deserialize)]
struct Advance {
    seconds: f64,
}

async fn advance(
    State(state): State<AppState>,
    body: axum::body::Bytes,
) -> Result<Json<serde_json::Value>, ControlError> {
    let Advance { seconds } = serde_json::from_slice(&body).map_err(bad_body)?;
    if !seconds.is_finite() || seconds < 0.0 {
        return Err(bad_body(
            "seconds must be a finite number >= 0 (time only moves forward)",
        ));
    }
    state.clock.advance(Duration::from_secs_f64(seconds));
    Ok(clock_json(&state))
}

#[derive(Deserialize)]
struct Scale {
    scale: f64,
}

async fn scale(
    State(state): State<AppState>,
    body: axum::body::Bytes,
) -> Result<Json<serde_json::Value>, ControlError> {
    let Scale { scale } = serde_json::from_slice(&body).map_err(bad_body)?;
    if !scale.is_finite() || scale <= 0.0 {
        return Err(bad_body("scale must be a finite number > 0"));
    }
    state.clock.set_scale(scale);
    Ok(clock_json(&state))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Expire {
    #[serde(default)]
    answer: ExpiryAnswer,
}

/// `POST /_sim/delta/expire` `{"answer": "expired"|"reset"}`: every delta link handed out so far
/// stops working.
async fn expire_delta(
    State(state): State<AppState>,
    body: axum::body::Bytes,
) -> Result<Json<serde_json::Value>, ControlError> {
    let Expire { answer } = match body.is_empty() {
        true => Expire::default(),
        false => serde_json::from_slice(&body).map_err(bad_body)?,
    };
    let generation = state.delta_tokens.expire_all(answer);
    Ok(Json(json!({ "generation": generation, "answer": answer })))
}

async fn unstick(State(state): State<AppState>) -> Json<serde_json::Value> {
    let (unstuck, scheduled) = state.unstick();
    Json(json!({ "unstuck": unstuck, "scheduled": scheduled }))
}
