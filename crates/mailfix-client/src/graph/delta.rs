//! Users delta query (PROTOCOL.md §2.5): changed users, removed users, and at the end the delta
//! link to start the next round from. A round can also start "from now" (`$deltatoken=latest`:
//! no users, only the link), and a link that the service no longer honours
//! ([`needs_resync`]) means a full read and a new round.

use futures::StreamExt as _;
use futures::stream;
use http::{HeaderValue, Method};
use serde::Deserialize;

use super::Graph;
use crate::error::{Error, Service};
use crate::models::User;
use crate::page::{Items, Page};
use crate::permission::Permission;
use crate::query::Query;
use crate::request::Request;

/// Where a delta round starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeltaStart {
    /// A first round with `$select` (parameters are given only on the first call).
    Initial {
        /// Properties to track.
        select: Vec<String>,
    },
    /// No users, only a delta link for the changes made from now on (`$deltatoken=latest`).
    Latest {
        /// Properties to track.
        select: Vec<String>,
    },
    /// A saved delta link from the previous round.
    Link(String),
}

/// Whether `error` says that a delta link can no longer be used and a full synchronisation must
/// start over: `410 Gone` (a reset), or the codes Graph gives an expired token
/// (`syncStateNotFound`, `syncStateInvalid`, `resyncRequired`) whatever the 4xx status.
pub fn needs_resync(error: &Error) -> bool {
    const CODES: [&str; 3] = ["syncStateNotFound", "syncStateInvalid", "resyncRequired"];
    matches!(error.kind(), crate::error::ErrorKind::Gone)
        || error
            .code()
            .is_some_and(|code| CODES.iter().any(|c| c.eq_ignore_ascii_case(code)))
}

/// One element of a delta round.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeltaItem {
    /// A new or changed user (only the selected, or changed, properties are set).
    Changed(User),
    /// A removed user (`@removed.reason`: `changed` or `deleted`).
    Removed {
        /// Object id.
        id: String,
        /// The reason Graph gives.
        reason: String,
    },
    /// The last element: the link for the next round.
    DeltaLink(String),
}

#[derive(Deserialize)]
struct Removed {
    #[serde(default)]
    reason: String,
}

#[derive(Deserialize)]
struct Raw {
    #[serde(rename = "@removed")]
    removed: Option<Removed>,
    #[serde(flatten)]
    user: serde_json::Value,
}

fn to_item(raw: Raw) -> Result<DeltaItem, Error> {
    match raw.removed {
        Some(r) => Ok(DeltaItem::Removed {
            id: raw.user["id"].as_str().unwrap_or_default().to_owned(),
            reason: r.reason,
        }),
        None => serde_json::from_value(raw.user)
            .map(DeltaItem::Changed)
            .map_err(|e| Error::decode(format!("unexpected user in delta: {e}"))),
    }
}

impl Graph {
    /// The first request of a round: `$select`, and `$deltatoken=latest` to start from now.
    fn delta_request(&self, select: &[String], latest: bool) -> Result<Request, Error> {
        let query = Query::new().select(select.iter().cloned());
        let mut req = self.get(
            "/users/delta",
            &query,
            "users.delta",
            Permission::UserReadAll,
        )?;
        if latest {
            req.url
                .query_pairs_mut()
                .append_pair("$deltatoken", "latest");
        }
        Ok(req)
    }

    /// A delta round over users, in pages of the client's Graph page size
    /// (`Prefer: odata.maxpagesize`).
    pub fn users_delta(&self, start: DeltaStart) -> Items<DeltaItem> {
        let first = match &start {
            DeltaStart::Initial { select } => self.delta_request(select, false),
            DeltaStart::Latest { select } => self.delta_request(select, true),
            DeltaStart::Link(link) => self
                .client
                .graph_url("/users/delta")
                .and_then(|base| self.client.same_origin(link, &base))
                .map(|url| {
                    Request::new(Service::Graph, Method::GET, url, "users.delta")
                        .permission(Permission::UserReadAll)
                }),
        };
        let page_size = self.client.inner.transport.limits.graph_page_size;
        let first = first.and_then(|req| {
            let prefer = HeaderValue::from_str(&format!("odata.maxpagesize={page_size}"))
                .map_err(|e| Error::config(format!("page size: {e}")))?;
            Ok(req.header(http::header::HeaderName::from_static("prefer"), prefer))
        });
        let first = match first {
            Ok(r) => r,
            Err(e) => return Box::pin(stream::once(async { Err(e) })),
        };
        self.pages::<Raw>(first)
            .flat_map(|page| {
                let items: Vec<Result<DeltaItem, Error>> = match page {
                    Err(e) => vec![Err(e)],
                    Ok(Page {
                        value, delta_link, ..
                    }) => value
                        .into_iter()
                        .map(to_item)
                        .chain(delta_link.map(|l| Ok(DeltaItem::DeltaLink(l))))
                        .collect(),
                };
                stream::iter(items)
            })
            .boxed()
    }
}
