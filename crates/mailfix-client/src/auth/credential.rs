//! How the app signs in: a client secret, a certificate, or the device code flow for delegated use.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::certificate::ClientCertificate;
use crate::secret::Secret;

/// What the user must do to finish a device-code sign-in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceCodePrompt {
    /// The code to enter.
    pub user_code: String,
    /// Where to enter it.
    pub verification_uri: String,
    /// The service's ready-made instruction ("To sign in, use a web browser to open ...").
    pub message: Option<String>,
    /// How long the code stays valid.
    pub expires_in: Duration,
}

/// Called once per device-code sign-in to show the prompt (the binary prints it).
pub type DevicePromptFn = Arc<dyn Fn(&DeviceCodePrompt) + Send + Sync>;

/// Delegated sign-in with the device code flow.
#[derive(Clone)]
pub struct DeviceCodeOptions {
    /// The public client's application id.
    pub client_id: String,
    /// Where to keep the refresh token (written with mode 0600); `None` keeps it in memory only.
    pub cache_file: Option<PathBuf>,
    /// Shows the user code and verification URL.
    pub prompt: DevicePromptFn,
}

impl fmt::Debug for DeviceCodeOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceCodeOptions")
            .field("client_id", &self.client_id)
            .field("cache_file", &self.cache_file)
            .finish_non_exhaustive()
    }
}

/// The app's credential.
#[derive(Clone, Debug)]
pub enum Credential {
    /// App-only with a client secret (from `MAILFIX_CLIENT_SECRET` or a file; never argv).
    Secret {
        /// Application (client) id.
        client_id: String,
        /// The secret value.
        secret: Secret,
    },
    /// App-only with a certificate, sent as a signed client assertion.
    Certificate {
        /// Application (client) id.
        client_id: String,
        /// Certificate and key.
        certificate: ClientCertificate,
    },
    /// Delegated, device code flow with a cached refresh token.
    DeviceCode(DeviceCodeOptions),
}

impl Credential {
    /// The application (client) id.
    pub fn client_id(&self) -> &str {
        match self {
            Credential::Secret { client_id, .. } | Credential::Certificate { client_id, .. } => {
                client_id
            }
            Credential::DeviceCode(o) => &o.client_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_the_secret() {
        let c = Credential::Secret {
            client_id: "app".into(),
            secret: Secret::new("s3cr3t-value"),
        };
        let shown = format!("{c:?}");
        assert!(
            shown.contains("app") && !shown.contains("s3cr3t"),
            "{shown}"
        );
    }
}
