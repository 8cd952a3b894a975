//! Device-code sign-ins (docs/protocol.md §5.3) and the refresh tokens delegated sign-ins hand out.
//!
//! A sign-in starts at `/devicecode`, waits until the control plane approves or declines its user code
//! (`POST /_sim/devicecode/approve`, standing in for the user at the verification page), and is
//! redeemed once by polling the token endpoint. Refresh tokens rotate: each redemption returns a new
//! one and retires the old. Codes and refresh tokens are secrets and never appear in `Debug` output.

use std::collections::HashMap;
use std::sync::Mutex;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};

use super::aadsts::AadError;
use super::scopes::RequestedScopes;

/// Characters of a user code: upper-case letters and digits without the easily confused ones.
const USER_CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/// Refresh token lifetime (simulated): the service's 90-day inactivity window.
pub const REFRESH_LIFETIME_DAYS: i64 = 90;

/// The user who approved a sign-in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedInUser {
    /// User principal name.
    pub upn: String,
    /// Object id.
    pub user_id: String,
    /// Display name (`name` in the id token).
    pub display_name: String,
    /// Directory roles the user holds (`wids`), e.g. `Exchange Administrator`.
    pub directory_roles: Vec<String>,
}

#[derive(Clone)]
enum FlowState {
    Pending,
    Approved(SignedInUser),
    Declined,
}

#[derive(Clone)]
struct Flow {
    client_id: String,
    user_code: String,
    scopes: RequestedScopes,
    expires: DateTime<Utc>,
    state: FlowState,
}

/// A device-code sign-in just started.
pub struct Started {
    /// The code the client polls with.
    pub device_code: String,
    /// The code the user types at the verification page.
    pub user_code: String,
}

/// What a refresh token stands for.
#[derive(Clone, Debug)]
pub struct RefreshGrant {
    /// The app it was issued to.
    pub client_id: String,
    /// The signed-in user.
    pub user: SignedInUser,
    /// The scopes of the original sign-in.
    pub scopes: RequestedScopes,
    /// When it was issued (simulated).
    pub issued: DateTime<Utc>,
}

/// Why an approval was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ApproveError {
    /// No sign-in has this user code.
    #[error("no device-code sign-in has user code '{0}'")]
    UnknownCode(String),
    /// The sign-in expired.
    #[error("the device-code sign-in with user code '{0}' has expired")]
    Expired(String),
    /// The sign-in was already approved or declined.
    #[error("the device-code sign-in with user code '{0}' was already approved or declined")]
    AlreadyDecided(String),
}

/// Device-code sign-ins by device code, and refresh tokens.
#[derive(Default)]
pub struct DeviceFlows {
    flows: Mutex<HashMap<String, Flow>>,
    refresh: Mutex<HashMap<String, RefreshGrant>>,
}

impl std::fmt::Debug for DeviceFlows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceFlows")
            .field("flows", &lock(&self.flows).len())
            .field("refresh_tokens", &lock(&self.refresh).len())
            .finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::fill(&mut buf[..]);
    URL_SAFE_NO_PAD.encode(buf)
}

fn user_code() -> String {
    (0..9)
        .map(|_| {
            let i = rand::random_range(0..USER_CODE_ALPHABET.len());
            char::from(USER_CODE_ALPHABET[i])
        })
        .collect()
}

impl DeviceFlows {
    /// Starts a sign-in for `client_id` at `now` that expires after `lifetime` (simulated).
    pub fn start(
        &self,
        client_id: &str,
        scopes: RequestedScopes,
        now: DateTime<Utc>,
        lifetime: Duration,
    ) -> Started {
        let started = Started {
            device_code: random_token(48),
            user_code: user_code(),
        };
        let flow = Flow {
            client_id: client_id.to_owned(),
            user_code: started.user_code.clone(),
            scopes,
            expires: now + lifetime,
            state: FlowState::Pending,
        };
        let mut flows = lock(&self.flows);
        // Forget sign-ins that expired long ago, so an idle simulator does not grow.
        flows.retain(|_, f| f.expires + Duration::hours(1) > now);
        flows.insert(started.device_code.clone(), flow);
        started
    }

    /// Approves (`Some(user)`) or declines (`None`) the sign-in with `user_code` at `now`.
    pub fn decide(
        &self,
        user_code: &str,
        user: Option<SignedInUser>,
        now: DateTime<Utc>,
    ) -> Result<(), ApproveError> {
        let mut flows = lock(&self.flows);
        let flow = flows
            .values_mut()
            .find(|f| f.user_code.eq_ignore_ascii_case(user_code.trim()))
            .ok_or_else(|| ApproveError::UnknownCode(user_code.to_owned()))?;
        if now >= flow.expires {
            return Err(ApproveError::Expired(user_code.to_owned()));
        }
        if !matches!(flow.state, FlowState::Pending) {
            return Err(ApproveError::AlreadyDecided(user_code.to_owned()));
        }
        flow.state = match user {
            Some(user) => FlowState::Approved(user),
            None => FlowState::Declined,
        };
        Ok(())
    }

    /// One poll of the token endpoint: the user and scopes once approved (the device code is then
    /// spent), else the polling error.
    pub fn poll(
        &self,
        client_id: &str,
        device_code: &str,
        now: DateTime<Utc>,
    ) -> Result<(SignedInUser, RequestedScopes), AadError> {
        let mut flows = lock(&self.flows);
        let flow = flows
            .get(device_code)
            .filter(|f| f.client_id.eq_ignore_ascii_case(client_id))
            .ok_or_else(AadError::bad_verification_code)?;
        if now >= flow.expires {
            return Err(AadError::expired_token());
        }
        match &flow.state {
            FlowState::Pending => Err(AadError::authorization_pending()),
            FlowState::Declined => Err(AadError::authorization_declined()),
            FlowState::Approved(user) => {
                let done = (user.clone(), flow.scopes.clone());
                flows.remove(device_code);
                Ok(done)
            }
        }
    }

    /// Issues a refresh token for `grant`.
    pub fn issue_refresh(&self, grant: RefreshGrant) -> String {
        let token = format!("1.{}", random_token(96));
        lock(&self.refresh).insert(token.clone(), grant);
        token
    }

    /// Redeems (and retires) a refresh token presented by `client_id` at `now`.
    pub fn redeem_refresh(
        &self,
        token: &str,
        client_id: &str,
        now: DateTime<Utc>,
    ) -> Result<RefreshGrant, AadError> {
        let mut tokens = lock(&self.refresh);
        let grant = tokens
            .get(token)
            .filter(|g| g.client_id.eq_ignore_ascii_case(client_id))
            .cloned()
            .ok_or_else(AadError::invalid_refresh_token)?;
        tokens.remove(token);
        if now >= grant.issued + Duration::days(REFRESH_LIFETIME_DAYS) {
            return Err(AadError::refresh_token_expired(grant.issued));
        }
        Ok(grant)
    }
}
