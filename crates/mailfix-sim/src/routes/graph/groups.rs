//! `/groups`: list (with `$filter=displayName eq '…'` / `startswith`, `$select`, `$search`,
//! `$orderby`, `$top`, `$count`, paging), `/groups/$count`, and get by id.

use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use uuid::Uuid;

use super::auth::{Authorized, GroupsRead};
use super::listing::{Page, count_query, order_key, page_of};
use super::object_view::{GROUP_DEFAULT, GroupRow};
use super::respond::{self, Entity, context, with_select};
use crate::error::GraphError;
use crate::model::{GroupIdx, Tenant};
use crate::odata::QueryOptions;
use crate::odata::schemas::{self, GROUP_KNOWN};

const GROUP_TYPE: &str = "microsoft.graph.group";

/// `GET /groups`.
pub async fn list(
    auth: Authorized<GroupsRead>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, GraphError> {
    let state = auth.state;
    let mut q = QueryOptions::parse(uri.query(), &headers)?;
    let select = q.selected(GROUP_KNOWN, GROUP_TYPE)?;
    q.check_directory(&schemas::GROUP, &[])?;
    let order = order_key(&q, &[("displayName", false)])?;
    let page = Page::new(&state, "/groups", q, 100, 999)?;
    let props = select.as_deref().unwrap_or(GROUP_DEFAULT);
    let tenant = state.read_tenant();
    let row = |i: usize| GroupRow {
        group: &tenant.groups[i],
        tenant: &tenant,
    };
    let keep = |i: usize| page.keeps(&row(i));
    let selected = select.is_some();
    let len = tenant.groups.len();
    let (value, next) = page_of(&page, len, keep, order, row, |i| {
        row(i).out(props, false, selected)
    });
    let set = with_select("groups", select.as_deref());
    let body = page.collection(context(&state, &set), value, next, || {
        (0..len).filter(|&i| keep(i)).count()
    });
    Ok(respond::json(
        StatusCode::OK,
        &body,
        respond::op("groups.list"),
    ))
}

/// `GET /groups/$count` (needs `ConsistencyLevel: eventual`).
pub async fn count(
    auth: Authorized<GroupsRead>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, GraphError> {
    let state = auth.state;
    let mut q = count_query(&uri, &headers)?;
    q.check_directory(&schemas::GROUP, &[])?;
    let page = Page::new(&state, "/groups/$count", q, 100, 999)?;
    let tenant = state.read_tenant();
    let n = tenant
        .groups
        .iter()
        .filter(|group| {
            page.keeps(&GroupRow {
                group,
                tenant: &tenant,
            })
        })
        .count();
    Ok(respond::count(n, respond::op("groups.count")))
}

/// `GET /groups/{id}`.
pub async fn get(
    auth: Authorized<GroupsRead>,
    Path(id): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, GraphError> {
    let state = auth.state;
    let q = QueryOptions::parse(uri.query(), &headers)?;
    let select = q.selected(GROUP_KNOWN, GROUP_TYPE)?;
    let tenant = state.read_tenant();
    let idx = group_by_key(&tenant, &id)?;
    let row = GroupRow {
        group: &tenant.groups[idx as usize],
        tenant: &tenant,
    };
    let body = Entity {
        context: context(
            &state,
            &format!("{}/$entity", with_select("groups", select.as_deref())),
        ),
        inner: row.out(
            select.as_deref().unwrap_or(GROUP_DEFAULT),
            false,
            select.is_some(),
        ),
    };
    Ok(respond::json(
        StatusCode::OK,
        &body,
        respond::op("groups.get"),
    ))
}

/// A group by its object id (groups have no other key); 404 otherwise.
pub fn group_by_key(tenant: &Tenant, key: &str) -> Result<GroupIdx, GraphError> {
    Uuid::parse_str(key)
        .ok()
        .and_then(|id| tenant.group_by_id(id))
        .ok_or_else(|| GraphError::not_found(key))
}
