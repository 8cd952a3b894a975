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
    /// Told each time a connection could not be opened and the request is tried again (a refused
    /// connection elsewhere than this machine, a timeout): the client never prints.
    pub on_connect_retry: Option<crate::unreachable::OnConnectRetry>,
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
            on_connect_retry: None,
        }
    }
}

/// Checks the tenant before it becomes part of a URL: a tenant id (a GUID) or a domain name
/// (`contoso.onmicrosoft.com`, `contoso.com`: letters, digits and hyphens in dot-separated labels).
pub(crate) fn check_tenant(tenant: &str) -> Result<(), Error> {
    if tenant.trim().is_empty() {
        return Err(Error::config("the tenant is not set"));
    }
    if uuid::Uuid::try_parse(tenant).is_ok() || is_domain_name(tenant) {
        return Ok(());
    }
    Err(Error::config(format!(
        "the tenant '{tenant}' is neither a tenant id (a GUID) nor a domain name"
    ))
    .with_hint(
        "use the directory (tenant) id shown on the Overview page of the Microsoft Entra admin \
         center, or a verified domain such as contoso.onmicrosoft.com (--tenant, MAILFIX_TENANT \
         or tenant in the config profile)",
    ))
}

/// Whether `name` is a DNS domain name of at least two labels.
fn is_domain_name(name: &str) -> bool {
    let labels: Vec<&str> = name.split('.').collect();
    name.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|label| {
            (1..=63).contains(&label.len())
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
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
    fn a_tenant_is_a_guid_or_a_domain_name() {
        for good in [
            "0785ef7c-2d7a-4542-b048-95bcab406e0b",
            "contoso.onmicrosoft.com",
            "contoso.com",
            "my-org.co.uk",
        ] {
            assert!(check_tenant(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "not a tenant/../x",
            "contoso",
            "contoso.com/",
            "-contoso.com",
            "contoso..com",
            "0785ef7c-2d7a-4542-b048",
            "https://login.microsoftonline.com/contoso.com",
        ] {
            assert!(check_tenant(bad).is_err(), "{bad}");
        }
        let err = check_tenant("not a tenant/../x").unwrap_err();
        assert!(
            err.message()
                .contains("neither a tenant id (a GUID) nor a domain name")
        );
        assert!(err.hint().unwrap().contains("--tenant"));
    }

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
