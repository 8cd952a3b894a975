//! Sign-in state kept beside the signing key: it survives `/_sim/reset` (which rebuilds the tenant
//! from the scenario, without the certificates generated at start).

use std::collections::HashMap;
use std::sync::RwLock;

use super::assertion::ReplayCache;
use super::device_code::DeviceFlows;

/// Sign-in state.
#[derive(Debug, Default)]
pub struct SignInStore {
    /// Client-assertion `jti`s seen.
    pub replays: ReplayCache,
    /// Device-code sign-ins and refresh tokens.
    pub device: DeviceFlows,
    certificates: RwLock<HashMap<String, Vec<Vec<u8>>>>,
}

impl SignInStore {
    /// Remembers a certificate credential generated for `client_id` at start.
    pub fn register_certificate(&self, client_id: &str, der: Vec<u8>) {
        self.certificates
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(client_id.to_owned())
            .or_default()
            .push(der);
    }

    /// Certificates generated for `client_id` at start.
    pub fn certificates(&self, client_id: &str) -> Vec<Vec<u8>> {
        self.certificates
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(client_id)
            .cloned()
            .unwrap_or_default()
    }
}
