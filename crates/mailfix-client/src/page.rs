//! Paging as streams. Each next page is the same request (method, headers such as
//! `ConsistencyLevel`, body) sent to the `@odata.nextLink` URL verbatim; a page may be empty and
//! still have a next link. Callers never follow links themselves.

use futures::stream::{self, BoxStream, StreamExt as _, TryStreamExt as _};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::error::Error;
use crate::request::Request;

/// A stream of items of a paged collection.
pub type Items<T> = BoxStream<'static, Result<T, Error>>;

/// A stream of pages.
pub type Pages<P> = BoxStream<'static, Result<P, Error>>;

/// One page of a Graph collection.
#[derive(Clone, Debug, Deserialize)]
pub struct Page<T> {
    /// The items of this page (possibly none).
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
    /// The next page, if any.
    #[serde(rename = "@odata.nextLink", default)]
    pub next_link: Option<String>,
    /// The delta link, on the last page of a delta round.
    #[serde(rename = "@odata.deltaLink", default)]
    pub delta_link: Option<String>,
    /// `@odata.count` (first page, with `$count=true`).
    #[serde(rename = "@odata.count", default)]
    pub count: Option<u64>,
}

/// A page type: where the next page is and what it holds.
pub trait Paged: DeserializeOwned + Send + 'static {
    /// The item type.
    type Item: Send + 'static;
    /// The next page's URL.
    fn next_link(&self) -> Option<&str>;
    /// The items.
    fn into_items(self) -> Vec<Self::Item>;
}

impl<T: DeserializeOwned + Send + 'static> Paged for Page<T> {
    type Item = T;

    fn next_link(&self) -> Option<&str> {
        self.next_link.as_deref()
    }

    fn into_items(self) -> Vec<T> {
        self.value
    }
}

/// Pages of `first` and its next links.
pub(crate) fn pages<P: Paged>(client: Client, first: Request) -> Pages<P> {
    stream::try_unfold(Some(first), move |state| {
        let client = client.clone();
        async move {
            let Some(req) = state else {
                return Ok(None);
            };
            let page: P = client
                .execute(req.clone())
                .await?
                .json()
                .map_err(|e| e.at(req.service, req.operation.clone()))?;
            let next = match page.next_link() {
                None => None,
                Some(link) => {
                    let url = client.next_url(link, &req)?;
                    if url == req.url {
                        return Err(
                            Error::decode("the service returned the same next link twice")
                                .at(req.service, req.operation.clone()),
                        );
                    }
                    Some(req.with_url(url))
                }
            };
            Ok(Some((page, next)))
        }
    })
    .boxed()
}

/// Items of every page of `first`.
pub(crate) fn items<P: Paged>(client: Client, first: Request) -> Items<P::Item> {
    pages::<P>(client, first)
        .map_ok(|page| stream::iter(page.into_items().into_iter().map(Ok)))
        .try_flatten()
        .boxed()
}
