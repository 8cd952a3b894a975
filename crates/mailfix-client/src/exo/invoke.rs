//! `InvokeCommand` (PROTOCOL.md §1.1–1.5): `POST {exo}/adminapi/beta/{tenant}/InvokeCommand` with
//! `{"CmdletInput":{"CmdletName":..,"Parameters":{..}}}`, the anchor and paging headers, and
//! paging by re-POSTing the same body to `@odata.nextLink`.

use http::{HeaderName, HeaderValue, Method};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use url::Url;

use super::Exchange;
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
    /// `@adminapi.warnings`.
    #[serde(rename = "@adminapi.warnings", default)]
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
    /// The `InvokeCommand` URL, with `$select` when given.
    fn invoke_url(&self, select: &[&str]) -> Result<Url, Error> {
        let inner = &self.client.inner;
        let mut url = format!(
            "{}/adminapi/beta/{}/InvokeCommand",
            inner.endpoints.exchange,
            crate::ids::encode_segment(&inner.tenant)
        );
        if !select.is_empty() {
            url.push_str(&format!("?$select={}", select.join(",")));
        }
        Url::parse(&url).map_err(|e| Error::config(format!("invalid Exchange URL {url}: {e}")))
    }

    /// The request for one cmdlet call.
    pub fn command(
        &self,
        cmdlet: &str,
        parameters: Value,
        select: &[&str],
    ) -> Result<Request, Error> {
        let inner = &self.client.inner;
        let body = json!({"CmdletInput": {"CmdletName": cmdlet, "Parameters": parameters}});
        let page_size = inner.transport.limits.exchange_page_size;
        let req = Request::new(
            Service::Exchange,
            Method::POST,
            self.invoke_url(select)?,
            cmdlet.to_owned(),
        )
        .json(&body)?
        .permission(Permission::ExchangeManageAsApp)
        .header_static("accept", "application/json")
        .header_static("x-clientapplication", "mailfix")
        .header_static("x-responseformat", "json");
        let req = header(req, "x-anchormailbox", &inner.exchange_anchor)?;
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
        let req = self.command(cmdlet, parameters, select)?;
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
        match self.command(cmdlet, parameters, select) {
            Ok(req) => page::items::<ExoPage<T>>(self.client.clone(), req),
            Err(e) => Box::pin(futures::stream::once(async { Err(e) })),
        }
    }
}
