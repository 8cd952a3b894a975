//! Where this tenant's Exchange admin API is, found once per client before the first cmdlet, as
//! CISA ScubaGear's `Get-ExchangeOnlineApiEndpoint` finds it (`EXORestHelper.psm1`): `GET
//! {front door}/AdminApi/v1.0/{tenant id}/EXOModuleFile` without following redirects; on a 3xx
//! the first label of the `Location` host is a prefix and cmdlets go to
//! `https://{prefix}.{front door host}/adminapi/beta/{tenant id}/InvokeCommand`, otherwise to the
//! front door. "Some tenants get redirected to a tenant-specific subdomain" (ScubaGear).
//!
//! The URL names the tenant by id: the configured tenant when it is a GUID, else the token's
//! `tid`. The anchor (`X-AnchorMailbox`) is the signed-in user for a delegated token (`UPN:{upn}`,
//! GreyCorbel ExoHelper `New-ExoConnection.ps1`), and Exchange's system mailbox for an app-only
//! token: `UPN:SystemMailbox{…}@{initial domain}` (ScubaGear) when the tenant is configured as
//! its initial domain, `APP:SystemMailbox{…}@{tenant id}` (CIPP `New-ExoRequest.ps1`) otherwise.

use http::{HeaderName, HeaderValue, Method};
use url::{Host, Url};

use super::Exchange;
use crate::auth::TokenClaims;
use crate::cloud::Resource;
use crate::error::{Error, Service};
use crate::permission::Permission;
use crate::request::Request;

/// The mailbox Exchange routes app-only admin calls to.
const SYSTEM_MAILBOX: &str = "SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}";

/// Where cmdlets go, and how they are anchored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExchangeEndpoint {
    /// Base URL of the host that serves `InvokeCommand` (no trailing slash).
    pub base: String,
    /// The tenant segment of the URL (the tenant id when known).
    pub tenant: String,
    /// The prefix of the tenant-specific host the front door redirected to, if it did.
    pub redirected_to: Option<String>,
    /// `X-AnchorMailbox`.
    pub anchor: String,
}

impl ExchangeEndpoint {
    /// `{base}/adminapi/beta/{tenant}/InvokeCommand`.
    pub fn invoke_url(&self) -> String {
        format!(
            "{}/adminapi/beta/{}/InvokeCommand",
            self.base,
            crate::ids::encode_segment(&self.tenant)
        )
    }
}

/// Whether `s` is a GUID (a tenant id rather than a domain).
fn is_guid(s: &str) -> bool {
    uuid::Uuid::try_parse(s.trim()).is_ok()
}

/// The tenant segment: the configured tenant when it is an id, else the token's `tid`.
pub fn tenant_segment(configured: &str, claims: &TokenClaims) -> String {
    if is_guid(configured) {
        return configured.trim().to_owned();
    }
    claims
        .tid
        .clone()
        .filter(|t| is_guid(t))
        .unwrap_or_else(|| configured.trim().to_owned())
}

/// The anchor for a token: the signed-in user when delegated, Exchange's system mailbox otherwise.
pub fn anchor(configured: &str, tenant_id: &str, claims: &TokenClaims) -> String {
    if let Some(upn) = claims.upn.as_deref().filter(|_| !claims.scp.is_empty()) {
        return format!("UPN:{upn}");
    }
    let t = configured.trim().to_ascii_lowercase();
    let initial = [
        ".onmicrosoft.com",
        ".onmicrosoft.us",
        ".partner.onmschina.cn",
    ]
    .iter()
    .any(|suffix| t.ends_with(suffix));
    if initial {
        format!("UPN:{SYSTEM_MAILBOX}@{}", configured.trim())
    } else {
        format!("APP:{SYSTEM_MAILBOX}@{tenant_id}")
    }
}

/// The tenant-specific base URL for a redirect to `location`: `https://{prefix}.{front door
/// host}` (the front door's scheme and port kept), or `None` when the front door is an IP
/// address or the prefix is not a host label.
pub fn tenant_host(front_door: &Url, location: &str) -> Option<(String, String)> {
    let target = front_door.join(location).ok()?;
    let prefix = target.host_str()?.split('.').next()?.to_ascii_lowercase();
    let label_ok = !prefix.is_empty()
        && prefix.len() <= 63
        && prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-');
    let Some(Host::Domain(host)) = front_door.host() else {
        return None;
    };
    if !label_ok || host.to_ascii_lowercase().starts_with(&format!("{prefix}.")) {
        return None;
    }
    let port = front_door
        .port()
        .map(|p| format!(":{p}"))
        .unwrap_or_default();
    let base = format!("{}://{prefix}.{host}{port}", front_door.scheme());
    Some((prefix, base))
}

impl Exchange {
    /// This tenant's Exchange endpoint, discovered on first use and kept for the client's life.
    pub async fn endpoint(&self) -> Result<ExchangeEndpoint, Error> {
        let client = &self.client;
        client
            .inner
            .exchange_endpoint
            .get_or_try_init(|| self.discover())
            .await
            .cloned()
    }

    async fn discover(&self) -> Result<ExchangeEndpoint, Error> {
        let inner = &self.client.inner;
        // A token that is no JWT (some test servers) names no tenant or user: fall back to the
        // configured tenant and the app-only anchor.
        let claims = match self.client.token_claims(Resource::Exchange).await {
            Ok(claims) => claims,
            Err(e) if e.kind() == &crate::ErrorKind::Decode => TokenClaims::default(),
            Err(e) => return Err(e),
        };
        let tenant = tenant_segment(&inner.tenant, &claims);
        let anchor = inner
            .exchange_anchor
            .clone()
            .unwrap_or_else(|| anchor(&inner.tenant, &tenant, &claims));
        let front_door = &inner.endpoints.exchange;
        let probe = format!(
            "{front_door}/AdminApi/v1.0/{}/EXOModuleFile",
            crate::ids::encode_segment(&tenant)
        );
        let url = Url::parse(&probe)
            .map_err(|e| Error::config(format!("invalid Exchange URL {probe}: {e}")))?;
        let value = HeaderValue::from_str(&anchor)
            .map_err(|_| Error::config("invalid value for header x-anchormailbox"))?;
        let req = Request::new(Service::Exchange, Method::GET, url.clone(), "EXOModuleFile")
            .permission(Permission::ExchangeManageAsApp)
            .header(HeaderName::from_static("x-anchormailbox"), value);
        let resp = self.client.send(&req).await?;
        let location = resp
            .status()
            .is_redirection()
            .then(|| resp.header_str("location"))
            .flatten();
        let redirect = location.and_then(|l| tenant_host(&url, l));
        if location.is_some() && redirect.is_none() {
            tracing::warn!(
                location = location.unwrap_or_default(),
                "the Exchange front door redirected to a host mailfix cannot derive from the \
                 configured Exchange URL; using the front door"
            );
        }
        let (redirected_to, base) = match redirect {
            Some((prefix, base)) => (Some(prefix), base),
            None => (None, front_door.clone()),
        };
        Ok(ExchangeEndpoint {
            base,
            tenant,
            redirected_to,
            anchor,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TID: &str = "0785ef7c-2d7a-4542-b048-95bcab406e0b";

    fn claims(tid: Option<&str>, upn: Option<&str>, scp: &[&str]) -> TokenClaims {
        TokenClaims {
            tid: tid.map(str::to_owned),
            upn: upn.map(str::to_owned),
            scp: scp.iter().map(|s| (*s).to_owned()).collect(),
            ..TokenClaims::default()
        }
    }

    #[test]
    fn a_redirect_gives_the_real_clouds_tenant_specific_invoke_url() {
        let front = Url::parse("https://outlook.office365.com").unwrap();
        let location =
            format!("https://nam13b.outlook.office365.com/AdminApi/v1.0/{TID}/EXOModuleFile");
        let (prefix, base) = tenant_host(&front, &location).unwrap();
        assert_eq!(prefix, "nam13b");
        let endpoint = ExchangeEndpoint {
            base,
            tenant: TID.to_owned(),
            redirected_to: Some(prefix),
            anchor: String::new(),
        };
        assert_eq!(
            endpoint.invoke_url(),
            format!("https://nam13b.outlook.office365.com/adminapi/beta/{TID}/InvokeCommand")
        );
        // DoD keeps its own front door as the suffix, as ScubaGear's backend suffix does.
        let dod = Url::parse("https://outlook-dod.office365.us").unwrap();
        let (_, base) = tenant_host(&dod, "https://dod07.outlook-dod.office365.us/x").unwrap();
        assert_eq!(base, "https://dod07.outlook-dod.office365.us");
        // A relative Location, and a local front door with a port.
        let local = Url::parse("https://localhost:8443").unwrap();
        let (_, base) = tenant_host(&local, "https://nam13b.localhost:8443/AdminApi").unwrap();
        assert_eq!(base, "https://nam13b.localhost:8443");
        assert!(tenant_host(&front, "/AdminApi/v1.0/x/EXOModuleFile").is_none());
        // An IP front door cannot take a prefix; a label that is not one is refused.
        let ip = Url::parse("https://127.0.0.1:8443").unwrap();
        assert!(tenant_host(&ip, "https://nam13b.localhost:8443/").is_none());
        assert!(tenant_host(&front, "https://bad_label.outlook.office365.com/").is_none());
    }

    #[test]
    fn the_url_names_the_tenant_id_from_the_token_when_a_domain_is_configured() {
        let c = claims(Some(TID), None, &[]);
        assert_eq!(tenant_segment("contoso.com", &c), TID);
        assert_eq!(tenant_segment(TID, &claims(None, None, &[])), TID);
        assert_eq!(
            tenant_segment("contoso.com", &claims(None, None, &[])),
            "contoso.com"
        );
    }

    #[test]
    fn anchors_follow_the_token_kind_and_the_configured_tenant() {
        let app = claims(Some(TID), None, &[]);
        assert_eq!(
            anchor("contoso.onmicrosoft.com", TID, &app),
            format!("UPN:{SYSTEM_MAILBOX}@contoso.onmicrosoft.com")
        );
        assert_eq!(
            anchor("contoso.com", TID, &app),
            format!("APP:{SYSTEM_MAILBOX}@{TID}")
        );
        let delegated = claims(Some(TID), Some("admin@contoso.com"), &["Exchange.Manage"]);
        assert_eq!(
            anchor("contoso.com", TID, &delegated),
            "UPN:admin@contoso.com"
        );
    }
}
