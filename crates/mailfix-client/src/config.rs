//! What a client is built from, and the HTTP client it builds: endpoints, tenant, credential, an
//! optional extra trusted CA (TLS verification is never disabled), retry policy and limits.

use std::path::{Path, PathBuf};

use crate::auth::Credential;
use crate::cloud::{Cloud, Endpoints};
use crate::error::Error;
use crate::pace::Limits;
use crate::retry::RetryPolicy;

/// Everything [`crate::Client::new`] needs.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// Where the services are.
    pub endpoints: Endpoints,
    /// Tenant id (GUID) or a verified domain.
    pub tenant: String,
    /// How to sign in.
    pub credential: Credential,
    /// A PEM file of extra trusted root certificates (e.g. the simulator's CA).
    pub extra_ca: Option<PathBuf>,
    /// Retry bounds.
    pub retry: RetryPolicy,
    /// Concurrency caps and pacing.
    pub limits: Limits,
    /// `X-AnchorMailbox` for Exchange; by default the signed-in user for a delegated token, and
    /// for an app-only token `UPN:SystemMailbox{...}@{tenant}` when the tenant is its initial
    /// `*.onmicrosoft.com` domain, `APP:SystemMailbox{...}@{tenant id}` otherwise (see
    /// `exo/endpoint.rs`).
    pub exchange_anchor: Option<String>,
    /// The `--trace` file every request and answer is recorded in (HAR 1.2), if any.
    pub trace: Option<std::sync::Arc<crate::trace::Trace>>,
}

impl ClientConfig {
    /// A configuration for the global cloud with default retry and limits.
    pub fn new(tenant: impl Into<String>, credential: Credential) -> Self {
        Self {
            endpoints: Endpoints::for_cloud(Cloud::Global),
            tenant: tenant.into(),
            credential,
            extra_ca: None,
            retry: RetryPolicy::default(),
            limits: Limits::default(),
            exchange_anchor: None,
            trace: None,
        }
    }
}

/// Reads extra root certificates: the file must hold at least one PEM `CERTIFICATE` block that
/// parses as X.509.
pub(crate) fn load_ca(path: &Path) -> Result<Vec<reqwest::Certificate>, Error> {
    let bytes = std::fs::read(path).map_err(|e| {
        Error::config(format!("cannot read the CA file {}", path.display())).with_source(e)
    })?;
    let not_pem = || {
        Error::config(format!(
            "the CA file {} is not a PEM certificate (expected '-----BEGIN CERTIFICATE-----')",
            path.display()
        ))
    };
    let mut certs = Vec::new();
    for block in x509_parser::pem::Pem::iter_from_buffer(&bytes) {
        let block = block.map_err(|_| not_pem())?;
        if block.label != "CERTIFICATE" {
            continue;
        }
        block.parse_x509().map_err(|e| {
            Error::config(format!(
                "the CA file {} holds an invalid certificate: {e}",
                path.display()
            ))
        })?;
        certs.push(reqwest::Certificate::from_der(&block.contents).map_err(|_| not_pem())?);
    }
    if certs.is_empty() {
        return Err(not_pem());
    }
    Ok(certs)
}

/// The HTTP client: rustls with the platform's roots plus the extra CA, no redirects (a token must
/// never follow a redirect to another host), a per-request timeout.
pub(crate) fn http_client(config: &ClientConfig) -> Result<reqwest::Client, Error> {
    let mut builder = reqwest::Client::builder()
        .user_agent(concat!("mailfix/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(std::time::Duration::from_secs(15))
        .pool_max_idle_per_host(16);
    if let Some(path) = &config.extra_ca {
        builder = builder.tls_certs_merge(load_ca(path)?);
    }
    if names_localhost(&config.endpoints.exchange) {
        builder = builder.dns_resolver(std::sync::Arc::new(crate::resolver::LocalhostAware));
    }
    builder
        .build()
        .map_err(|e| Error::config("cannot set up the HTTP client").with_source(e))
}

/// Whether an endpoint URL's host is a `localhost` name (Exchange discovery may then lead to a
/// name under it, which the system resolver may not know).
fn names_localhost(url: &str) -> bool {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(crate::cloud::is_localhost_name))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ca_file_must_be_pem() {
        let dir = tempfile::tempdir().unwrap();
        let der = dir.path().join("ca.der");
        std::fs::write(&der, [0x30, 0x82, 0x01, 0x0a, 0x02]).unwrap();
        let err = load_ca(&der).unwrap_err();
        assert!(err.message().contains("is not a PEM certificate"), "{err}");
        let key_only = dir.path().join("key.pem");
        std::fs::write(
            &key_only,
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        )
        .unwrap();
        assert!(load_ca(&key_only).is_err());
        let missing = load_ca(&dir.path().join("nope.pem")).unwrap_err();
        assert!(missing.message().contains("cannot read"), "{missing}");
        let (_, cert_pem, _) = crate::auth::test_cert::pem_certificate();
        let good = dir.path().join("ca.pem");
        std::fs::write(&good, cert_pem).unwrap();
        assert_eq!(load_ca(&good).unwrap().len(), 1);
    }
}
