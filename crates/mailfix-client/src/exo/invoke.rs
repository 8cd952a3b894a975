//! `InvokeCommand` (PROTOCOL.md §1.1–1.5): `POST {host}/adminapi/beta/{tenant id}/InvokeCommand`
//! with `{"CmdletInput":{"CmdletName":..,"Parameters":{..}}}`, the anchor and paging headers, and
//! paging by re-POSTing the same body to `@odata.nextLink`. The host, tenant id and anchor come
//! from the endpoint discovered before the first cmdlet (`endpoint.rs`).

use http::{HeaderName, HeaderValue, Method};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use url::Url;

use futures::StreamExt as _;

use super::{Exchange, ExchangeEndpoint};
use crate::error::{Error, ErrorKind, Service};
use crate::page::{self, Items, Paged};
use crate::permission::Permission;
use crate::request::Request;

/// One page of an `InvokeCommand` answer.
#[derive(Clone, Debug, Deserialize)]
pub struct ExoPage<T> {
    /// The objects (absent or `null` for cmdlets that return nothing).
    #[serde(default = "Option::default")]
    pub value: Option<Vec<T>>,
    /// `@adminapi.warnings` (`null` reads as none).
    #[serde(
        rename = "@adminapi.warnings",
        default,
        deserialize_with = "crate::models::null_as_default"
    )]
    pub warnings: Vec<String>,
    /// The next page (`@odata.nextLink`, or `odata.nextLink`).
    #[serde(rename = "@odata.nextLink", alias = "odata.nextLink", default)]
    pub next_link: Option<String>,
}

impl<T: DeserializeOwned + Send + 'static> Paged for ExoPage<T> {
    type Item = T;

    fn next_link(&self) -> Option<&str> {
        self.next_link.as_deref()
    }

    fn into_items(self) -> Vec<T> {
        log_warnings(&self.warnings);
        self.value.unwrap_or_default()
    }
}

fn log_warnings(warnings: &[String]) {
    for w in warnings {
        tracing::warn!(warning = %w, "Exchange warning");
    }
}

fn header(req: Request, name: &'static str, value: &str) -> Result<Request, Error> {
    let value = HeaderValue::from_str(value)
        .map_err(|_| Error::config(format!("invalid value for header {name}")))?;
    Ok(req.header(HeaderName::from_static(name), value))
}

impl Exchange {
    /// The `InvokeCommand` URL of `endpoint`, with `$select` when given.
    fn invoke_url(endpoint: &ExchangeEndpoint, select: &[&str]) -> Result<Url, Error> {
        let mut url = endpoint.invoke_url();
        if !select.is_empty() {
            url.push_str(&format!("?$select={}", select.join(",")));
        }
        Url::parse(&url).map_err(|e| Error::config(format!("invalid Exchange URL {url}: {e}")))
    }

    /// The request for one cmdlet call (discovering the endpoint on first use).
    pub async fn command(
        &self,
        cmdlet: &str,
        parameters: Value,
        select: &[&str],
    ) -> Result<Request, Error> {
        let endpoint = self.endpoint().await?;
        let inner = &self.client.inner;
        let body = json!({"CmdletInput": {"CmdletName": cmdlet, "Parameters": parameters}});
        let page_size = inner.transport.limits.exchange_page_size;
        let req = Request::new(
            Service::Exchange,
            Method::POST,
            Self::invoke_url(&endpoint, select)?,
            cmdlet.to_owned(),
        )
        .json(&body)?
        .permission(Permission::ExchangeManageAsApp)
        .header_static("accept", "application/json")
        .header_static("x-clientapplication", "mailfix")
        .header_static("x-responseformat", "json");
        let req = header(req, "x-anchormailbox", &endpoint.anchor)?;
        let req = header(req, "prefer", &format!("odata.maxpagesize={page_size}"))?;
        let req = header(req, "x-cmdletname", cmdlet)?;
        header(req, "connection-id", &inner.connection_id)
    }

    /// Runs a cmdlet and returns its first page (objects and warnings).
    pub async fn invoke(&self, cmdlet: &str, parameters: Value) -> Result<ExoPage<Value>, Error> {
        self.invoke_typed(cmdlet, parameters, &[]).await
    }

    pub(crate) async fn invoke_typed<T: DeserializeOwned>(
        &self,
        cmdlet: &str,
        parameters: Value,
        select: &[&str],
    ) -> Result<ExoPage<T>, Error> {
        let req = self.command(cmdlet, parameters, select).await?;
        let page: ExoPage<T> = self
            .client
            .execute(req)
            .await?
            .json()
            .map_err(|e| e.at(Service::Exchange, cmdlet))?;
        log_warnings(&page.warnings);
        Ok(page)
    }

    /// Runs a cmdlet that names one object and returns it (`NotFound` when the page is empty).
    pub(crate) async fn invoke_one<T: DeserializeOwned>(
        &self,
        cmdlet: &str,
        identity: &str,
        select: &[&str],
    ) -> Result<T, Error> {
        let page = self
            .invoke_typed::<T>(cmdlet, json!({"Identity": identity}), select)
            .await?;
        page.value
            .and_then(|v| v.into_iter().next())
            .ok_or_else(|| {
                Error::new(ErrorKind::NotFound, format!("'{identity}' was not found"))
                    .at(Service::Exchange, cmdlet)
            })
    }

    /// Runs a cmdlet and streams every object of every page.
    pub fn invoke_all<T: DeserializeOwned + Send + 'static>(
        &self,
        cmdlet: &str,
        parameters: Value,
        select: &[&str],
    ) -> Items<T> {
        let exchange = self.clone();
        let cmdlet = cmdlet.to_owned();
        let select: Vec<String> = select.iter().map(|s| (*s).to_owned()).collect();
        let start = async move {
            let select: Vec<&str> = select.iter().map(String::as_str).collect();
            exchange
                .command(&cmdlet, parameters, &select)
                .await
                .map(|req| page::items::<ExoPage<T>>(exchange.client.clone(), req))
        };
        Box::pin(
            futures::stream::once(start)
                .map(|started| match started {
                    Ok(items) => items,
                    Err(e) => Box::pin(futures::stream::once(async { Err(e) })),
                })
                .flatten(),
        )
    }
}
