//! Onboarding and leaving over time: `POST /_sim/users/hire` (new starters now),
//! `GET|POST /_sim/users/hire-rate` (continuous hiring on the simulated clock), and
//! `DELETE /_sim/users/{key}` (a leaver: soft-deleted, `@removed` in the next delta round).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::plane::{ControlError, bad_body};
use crate::scenario::hire::{self, HireError, HireRequest};
use crate::state::AppState;

/// `POST /_sim/users/hire`: `{"count": N, "defects"?: {"empty-mail": share, ...}, "groups"?: [...]}`.
pub async fn hire(
    State(state): State<AppState>,
    body: axum::body::Bytes,
) -> Result<Json<Value>, ControlError> {
    let request: HireRequest = serde_json::from_slice(&body).map_err(bad_body)?;
    let hired = hire::hire(&state, &request).map_err(|e| match e {
        HireError::Build(_) => ControlError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        _ => bad_body(e),
    })?;
    Ok(Json(json!({ "hired": hired })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Rate {
    per_hour: f64,
}

/// `GET /_sim/users/hire-rate`.
pub async fn rate(State(state): State<AppState>) -> Json<Value> {
    Json(json!({ "per_hour": state.hiring.per_hour() }))
}

/// `POST /_sim/users/hire-rate`: `{"per_hour": N}` (0 stops).
pub async fn set_rate(
    State(state): State<AppState>,
    body: axum::body::Bytes,
) -> Result<Json<Value>, ControlError> {
    let Rate { per_hour } = serde_json::from_slice(&body).map_err(bad_body)?;
    if !(per_hour.is_finite() && per_hour >= 0.0) {
        return Err(bad_body("per_hour must be a number >= 0"));
    }
    state.hiring.set(per_hour, state.clock.now());
    Ok(Json(json!({ "per_hour": state.hiring.per_hour() })))
}

/// `DELETE /_sim/users/{key}`: the user leaves (soft-deleted, restorable, as Entra ID keeps
/// deleted users for 30 days); its next delta entry is `@removed` with reason `changed`.
pub async fn leave(
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<StatusCode, ControlError> {
    let mut tenant = state.write_tenant();
    let idx = tenant.user_by_key(&key).ok_or_else(|| {
        ControlError(
            StatusCode::NOT_FOUND,
            format!("no user '{key}' in the tenant"),
        )
    })?;
    tenant.users[idx as usize].deleted = true;
    tenant.touch_user(idx);
    Ok(StatusCode::NO_CONTENT)
}
