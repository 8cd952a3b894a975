//! Building blocks shared by the Graph operations: requests with their permission, advanced-query
//! headers, single-object GETs, paged lists and `$batch`.

use futures::TryStreamExt as _;
use http::Method;
use serde::de::DeserializeOwned;

use super::Graph;
use crate::batch::{self, BatchRequest, BatchResponse};
use crate::error::{Error, Service};
use crate::page::{self, Items, Page, Pages};
use crate::permission::Permission;
use crate::query::Query;
use crate::request::Request;

impl Graph {
    /// A Graph request to `path` (with any query already applied).
    pub fn request(
        &self,
        method: Method,
        path: &str,
        operation: &'static str,
        permission: Permission,
    ) -> Result<Request, Error> {
        Ok(Request::new(
            Service::Graph,
            method,
            self.client.graph_url(path)?,
            operation,
        )
        .permission(permission))
    }

    /// A GET of `path` with `query`; advanced queries carry `ConsistencyLevel: eventual`, which
    /// every next page repeats because pages resend the same request.
    pub(crate) fn get(
        &self,
        path: &str,
        query: &Query,
        operation: &'static str,
        permission: Permission,
    ) -> Result<Request, Error> {
        let req = self.request(Method::GET, &query.apply(path), operation, permission)?;
        Ok(if query.is_advanced() {
            req.header_static("consistencylevel", "eventual")
        } else {
            req
        })
    }

    /// Sends a request and decodes the JSON answer.
    pub(crate) async fn send_json<T: DeserializeOwned>(&self, req: Request) -> Result<T, Error> {
        let op = req.operation.clone();
        self.client
            .execute(req)
            .await?
            .json()
            .map_err(|e| e.at(Service::Graph, op))
    }

    /// Sends a request whose answer has no body of interest (204).
    pub(crate) async fn send_empty(&self, req: Request) -> Result<(), Error> {
        self.client.execute(req).await.map(drop)
    }

    /// The pages of a collection request.
    pub fn pages<T: DeserializeOwned + Send + 'static>(&self, first: Request) -> Pages<Page<T>> {
        page::pages(self.client.clone(), first)
    }

    /// The items of every page of a collection request.
    pub fn items<T: DeserializeOwned + Send + 'static>(&self, first: Request) -> Items<T> {
        page::items::<Page<T>>(self.client.clone(), first)
    }

    /// The items of a list request, or the error that prevented building it.
    pub(crate) fn list<T: DeserializeOwned + Send + 'static>(
        &self,
        first: Result<Request, Error>,
    ) -> Items<T> {
        match first {
            Ok(req) => self.items(req),
            Err(e) => Box::pin(futures::stream::once(async { Err(e) })),
        }
    }

    /// Every item of a collection whose first page came back in a `$batch` answer: the page's
    /// own, then those of the pages behind its `@odata.nextLink`, read directly (on Graph's host
    /// only, so that the token goes nowhere else).
    pub async fn rest_of_pages<T: DeserializeOwned + Send + 'static>(
        &self,
        first: Page<T>,
        operation: &'static str,
        permission: Permission,
    ) -> Result<Vec<T>, Error> {
        let Some(link) = first.next_link else {
            return Ok(first.value);
        };
        let base = self.client.graph_url("/")?;
        let url =
            (self.client.same_origin(&link, &base)).map_err(|e| e.at(Service::Graph, operation))?;
        let next = Request::new(Service::Graph, Method::GET, url, operation).permission(permission);
        let mut items = first.value;
        let rest: Vec<T> = self.items(next).try_collect().await?;
        items.extend(rest);
        Ok(items)
    }

    /// Sends sub-requests in `$batch`es of 20; one answer per request, in order.
    pub async fn batch(
        &self,
        requests: &[BatchRequest],
    ) -> Result<Vec<Result<BatchResponse, Error>>, Error> {
        batch::run(&self.client, requests, None).await
    }

    pub(crate) async fn batch_with(
        &self,
        requests: &[BatchRequest],
        permission: Permission,
    ) -> Result<Vec<Result<BatchResponse, Error>>, Error> {
        batch::run(&self.client, requests, Some(permission)).await
    }
}
