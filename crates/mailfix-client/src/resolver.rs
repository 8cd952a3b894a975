//! Name resolution when an endpoint is a `localhost` name: names under `.localhost` (the tenant
//! host Exchange discovery may lead to, `nam13b.localhost`, when the Exchange URL names a local
//! simulator as `localhost`) resolve to loopback, as RFC 6761 §6.3 reserves them and as curl and
//! browsers resolve them; every other name goes to the system resolver. Installed only when an
//! endpoint is such a name, so that real endpoints resolve exactly as reqwest resolves them.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::cloud::is_localhost_name;

/// Resolves `localhost` names to loopback and the rest through the system resolver.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct LocalhostAware;

impl Resolve for LocalhostAware {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            if is_localhost_name(&host) {
                let loopback: Vec<SocketAddr> = vec![
                    SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
                    SocketAddr::from((Ipv6Addr::LOCALHOST, 0)),
                ];
                return Ok(Box::new(loopback.into_iter()) as Addrs);
            }
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            Ok(Box::new(found.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr as _;

    #[tokio::test]
    async fn names_under_localhost_are_loopback() {
        let addrs: Vec<SocketAddr> = LocalhostAware
            .resolve(Name::from_str("nam13b.localhost").unwrap())
            .await
            .unwrap()
            .collect();
        assert!(addrs.iter().all(|a| a.ip().is_loopback()));
        assert_eq!(addrs.len(), 2);
        let ip: Vec<SocketAddr> = LocalhostAware
            .resolve(Name::from_str("127.0.0.1").unwrap())
            .await
            .unwrap()
            .collect();
        assert!(ip.iter().all(|a| a.ip().is_loopback()));
    }
}
