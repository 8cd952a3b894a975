//! `POST /_sim/registration/attempts`: users try the combined SSPR/MFA registration now, or at
//! random times over a past period (`spread_s`, to build a large audit log in one call). Each
//! attempt fails while the user's `mail` is empty and succeeds otherwise, and leaves its directory
//! audit events (`scenario::registration`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use rand::RngExt;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::plane::{ControlError, bad_body};
use crate::model::{Tenant, UserType};
use crate::scenario::build::record_attempt;
use crate::scenario::registration::append_attempt;
use crate::state::{AppState, SimState};

/// The request: `users` try `count` times each; without `users`, `count` enabled members drawn at
/// random try once each.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttemptsRequest {
    /// UPNs or object ids.
    #[serde(default)]
    pub users: Option<Vec<String>>,
    /// Attempts per user (with `users`) or users drawn (without). Default 1.
    #[serde(default)]
    pub count: Option<usize>,
    /// When set (simulated seconds, > 0), each attempt ends at a random time within this period
    /// before now instead of now.
    #[serde(default)]
    pub spread_s: Option<f64>,
}

/// One attempt's outcome.
#[derive(Debug, Serialize)]
pub struct Attempt {
    /// The user's UPN.
    pub upn: String,
    /// Whether it succeeded.
    pub success: bool,
}

/// The answer.
#[derive(Debug, Serialize)]
pub struct AttemptsResponse {
    /// Every attempt, in order.
    pub attempts: Vec<Attempt>,
    /// How many succeeded.
    pub succeeded: usize,
    /// How many failed.
    pub failed: usize,
}

/// Runs the attempts.
pub async fn attempts(
    State(state): State<AppState>,
    body: axum::body::Bytes,
) -> Result<Json<AttemptsResponse>, ControlError> {
    let request: AttemptsRequest = serde_json::from_slice(&body).map_err(bad_body)?;
    run_attempts(&state, &request).map(Json)
}

/// Runs the attempts a request asks for, in process (what the route does after parsing the body).
pub fn run_attempts(
    state: &SimState,
    request: &AttemptsRequest,
) -> Result<AttemptsResponse, ControlError> {
    let spread = match request.spread_s {
        Some(s) if !(s.is_finite() && s > 0.0) => {
            return Err(ControlError(
                StatusCode::BAD_REQUEST,
                "spread_s must be a number of seconds above 0".into(),
            ));
        }
        other => other,
    };
    let now = state.clock.now();
    let mut tenant = state.write_tenant();
    let mut rng = state.lock_rng();
    let who = who(&tenant, request, &mut rng)?;
    let mut response = AttemptsResponse {
        attempts: Vec::new(),
        succeeded: 0,
        failed: 0,
    };
    for (idx, times) in who {
        for _ in 0..times {
            let success = match spread {
                Some(s) => append_attempt(&mut tenant, idx, past(now, s, &mut rng), &mut rng),
                None => record_attempt(&mut tenant, idx, now, &mut rng),
            };
            *(if success {
                &mut response.succeeded
            } else {
                &mut response.failed
            }) += 1;
            let upn = tenant.users[idx as usize].user_principal_name.clone();
            response.attempts.push(Attempt { upn, success });
        }
    }
    if spread.is_some() {
        // Appended out of order: one stable sort keeps the log in time order.
        tenant.audits.sort_by_key(|e| e.activity_date_time);
    }
    Ok(response)
}

/// A random time within `spread_s` simulated seconds before `now`.
fn past(now: DateTime<Utc>, spread_s: f64, rng: &mut ChaCha8Rng) -> DateTime<Utc> {
    let ago = rng.random_range(0.0..spread_s);
    now - chrono::Duration::microseconds((ago * 1e6) as i64)
}

/// Who tries, and how often: the named users `count` times each, or `count` enabled members drawn
/// at random once each.
fn who(
    tenant: &Tenant,
    request: &AttemptsRequest,
    rng: &mut ChaCha8Rng,
) -> Result<Vec<(u32, usize)>, ControlError> {
    let count = request.count.unwrap_or(1);
    match &request.users {
        Some(keys) => keys
            .iter()
            .map(|key| {
                tenant
                    .user_by_key(key)
                    .map(|idx| (idx, count))
                    .ok_or_else(|| {
                        ControlError(
                            StatusCode::NOT_FOUND,
                            format!("no user '{key}' in the tenant"),
                        )
                    })
            })
            .collect(),
        None => {
            let candidates: Vec<u32> = (0..tenant.users.len())
                .filter(|&i| {
                    let u = &tenant.users[i];
                    !u.deleted && u.account_enabled && u.user_type == UserType::Member
                })
                .filter_map(|i| u32::try_from(i).ok())
                .collect();
            Ok(candidates.sample(rng, count).map(|&idx| (idx, 1)).collect())
        }
    }
}
