//! `POST /_sim/registration/attempts`: users try the combined SSPR/MFA registration now. Each attempt
//! fails while the user's `mail` is empty and succeeds otherwise, and leaves its directory audit
//! events (`scenario::build::record_attempt`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rand::seq::IndexedRandom;
use serde::{Deserialize, Serialize};

use super::plane::{ControlError, bad_body};
use crate::model::UserType;
use crate::scenario::build::record_attempt;
use crate::state::AppState;

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
    let count = request.count.unwrap_or(1);
    let now = state.clock.now();
    let mut tenant = state.write_tenant();
    let mut rng = state.lock_rng();
    let who: Vec<(u32, usize)> = match &request.users {
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
            .collect::<Result<_, _>>()?,
        None => {
            let candidates: Vec<u32> = (0..tenant.users.len())
                .filter(|&i| {
                    let u = &tenant.users[i];
                    !u.deleted && u.account_enabled && u.user_type == UserType::Member
                })
                .filter_map(|i| u32::try_from(i).ok())
                .collect();
            candidates
                .sample(&mut *rng, count)
                .map(|&idx| (idx, 1))
                .collect()
        }
    };
    let mut response = AttemptsResponse {
        attempts: Vec::new(),
        succeeded: 0,
        failed: 0,
    };
    for (idx, times) in who {
        for _ in 0..times {
            let success = record_attempt(&mut tenant, idx, now, &mut rng);
            *(if success {
                &mut response.succeeded
            } else {
                &mut response.failed
            }) += 1;
            let upn = tenant.users[idx as usize].user_principal_name.clone();
            response.attempts.push(Attempt { upn, success });
        }
    }
    Ok(Json(response))
}
