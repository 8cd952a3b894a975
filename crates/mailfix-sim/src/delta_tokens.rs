//! How long `users/delta` state tokens stay usable, and the control-plane switch that makes every
//! token handed out so far unusable at once.
//!
//! Microsoft documents two ways a delta link stops working (delta-query-overview.md, "Token
//! duration" and "Synchronization reset"): a token older than the limit (seven days for directory
//! objects) is answered with a 40X error whose code is `syncStateNotFound`, and a tenant under
//! maintenance answers `410 Gone` with a `Location` header that starts a fresh round. The simulator
//! answers both as `410 Gone`: `syncStateNotFound` for an expired token, `resyncRequired` with a
//! `Location` for a reset.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::GraphError;

/// How a token made unusable by the control plane is answered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExpiryAnswer {
    /// `410 Gone`, code `syncStateNotFound` (the token expired).
    #[default]
    Expired,
    /// `410 Gone`, code `resyncRequired`, with a `Location` that starts a new round.
    Reset,
}

/// The generation of delta tokens: a token remembers the generation it was issued in, and one
/// from an older generation is refused.
#[derive(Debug, Default)]
pub struct DeltaTokens {
    generation: AtomicU64,
    answer: Mutex<ExpiryAnswer>,
}

/// Why a delta token is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Older than the lifetime, or expired by the control plane with [`ExpiryAnswer::Expired`].
    Expired,
    /// Reset by the control plane with [`ExpiryAnswer::Reset`].
    Reset,
}

impl DeltaTokens {
    /// The generation new tokens are issued in.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Makes every token issued so far unusable; later calls with them get `answer`. Returns the
    /// new generation.
    pub fn expire_all(&self, answer: ExpiryAnswer) -> u64 {
        *self
            .answer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = answer;
        self.generation.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Whether a token of `generation`, issued at `issued`, may still be used at `now`.
    pub fn check(
        &self,
        generation: u64,
        issued: DateTime<Utc>,
        now: DateTime<Utc>,
        lifetime_s: f64,
    ) -> Result<(), Refusal> {
        if generation < self.generation() {
            let answer = *self
                .answer
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            return Err(match answer {
                ExpiryAnswer::Expired => Refusal::Expired,
                ExpiryAnswer::Reset => Refusal::Reset,
            });
        }
        let age = (now - issued).num_milliseconds() as f64 / 1000.0;
        if age > lifetime_s {
            return Err(Refusal::Expired);
        }
        Ok(())
    }
}

impl Refusal {
    /// The Graph error for this refusal (a reset also carries a `Location`, added by the route).
    pub fn error(self) -> GraphError {
        match self {
            Refusal::Expired => GraphError::new(
                StatusCode::GONE,
                "syncStateNotFound",
                "The sync state of this delta token was not found or has expired. Start a new delta round without a token.",
            ),
            Refusal::Reset => GraphError::new(
                StatusCode::GONE,
                "resyncRequired",
                "A full resynchronization is required. Follow the Location header to start a new delta round.",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_expire_by_age_and_by_generation() {
        let tokens = DeltaTokens::default();
        let issued = Utc::now();
        let later = issued + chrono::Duration::seconds(100);
        assert_eq!(tokens.check(0, issued, later, 200.0), Ok(()));
        assert_eq!(
            tokens.check(0, issued, later, 50.0),
            Err(Refusal::Expired),
            "older than the lifetime"
        );
        assert_eq!(tokens.expire_all(ExpiryAnswer::Reset), 1);
        assert_eq!(tokens.check(0, issued, later, 200.0), Err(Refusal::Reset));
        assert_eq!(
            tokens.check(1, issued, later, 200.0),
            Ok(()),
            "new tokens work"
        );
        assert_eq!(Refusal::Reset.error().status, StatusCode::GONE);
    }
}
