//! The discovery documents MSAL and azure-identity read before they ask for a token: the OpenID
//! configuration (`/{tenant}/v2.0/.well-known/openid-configuration`) and instance discovery
//! (`/common/discovery/instance`), with the keys and values of the recorded real responses
//! (`reference/fixtures/entra-recorded-client-credentials.json`), pointing at this simulator.

use serde_json::{Value, json};
use url::Url;

use super::aadsts::AadError;

/// Which tenant a path segment names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TenantSegment {
    /// The simulated tenant, by id or one of its domains; holds the tenant id.
    Tenant(String),
    /// `common`: any account.
    Common,
    /// `organizations`: any work or school account.
    Organizations,
}

impl TenantSegment {
    /// The segment the service writes into endpoint URLs: the tenant id for a tenant (also when the
    /// request named a domain), else `common` / `organizations`.
    pub fn path(&self) -> &str {
        match self {
            TenantSegment::Tenant(id) => id,
            TenantSegment::Common => "common",
            TenantSegment::Organizations => "organizations",
        }
    }
}

/// Resolves a `{tenant}` path segment against the simulated tenant's id and domains.
pub fn resolve_tenant(
    segment: &str,
    tenant_id: &str,
    domains: &[&str],
) -> Result<TenantSegment, AadError> {
    if segment.eq_ignore_ascii_case("common") {
        return Ok(TenantSegment::Common);
    }
    if segment.eq_ignore_ascii_case("organizations") {
        return Ok(TenantSegment::Organizations);
    }
    let by_id = uuid::Uuid::parse_str(segment)
        .ok()
        .is_some_and(|id| id.to_string().eq_ignore_ascii_case(tenant_id));
    if by_id || domains.iter().any(|d| d.eq_ignore_ascii_case(segment)) {
        return Ok(TenantSegment::Tenant(tenant_id.to_owned()));
    }
    Err(AadError::unknown_tenant(segment))
}

/// The v2.0 OpenID configuration for `tenant`, every endpoint under `base` (`https://127.0.0.1:PORT`).
pub fn openid_configuration(base: &str, tenant: &TenantSegment) -> Value {
    let t = tenant.path();
    let issuer_tenant = match tenant {
        TenantSegment::Tenant(id) => id.as_str(),
        // The real multi-tenant documents carry this literal placeholder.
        _ => "{tenantid}",
    };
    let host = base
        .split_once("://")
        .map_or(base, |(_, rest)| rest.trim_end_matches('/'));
    json!({
        "token_endpoint": format!("{base}/{t}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{base}/{t}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": format!("{base}/{issuer_tenant}/v2.0"),
        "request_uri_parameter_supported": false,
        "userinfo_endpoint": format!("{base}/oidc/userinfo"),
        "authorization_endpoint": format!("{base}/{t}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{base}/{t}/oauth2/v2.0/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{base}/{t}/oauth2/v2.0/logout"),
        "claims_supported": [
            "sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name",
            "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username",
            "name", "tid", "ver", "at_hash", "c_hash", "email"
        ],
        "kerberos_endpoint": format!("{base}/{t}/kerberos"),
        "tenant_region_scope": "WW",
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": host,
        "rbac_url": "https://pas.windows.net",
    })
}

/// Instance discovery: where the tenant's OpenID configuration is, and this host's aliases. The
/// `authorization_endpoint` query parameter (MSAL sends `https://host/{tenant}/oauth2/v2.0/authorize`)
/// must name this simulator's host; the tenant defaults to `common`.
pub fn instance_discovery(
    base: &str,
    authorization_endpoint: Option<&str>,
    api_version: Option<&str>,
) -> Result<Value, AadError> {
    let ours = Url::parse(base).map_err(|_| AadError::invalid_instance())?;
    let host = authority(&ours);
    let tenant = match authorization_endpoint {
        None => "common".to_owned(),
        Some(endpoint) => {
            let asked = Url::parse(endpoint).map_err(|_| AadError::invalid_instance())?;
            if !authority(&asked).eq_ignore_ascii_case(&host) {
                return Err(AadError::invalid_instance());
            }
            asked
                .path_segments()
                .and_then(|mut s| s.next())
                .filter(|s| !s.is_empty())
                .unwrap_or("common")
                .to_owned()
        }
    };
    Ok(json!({
        "tenant_discovery_endpoint": format!("{base}/{tenant}/v2.0/.well-known/openid-configuration"),
        "api-version": api_version.unwrap_or("1.1"),
        "metadata": [{
            "preferred_network": host,
            "preferred_cache": host,
            "aliases": [host],
        }],
    }))
}

/// `host[:port]` of a URL, as the service lists hosts in instance metadata.
fn authority(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_owned(),
        _ => String::new(),
    }
}
