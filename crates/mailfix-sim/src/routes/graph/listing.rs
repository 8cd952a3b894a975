//! What every list handler shares: the page request (size, resume position from `$skiptoken`,
//! the fingerprint the token is bound to), the nextLink, whether the query reads the eventually
//! consistent index, ordering, and the simulator knob for null filters.

use chrono::{DateTime, Utc};

use axum::http::{HeaderMap, Uri};

use super::respond::{Collection, service_root};
use crate::error::GraphError;
use crate::odata::QueryOptions;
use crate::odata::eval::{Fields, Val, cmp_fold};
use crate::paging;
use crate::state::SimState;

/// The behaviour knob (in `behaviour.limits`) that lets `mail eq null` work without advanced query
/// parameters when set to a value above 0. Whether Graph needs them is UNCONFIRMED (docs/protocol.md
/// §2.3); by default the simulator requires them.
pub const MAIL_NULL_KNOB: &str = "graph_mail_eq_null_without_advanced";

/// Properties whose null filters work without advanced query parameters, per the knob.
pub fn null_default(state: &SimState) -> Vec<&'static str> {
    let behaviour = state
        .behaviour
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match behaviour.limits.get(MAIL_NULL_KNOB) {
        Some(v) if *v > 0.0 => vec!["mail"],
        _ => Vec::new(),
    }
}

/// The query of a `/$count` segment, which needs `ConsistencyLevel: eventual` (and then counts).
pub fn count_query(uri: &Uri, headers: &HeaderMap) -> Result<QueryOptions, GraphError> {
    let mut q = QueryOptions::parse(uri.query(), headers)?;
    if !q.eventual {
        return Err(GraphError::bad_request(
            "$count is not currently supported.",
        ));
    }
    q.count = true;
    Ok(q)
}

/// One page request of a list.
pub struct Page {
    /// The query options.
    pub q: QueryOptions,
    /// Where this page starts.
    pub start: usize,
    /// Page size.
    pub size: usize,
    /// How many objects this page examines at most (`graph.page_scan_limit`), if limited.
    pub scan_limit: Option<usize>,
    path: String,
    fingerprint: u64,
    root: String,
}

impl Page {
    /// Reads `$top` (default/max) and `$skiptoken` for the list at `path`.
    pub fn new(
        state: &SimState,
        path: &str,
        q: QueryOptions,
        default_size: usize,
        max_size: usize,
    ) -> Result<Self, GraphError> {
        let size = q.page_size(default_size, max_size)?;
        let fingerprint = paging::fingerprint(path, &q.binding());
        let start = match &q.skiptoken {
            Some(token) => paging::open::<usize>(token, fingerprint)?,
            None => 0,
        };
        let scan = state.throttle.limits().get("graph.page_scan_limit");
        Ok(Self {
            q,
            start,
            size,
            scan_limit: (scan >= 1.0).then_some(scan as usize),
            path: path.to_owned(),
            fingerprint,
            root: service_root(state),
        })
    }

    /// Whether this is the first page (the only one that carries `@odata.count`).
    pub fn first(&self) -> bool {
        self.q.skiptoken.is_none()
    }

    /// `@odata.count` when asked for on the first page.
    pub fn count(&self, total: impl FnOnce() -> usize) -> Option<usize> {
        (self.first() && self.q.wants_count()).then(total)
    }

    /// The collection body of this page: `@odata.count` (first page, when asked, from `total`),
    /// the nextLink resuming at `next`, and the items.
    pub fn collection<T>(
        &self,
        context: String,
        value: Vec<T>,
        next: Option<usize>,
        total: impl FnOnce() -> usize,
    ) -> Collection<T> {
        Collection {
            count: self.count(total),
            next_link: self.next_link(next),
            ..Collection::new(context, value)
        }
    }

    /// The nextLink resuming at `next`.
    pub fn next_link(&self, next: Option<usize>) -> Option<String> {
        next.map(|position| {
            let token = paging::seal(self.fingerprint, position);
            paging::link(&self.root, &self.path, &self.q.params, "$skiptoken", &token)
        })
    }

    /// The time to read the eventually consistent index at, for advanced queries and `$search`.
    pub fn eventual_at(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        (self.q.advanced() || (self.q.eventual && self.q.search.is_some())).then_some(now)
    }

    /// Whether an item passes `$filter` and `$search`.
    pub fn keeps(&self, item: &dyn Fields) -> bool {
        self.q
            .filter
            .as_ref()
            .is_none_or(|f| crate::odata::eval::matches(f, item))
            && self.q.search.as_ref().is_none_or(|s| s.matches(item))
    }
}

/// Validates `$orderby` against the sortable properties (`(name, needs advanced)`), returning the
/// canonical key.
pub fn order_key(
    q: &QueryOptions,
    sortable: &[(&'static str, bool)],
) -> Result<Option<(&'static str, bool)>, GraphError> {
    let Some(first) = q.orderby.first() else {
        return Ok(None);
    };
    if q.orderby.len() > 1 {
        return Err(GraphError::unsupported_query(
            "Sorting not supported for current query.",
        ));
    }
    let (name, advanced) = sortable
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(&first.property))
        .copied()
        .ok_or_else(|| GraphError::unsupported_query("Sorting not supported for current query."))?;
    if advanced && !q.advanced() {
        return Err(GraphError::unsupported_query(
            "Sorting not supported for current query.",
        ));
    }
    Ok(Some((name, first.descending)))
}

/// Sorts positions by a property, case-insensitively for strings, stable by position.
pub fn sort_by_field<F: Fields>(
    positions: &mut [usize],
    key: &str,
    descending: bool,
    row: impl Fn(usize) -> F,
) {
    let path = [key.to_owned()];
    positions.sort_by(|&a, &b| {
        let (ra, rb) = (row(a), row(b));
        let ordering = match (ra.field(&path), rb.field(&path)) {
            (Val::Str(x), Val::Str(y)) => cmp_fold(&x, &y),
            (Val::Time(x), Val::Time(y)) => x.cmp(&y),
            (Val::Null, Val::Null) => std::cmp::Ordering::Equal,
            (Val::Null, _) => std::cmp::Ordering::Greater,
            (_, Val::Null) => std::cmp::Ordering::Less,
            _ => std::cmp::Ordering::Equal,
        };
        let ordering = if descending {
            ordering.reverse()
        } else {
            ordering
        };
        ordering.then(a.cmp(&b))
    });
}

/// One page of positions `0..len` that `keep`, in position order or sorted by `order`, built with
/// `build`; plus the position the next page starts at. In position order a page examines at most
/// [`Page::scan_limit`] positions, so it may come back empty with a next page.
pub fn page_of<R: Fields, T>(
    page: &Page,
    len: usize,
    keep: impl Fn(usize) -> bool,
    order: Option<(&str, bool)>,
    row: impl Fn(usize) -> R,
    build: impl Fn(usize) -> T,
) -> (Vec<T>, Option<usize>) {
    match order {
        None => paging::fill_scanning(len, page.start, page.size, page.scan_limit, keep, build),
        Some((key, descending)) => {
            let mut positions: Vec<usize> = (0..len).filter(|&i| keep(i)).collect();
            sort_by_field(&mut positions, key, descending, row);
            paging::fill(
                positions.len(),
                page.start,
                page.size,
                |_| true,
                |p| build(positions[p]),
            )
        }
    }
}
