//! [`Client`]: cheap to clone, one per run. Its [`Client::execute`] is the upper half of the one
//! request path: the paced, authorised retry loop of `execute.rs`, then the mapping of failed
//! responses to typed errors with hints.

use std::sync::Arc;

use url::Url;

use crate::auth::TokenClaims;
use crate::auth::flows::SignIn;
use crate::auth::tokens::Tokens;
use crate::cloud::{Endpoints, Resource};
use crate::config::{self, ClientConfig};
use crate::counters::CountersSnapshot;
use crate::error::{Error, ErrorKind, Service};
use crate::execute::{Authorize, Transport};
use crate::exo::Exchange;
use crate::graph::Graph;
use crate::permission::Permission;
use crate::request::{Request, Response};

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) transport: Transport,
    pub(crate) tokens: Tokens,
    pub(crate) endpoints: Endpoints,
    pub(crate) tenant: String,
    /// A configured `X-AnchorMailbox` (else derived from the token, see `exo/endpoint.rs`).
    pub(crate) exchange_anchor: Option<String>,
    /// This tenant's Exchange endpoint, discovered before the first cmdlet.
    pub(crate) exchange_endpoint: tokio::sync::OnceCell<crate::exo::ExchangeEndpoint>,
    pub(crate) connection_id: String,
}

/// The mailfix client for sign-in, Graph and Exchange.
#[derive(Clone, Debug)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

impl Client {
    /// Checks the configuration (endpoints, CA file) and builds the client. Nothing is sent until
    /// the first request.
    pub fn new(config: ClientConfig) -> Result<Self, Error> {
        config.endpoints.validate()?;
        config::check_tenant(&config.tenant)?;
        let http = config::http_client(&config)?;
        let mut transport = Transport::new(http, config.retry.clone(), config.limits.clone());
        transport.trace = config.trace.clone();
        transport.on_connect_retry = config.on_connect_retry.clone();
        let sign_in = SignIn::new(
            config.endpoints.clone(),
            config.tenant.clone(),
            config.credential,
        );
        Ok(Self {
            inner: Arc::new(Inner {
                tokens: Tokens::new(sign_in, config.limits.token_refresh_before),
                transport,
                endpoints: config.endpoints,
                tenant: config.tenant,
                exchange_anchor: config.exchange_anchor,
                exchange_endpoint: tokio::sync::OnceCell::new(),
                connection_id: uuid::Uuid::new_v4().to_string(),
            }),
        })
    }

    /// Typed Graph operations.
    pub fn graph(&self) -> Graph {
        Graph::new(self.clone())
    }

    /// Typed Exchange admin operations.
    pub fn exo(&self) -> Exchange {
        Exchange::new(self.clone())
    }

    /// A snapshot of this client's counters.
    pub fn counters(&self) -> CountersSnapshot {
        self.inner.transport.snapshot()
    }

    /// The endpoints in use.
    pub fn endpoints(&self) -> &Endpoints {
        &self.inner.endpoints
    }

    /// The tenant as configured.
    pub fn tenant(&self) -> &str {
        &self.inner.tenant
    }

    /// The claims of the current token for `resource` (signing in if needed), unverified.
    pub async fn token_claims(&self, resource: Resource) -> Result<TokenClaims, Error> {
        let token = self
            .inner
            .tokens
            .get(resource, &self.inner.transport)
            .await?;
        TokenClaims::decode_unverified(token.expose())
    }

    /// Sends a Graph or Exchange request through the one request path and returns the successful
    /// response, or the failure as a typed [`Error`].
    pub async fn execute(&self, req: Request) -> Result<Response, Error> {
        let resp = self.send(&req).await?;
        if resp.status.is_success() {
            return Ok(resp);
        }
        Err(failure(&req, &resp))
    }

    /// Sends a Graph or Exchange request through the one request path and returns its final
    /// response whatever the status (a network failure is an error).
    pub(crate) async fn send(&self, req: &Request) -> Result<Response, Error> {
        let resource = match req.service {
            Service::Graph => Resource::Graph,
            Service::Exchange => Resource::Exchange,
            Service::Login => {
                return Err(Error::config(
                    "sign-in requests are made by the client itself",
                ));
            }
        };
        let inner = &*self.inner;
        let auth = Authorize::Bearer {
            tokens: &inner.tokens,
            resource,
        };
        inner.transport.run(req, auth).await
    }

    /// `{graph}/v1.0{path}` (path starts with `/`, may carry a query).
    pub(crate) fn graph_url(&self, path: &str) -> Result<Url, Error> {
        let url = format!("{}/v1.0{path}", self.inner.endpoints.graph);
        Url::parse(&url).map_err(|e| Error::config(format!("invalid Graph URL {url}: {e}")))
    }

    /// A next-page link, accepted only on the origin of `base` so that a token is never sent to
    /// another host.
    pub(crate) fn same_origin(&self, link: &str, base: &Url) -> Result<Url, Error> {
        let url = Url::parse(link)
            .map_err(|e| Error::decode(format!("invalid next link '{link}': {e}")))?;
        if url.origin() != base.origin() {
            return Err(Error::decode(format!(
                "refusing to follow a next link to another host: {}",
                url.host_str().unwrap_or("?")
            )));
        }
        Ok(url)
    }

    /// The URL of the next page of `req`. Exchange names its own host differently in links
    /// (`outlook.office.com` in answers to `outlook.office365.com`, docs/protocol.md §1.4), so an
    /// Exchange `/adminapi/` link to another host is followed on the configured host instead —
    /// the token still goes only where it was configured to go.
    pub(crate) fn next_url(&self, link: &str, req: &Request) -> Result<Url, Error> {
        match self.same_origin(link, &req.url) {
            Err(e) if req.service == Service::Exchange => {
                let foreign = Url::parse(link).map_err(|_| e.clone())?;
                if !foreign.path().starts_with("/adminapi/") {
                    return Err(e);
                }
                let mut url = req.url.clone();
                url.set_path(foreign.path());
                url.set_query(foreign.query());
                Ok(url)
            }
            other => other,
        }
    }
}

/// A failed response as a typed error, with the permission hint for 403s (and Exchange 401s,
/// which is how Exchange answers an app without `Exchange.ManageAsApp` or its role).
fn failure(req: &Request, resp: &Response) -> Error {
    let err = match req.service {
        Service::Exchange => crate::exo::error::from_response(resp),
        _ => crate::graph::error::from_response(resp),
    };
    let needs_permission = err.kind() == &ErrorKind::Forbidden
        || (req.service == Service::Exchange && err.kind() == &ErrorKind::Unauthorized);
    let hint = needs_permission
        .then(|| Permission::hint_all(&req.permissions))
        .flatten();
    err.at(req.service, req.operation.clone()).or_hint(hint)
}
