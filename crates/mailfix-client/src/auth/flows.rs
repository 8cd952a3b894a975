//! App-only sign-in with the `oauth2` crate: client credentials with a secret or with a
//! certificate assertion (PS256 first, RS256 once if the assertion is refused, and remembered).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use oauth2::basic::{BasicClient, BasicTokenResponse};
use oauth2::{
    AuthType, ClientId, ClientSecret, EndpointNotSet, EndpointSet, Scope, TokenResponse as _,
    TokenUrl,
};

use super::aadsts;
use super::assertion::client_assertion;
use super::certificate::{AssertionAlgorithm, ClientCertificate};
use super::credential::Credential;
use super::device;
use super::http::OauthHttp;
use crate::cloud::{Endpoints, Resource};
use crate::error::{Error, ErrorKind, SignInKind};
use crate::execute::Transport;
use crate::secret::Secret;

/// Tokens without `expires_in` are assumed to last this long (the usual 3599 s).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3599);

/// The `oauth2` client type with only the token endpoint set.
pub(crate) type TokenClient =
    BasicClient<EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// A freshly issued access token.
pub(crate) struct Fetched {
    pub(crate) access: Secret,
    pub(crate) lifetime: Duration,
    pub(crate) refresh: Option<Secret>,
}

impl Fetched {
    pub(crate) fn from_response(resp: &BasicTokenResponse) -> Self {
        Self {
            access: Secret::new(resp.access_token().secret().clone()),
            lifetime: resp.expires_in().unwrap_or(DEFAULT_LIFETIME),
            refresh: resp
                .refresh_token()
                .map(|r| Secret::new(r.secret().clone())),
        }
    }
}

/// Everything needed to sign in.
#[derive(Debug)]
pub(crate) struct SignIn {
    pub(crate) endpoints: Endpoints,
    pub(crate) tenant: String,
    pub(crate) credential: Credential,
    pub(crate) device: device::DeviceState,
    prefer_rs256: AtomicBool,
}

impl SignIn {
    pub(crate) fn new(endpoints: Endpoints, tenant: String, credential: Credential) -> Self {
        Self {
            endpoints,
            tenant,
            credential,
            device: device::DeviceState::default(),
            prefer_rs256: AtomicBool::new(false),
        }
    }

    /// An `oauth2` client for the tenant's token endpoint (credentials in the form body).
    pub(crate) fn token_client(&self, client_id: &str) -> Result<TokenClient, Error> {
        let url = TokenUrl::new(self.endpoints.token_url(&self.tenant))
            .map_err(|e| Error::config(format!("invalid token endpoint: {e}")))?;
        Ok(BasicClient::new(ClientId::new(client_id.to_owned()))
            .set_auth_type(AuthType::RequestBody)
            .set_token_uri(url))
    }

    /// Gets a new access token for `resource`.
    pub(crate) async fn fetch(
        &self,
        resource: Resource,
        transport: &Transport,
    ) -> Result<Fetched, Error> {
        let scope = self.endpoints.scope(resource);
        match &self.credential {
            Credential::Secret { client_id, secret } => {
                self.client_credentials(transport, client_id, Some(secret), None, &scope)
                    .await
            }
            Credential::Certificate {
                client_id,
                certificate,
            } => {
                self.with_certificate(transport, client_id, certificate, &scope)
                    .await
            }
            Credential::DeviceCode(options) => {
                device::delegated(self, transport, options, &scope).await
            }
        }
    }

    async fn with_certificate(
        &self,
        transport: &Transport,
        client_id: &str,
        cert: &ClientCertificate,
        scope: &str,
    ) -> Result<Fetched, Error> {
        let first = if self.prefer_rs256.load(Ordering::Relaxed) {
            AssertionAlgorithm::Rs256
        } else {
            cert.algorithm
        };
        match self.assert(transport, client_id, cert, first, scope).await {
            Err(e) if e.kind() == &ErrorKind::SignIn(SignInKind::InvalidAssertion) => {
                let other = match first {
                    AssertionAlgorithm::Ps256 => AssertionAlgorithm::Rs256,
                    AssertionAlgorithm::Rs256 => AssertionAlgorithm::Ps256,
                };
                let fetched = self
                    .assert(transport, client_id, cert, other, scope)
                    .await
                    .map_err(|_| e)?;
                self.prefer_rs256
                    .store(other == AssertionAlgorithm::Rs256, Ordering::Relaxed);
                Ok(fetched)
            }
            result => result,
        }
    }

    /// Client credentials with a fresh assertion signed with `alg`.
    async fn assert(
        &self,
        transport: &Transport,
        client_id: &str,
        cert: &ClientCertificate,
        alg: AssertionAlgorithm,
        scope: &str,
    ) -> Result<Fetched, Error> {
        let token_url = self.endpoints.token_url(&self.tenant);
        let now = chrono::Utc::now().timestamp();
        let jwt = client_assertion(cert, alg, client_id, &token_url, now)?;
        self.client_credentials(transport, client_id, None, Some(jwt), scope)
            .await
    }

    async fn client_credentials(
        &self,
        transport: &Transport,
        client_id: &str,
        secret: Option<&Secret>,
        assertion: Option<String>,
        scope: &str,
    ) -> Result<Fetched, Error> {
        let mut client = self.token_client(client_id)?;
        if let Some(secret) = secret {
            client = client.set_client_secret(ClientSecret::new(secret.expose().to_owned()));
        }
        let mut request = client
            .exchange_client_credentials()
            .add_scope(Scope::new(scope.to_owned()));
        if let Some(jwt) = assertion {
            request = request
                .add_extra_param(
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                )
                .add_extra_param("client_assertion", jwt);
        }
        let http = OauthHttp(transport);
        let resp = request
            .request_async(&http)
            .await
            .map_err(|e| aadsts::from_oauth(e, &self.tenant, client_id))?;
        Ok(Fetched::from_response(&resp))
    }
}
