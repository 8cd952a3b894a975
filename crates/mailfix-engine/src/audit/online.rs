//! Reads registration events from Graph's `auditLogs/directoryAudits` (PROTOCOL §4.2): one query
//! per service, filtered server-side by time and `loggedByService`, with `$select` of what
//! classification reads and the largest page size, so that a run takes one request per page and
//! nothing more. Pages go through the client's reports lane, which keeps to the API's limit of
//! 5 requests per 10 s (PROTOCOL §2.7); the two queries run side by side, so that a slow service
//! (pages of 1,000 records take seconds) does not leave the limit unused.
//!
//! Why two queries and not one with `or`: the Graph docs list `eq`, `ge`, `le` and `startswith`
//! for this API's `$filter` (with `and`), not `or`; two documented queries cost at most one request
//! more than an undocumented combined one.

use std::sync::atomic::{AtomicU64, Ordering};

use futures::TryStreamExt as _;
use mailfix_client::models::DirectoryAudit;
use mailfix_client::{Client, Filter, Page, Query};

use super::events::{AUTH_METHODS_SERVICE, RegistrationEvent, SSPR_SERVICE};
use super::window::AuditWindow;
use crate::events::{Event, Reporter};

/// The services `audit` reads, in query order.
pub const SERVICES: [&str; 2] = [AUTH_METHODS_SERVICE, SSPR_SERVICE];

/// Records per page. Graph documents `$top` for this API but not its maximum; directory lists cap
/// it at 999, so mailfix asks for 999, which any cap of 999 or more accepts (the simulator's
/// `graph.audit_max_top` plays a service that refuses 1000).
pub const AUDIT_PAGE_SIZE: u32 = 999;

/// The properties classification reads (the rest of a record is not transferred).
pub const AUDIT_SELECT: [&str; 8] = [
    "id",
    "activityDateTime",
    "activityDisplayName",
    "loggedByService",
    "result",
    "resultReason",
    "initiatedBy",
    "targetResources",
];

/// `$filter` of one service's query: `activityDateTime ge FROM [and activityDateTime le TO] and
/// loggedByService eq 'SERVICE'`.
pub fn service_filter(service: &str, window: &AuditWindow) -> Filter {
    let mut parts: Vec<Filter> = Vec::new();
    if let Some(from) = window.from {
        parts.push(Filter::ge_time("activityDateTime", from));
    }
    if let Some(to) = window.to {
        parts.push(Filter::le_time("activityDateTime", to));
    }
    parts.push(Filter::eq("loggedByService", service));
    parts
        .into_iter()
        .reduce(Filter::and)
        .expect("the service clause is always there")
}

/// The query of one service.
pub fn service_query(service: &str, window: &AuditWindow, page_size: u32) -> Query {
    Query::new()
        .select(AUDIT_SELECT)
        .filter(service_filter(service, window))
        .top(page_size)
}

/// What the online read produced.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OnlineRead {
    /// The events, per service in query order, each newest first (the API's order).
    pub events: Vec<RegistrationEvent>,
    /// Pages (= requests, retries aside) per service, in query order.
    pub pages: Vec<u64>,
    /// Records whose time could not be read (left out, with a warning).
    pub unreadable: u64,
}

/// Reads both services' events in `window`, `page_size` records per page. The two queries run
/// side by side: each is a sequence of pages, and the client's reports lane keeps their sum within
/// the limit.
pub async fn read_online(
    client: &Client,
    window: &AuditWindow,
    page_size: u32,
    reporter: &dyn Reporter,
) -> Result<OnlineRead, mailfix_client::Error> {
    let total = AtomicU64::new(0);
    let reads =
        SERVICES.map(|service| read_service(client, service, window, page_size, reporter, &total));
    let mut read = OnlineRead::default();
    for one in futures::future::try_join_all(reads).await? {
        read.events.extend(one.events);
        read.pages.extend(one.pages);
        read.unreadable += one.unreadable;
    }
    Ok(read)
}

async fn read_service(
    client: &Client,
    service: &str,
    window: &AuditWindow,
    page_size: u32,
    reporter: &dyn Reporter,
    total: &AtomicU64,
) -> Result<OnlineRead, mailfix_client::Error> {
    let query = service_query(service, window, page_size);
    let mut pages = client.graph().directory_audit_pages(&query);
    let mut read = OnlineRead::default();
    let mut count = 0u64;
    while let Some(page) = pages.try_next().await? {
        count += 1;
        let before = read.events.len();
        absorb(&mut read, page, reporter);
        let added = (read.events.len() - before) as u64;
        reporter.report(&Event::AuditRead {
            service: service.to_owned(),
            pages: count,
            events: total.fetch_add(added, Ordering::Relaxed) + added,
        });
    }
    read.pages.push(count);
    Ok(read)
}

fn absorb(read: &mut OnlineRead, page: Page<DirectoryAudit>, reporter: &dyn Reporter) {
    for audit in &page.value {
        match RegistrationEvent::from_directory_audit(audit) {
            Ok(event) => read.events.push(event),
            Err(e) => {
                read.unreadable += 1;
                reporter.report(&Event::Warning {
                    message: format!("{e}; left out"),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    #[test]
    fn filters_use_documented_operators_only() {
        let from = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2024, 5, 15, 12, 0, 0).unwrap();
        let window = AuditWindow::between(Some(from), Some(to)).unwrap();
        assert_eq!(
            service_filter(SSPR_SERVICE, &window).as_str(),
            "activityDateTime ge 2024-05-01T00:00:00Z and activityDateTime le 2024-05-15T12:00:00Z \
             and loggedByService eq 'Self-service Password Management'"
        );
        assert_eq!(
            service_filter(AUTH_METHODS_SERVICE, &AuditWindow::all()).as_str(),
            "loggedByService eq 'Authentication Methods'"
        );
        let query = service_query(AUTH_METHODS_SERVICE, &window, AUDIT_PAGE_SIZE).to_query_string();
        assert!(query.starts_with("$select=id,activityDateTime,"), "{query}");
        assert!(query.ends_with("&$top=999"), "{query}");
    }
}
