//! App registrations: who may sign in, with which credential, and which permissions they were granted.

/// A certificate credential registered on an app (the public certificate only).
#[derive(Clone, Debug)]
pub struct CertificateCredential {
    /// The certificate, DER-encoded.
    pub der: Vec<u8>,
}

/// An app registration and its granted permissions.
#[derive(Clone)]
pub struct AppRegistration {
    /// `appId` / `client_id`.
    pub client_id: String,
    /// The role the scenario gave the app (`main`, `cert`, `limited`, or another name).
    pub role: String,
    /// Display name, shown in errors and the request log.
    pub display_name: String,
    /// Client secrets (values). Never logged.
    pub secrets: Vec<String>,
    /// Certificate credentials.
    pub certificates: Vec<CertificateCredential>,
    /// Graph application permissions (`roles` claim), e.g. `User.Read.All`.
    pub graph_roles: Vec<String>,
    /// Exchange application permissions, e.g. `Exchange.ManageAsApp`.
    pub exchange_roles: Vec<String>,
    /// Directory roles held by the app's service principal, e.g. `Exchange Administrator`.
    pub directory_roles: Vec<String>,
    /// Whether public-client flows (device code) are allowed.
    pub public_client: bool,
}

impl std::fmt::Debug for AppRegistration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppRegistration")
            .field("client_id", &self.client_id)
            .field("role", &self.role)
            .field("display_name", &self.display_name)
            .field(
                "secrets",
                &format_args!("[{} redacted]", self.secrets.len()),
            )
            .field("certificates", &self.certificates.len())
            .field("graph_roles", &self.graph_roles)
            .field("exchange_roles", &self.exchange_roles)
            .field("directory_roles", &self.directory_roles)
            .field("public_client", &self.public_client)
            .finish()
    }
}
