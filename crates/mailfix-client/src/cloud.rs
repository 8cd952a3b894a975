//! Endpoints per cloud: the sign-in authority, Graph and the Exchange admin host, and the resource
//! ids whose `/.default` scopes tokens are requested for. Each can be overridden (that is how
//! mailfix talks to the simulator); HTTPS is required except to loopback hosts.
//!
//! Sources of the presets (also in `crates/mailfix-sim/COVERAGE.md`, "National clouds"):
//! - sign-in and Graph hosts: microsoft-graph-docs-contrib `concepts/deployments.md`; Graph's
//!   token resource is its own host (`concepts/sdks/national-clouds.md`, "Permission scopes");
//! - Exchange admin API host and token scope for commercial/GCC, GCC High and DoD: CISA ScubaGear
//!   `PowerShell/ScubaGear/Modules/Providers/ProviderHelpers/EXORestHelper.psm1`
//!   (`Get-ExchangeOnlineScope`, `Get-ExchangeOnlineApiEndpoint`): DoD is
//!   `https://outlook-dod.office365.us`, not the old remote-PowerShell host `webmail.apps.mil`;
//! - China (21Vianet): `partner.outlook.cn` is the Exchange host of Microsoft's connection
//!   scripts (`-ConnectionUri https://partner.outlook.cn/PowerShell-LiveID`); that it is also the
//!   REST token resource follows the rule the other clouds confirm (host = resource).

use std::fmt;
use std::str::FromStr;

use url::{Host, Url};

use crate::error::Error;

/// A Microsoft 365 cloud.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Cloud {
    /// Commercial and GCC.
    #[default]
    Global,
    /// US Government GCC High.
    UsGovHigh,
    /// US Government DoD.
    UsGovDod,
    /// China, operated by 21Vianet.
    China,
}

impl Cloud {
    /// The CLI name (`global`, `usgov-high`, `usgov-dod`, `china`).
    pub fn name(self) -> &'static str {
        match self {
            Cloud::Global => "global",
            Cloud::UsGovHigh => "usgov-high",
            Cloud::UsGovDod => "usgov-dod",
            Cloud::China => "china",
        }
    }
}

impl fmt::Display for Cloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Cloud {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s.to_ascii_lowercase().as_str() {
            "global" | "public" | "commercial" => Ok(Cloud::Global),
            "usgov-high" | "gcchigh" | "gcc-high" => Ok(Cloud::UsGovHigh),
            "usgov-dod" | "dod" => Ok(Cloud::UsGovDod),
            "china" => Ok(Cloud::China),
            other => Err(Error::config(format!(
                "unknown cloud '{other}' (expected global, usgov-high, usgov-dod or china)"
            ))),
        }
    }
}

/// The resource a token is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Resource {
    /// Microsoft Graph.
    Graph,
    /// Exchange Online.
    Exchange,
}

/// Where the three services are, and which resource ids tokens are requested for.
///
/// Base URLs carry no trailing slash. Overriding a base URL does not change the resource id: a
/// simulator on `https://127.0.0.1:8443` still issues tokens for `https://graph.microsoft.com`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoints {
    /// Sign-in authority host, e.g. `https://login.microsoftonline.com`.
    pub login: String,
    /// Graph base URL (without `/v1.0`), e.g. `https://graph.microsoft.com`.
    pub graph: String,
    /// Exchange admin API base URL, e.g. `https://outlook.office365.com`.
    pub exchange: String,
    /// Graph resource id (token audience); the scope is `{graph_resource}/.default`.
    pub graph_resource: String,
    /// Exchange resource id; the scope is `{exchange_resource}/.default`.
    pub exchange_resource: String,
}

impl Endpoints {
    /// The preset for a cloud.
    pub fn for_cloud(cloud: Cloud) -> Self {
        // (login, graph, exchange); resources equal the Graph and Exchange hosts (module docs).
        let (login, graph, exchange) = match cloud {
            Cloud::Global => (
                "https://login.microsoftonline.com",
                "https://graph.microsoft.com",
                "https://outlook.office365.com",
            ),
            Cloud::UsGovHigh => (
                "https://login.microsoftonline.us",
                "https://graph.microsoft.us",
                "https://outlook.office365.us",
            ),
            Cloud::UsGovDod => (
                "https://login.microsoftonline.us",
                "https://dod-graph.microsoft.us",
                "https://outlook-dod.office365.us",
            ),
            Cloud::China => (
                "https://login.chinacloudapi.cn",
                "https://microsoftgraph.chinacloudapi.cn",
                "https://partner.outlook.cn",
            ),
        };
        Self {
            login: login.to_owned(),
            graph: graph.to_owned(),
            exchange: exchange.to_owned(),
            graph_resource: graph.to_owned(),
            exchange_resource: exchange.to_owned(),
        }
    }

    /// Overrides the sign-in authority host.
    pub fn with_login(mut self, url: &str) -> Self {
        self.login = trim(url);
        self
    }

    /// Overrides the Graph base URL.
    pub fn with_graph(mut self, url: &str) -> Self {
        self.graph = trim(url);
        self
    }

    /// Overrides the Exchange base URL.
    pub fn with_exchange(mut self, url: &str) -> Self {
        self.exchange = trim(url);
        self
    }

    /// The `.default` scope for a resource.
    pub fn scope(&self, resource: Resource) -> String {
        let id = match resource {
            Resource::Graph => &self.graph_resource,
            Resource::Exchange => &self.exchange_resource,
        };
        format!("{}/.default", id.trim_end_matches('/'))
    }

    /// `{login}/{tenant}/oauth2/v2.0/token`: also the `aud` of client assertions.
    pub fn token_url(&self, tenant: &str) -> String {
        format!("{}/{tenant}/oauth2/v2.0/token", self.login)
    }

    /// `{login}/{tenant}/oauth2/v2.0/devicecode`.
    pub fn device_code_url(&self, tenant: &str) -> String {
        format!("{}/{tenant}/oauth2/v2.0/devicecode", self.login)
    }

    /// Checks every base URL: parseable, and HTTPS unless the host is loopback.
    pub fn validate(&self) -> Result<(), Error> {
        for (name, url) in [
            ("sign-in", &self.login),
            ("Graph", &self.graph),
            ("Exchange", &self.exchange),
        ] {
            check_url(name, url)?;
        }
        Ok(())
    }
}

fn trim(url: &str) -> String {
    url.trim().trim_end_matches('/').to_owned()
}

/// Whether a host name is a loopback name: `localhost` or a name under it (`nam13b.localhost`),
/// which RFC 6761 §6.3 reserves for loopback; the client resolves them to loopback itself.
pub fn is_localhost_name(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "localhost" || host.ends_with(".localhost")
}

/// Whether a URL's host is loopback: `localhost` (or a name under it), 127.0.0.0/8 or `::1`.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => is_localhost_name(d),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Parses an endpoint URL and applies the HTTPS-except-loopback rule.
pub fn check_url(name: &str, url: &str) -> Result<Url, Error> {
    let parsed = Url::parse(url).map_err(|e| {
        Error::config(format!("the {name} URL '{url}' is not a valid URL: {e}"))
            .with_hint(WHOLE_URL_HINT)
    })?;
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if is_loopback(&parsed) => Ok(parsed),
        "http" => Err(Error::config(format!(
            "the {name} URL '{url}' uses plain HTTP; HTTPS is required except to loopback hosts"
        ))
        .with_hint("use https://, or point at 127.0.0.1/localhost for a local simulator")),
        other => Err(Error::config(format!(
            "the {name} URL '{url}' has scheme '{other}'; expected https"
        ))
        .with_hint(WHOLE_URL_HINT)),
    }
}

const WHOLE_URL_HINT: &str = concat!(
    "write the whole base URL with its scheme, e.g. https://graph.microsoft.com, ",
    "or http://127.0.0.1:PORT for a local simulator"
);

#[cfg(test)]
mod tests {
    use super::*;

    // The hosts of each preset are checked against the simulator in `tests/it/sim_auth.rs`.
    #[test]
    fn presets_match_their_sources() {
        let dod = Endpoints::for_cloud(Cloud::UsGovDod);
        assert_eq!(dod.login, "https://login.microsoftonline.us");
        assert_eq!(dod.graph, "https://dod-graph.microsoft.us");
        assert_eq!(dod.exchange, "https://outlook-dod.office365.us");
        assert_eq!(
            dod.scope(Resource::Exchange),
            "https://outlook-dod.office365.us/.default"
        );
        let high = Endpoints::for_cloud(Cloud::UsGovHigh);
        assert_eq!(
            (
                high.login.as_str(),
                high.graph.as_str(),
                high.exchange.as_str()
            ),
            (
                "https://login.microsoftonline.us",
                "https://graph.microsoft.us",
                "https://outlook.office365.us"
            )
        );
        let china = Endpoints::for_cloud(Cloud::China);
        assert_eq!(
            (
                china.login.as_str(),
                china.graph.as_str(),
                china.exchange.as_str()
            ),
            (
                "https://login.chinacloudapi.cn",
                "https://microsoftgraph.chinacloudapi.cn",
                "https://partner.outlook.cn"
            )
        );
    }

    #[test]
    fn every_preset_is_https_and_asks_for_its_own_hosts_as_resources() {
        for cloud in [
            Cloud::Global,
            Cloud::UsGovHigh,
            Cloud::UsGovDod,
            Cloud::China,
        ] {
            let e = Endpoints::for_cloud(cloud);
            assert!(e.validate().is_ok());
            assert!(e.login.starts_with("https://"), "{cloud}");
            assert_eq!(e.scope(Resource::Graph), format!("{}/.default", e.graph));
            assert_eq!(
                e.scope(Resource::Exchange),
                format!("{}/.default", e.exchange)
            );
            assert_eq!(
                e.token_url("t1"),
                format!("{}/t1/oauth2/v2.0/token", e.login)
            );
            assert_eq!(cloud.name().parse::<Cloud>().unwrap(), cloud);
        }
        assert!("mars".parse::<Cloud>().is_err());
    }

    #[test]
    fn overrides_change_hosts_but_not_token_resources() {
        let e = Endpoints::for_cloud(Cloud::Global)
            .with_login("https://127.0.0.1:8443/")
            .with_graph("https://127.0.0.1:8443")
            .with_exchange("http://localhost:9000/");
        assert_eq!(e.login, "https://127.0.0.1:8443");
        assert_eq!(e.exchange, "http://localhost:9000");
        assert_eq!(
            e.scope(Resource::Graph),
            "https://graph.microsoft.com/.default"
        );
        assert!(e.validate().is_ok());
    }

    #[test]
    fn https_is_required_except_to_loopback() {
        for ok in [
            "https://example.com",
            "http://127.0.0.1:1",
            "http://127.8.9.10",
            "http://[::1]:80",
            "http://localhost:3000",
            "http://LOCALHOST",
            "http://nam13b.localhost:3000",
        ] {
            assert!(check_url("x", ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://example.com",
            "http://10.0.0.1",
            "http://localhost.evil.com",
            "ftp://127.0.0.1",
            "not a url",
        ] {
            let err = check_url("x", bad).unwrap_err();
            assert_eq!(err.kind(), &crate::ErrorKind::Config, "{bad}");
            assert!(err.hint().is_some_and(|h| h.contains("https://")), "{bad}");
        }
    }
}
