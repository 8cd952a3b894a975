//! `/users`: list (with `$select`, `$filter`, `$search`, `$orderby`, `$top`, `$count` and paging),
//! `/users/$count`, get by id or user principal name, and PATCH of the writable properties mailfix
//! could touch.

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::auth::{Authorized, UsersRead, UsersWrite};
use super::listing::{Page, count_query, null_default, order_key, page_of};
use super::respond::{self, Entity, context, with_select};
use super::user_view::{USER_DEFAULT, UserRow};
use crate::error::GraphError;
use crate::model::user_update::{PatchError, UserPatch};
use crate::odata::QueryOptions;
use crate::odata::schemas::{self, USER_KNOWN};

const USER_TYPE: &str = "microsoft.graph.user";
const SORTABLE: &[(&str, bool)] = &[
    ("displayName", false),
    ("userPrincipalName", false),
    ("createdDateTime", true),
];

/// `GET /users`.
pub async fn list(
    auth: Authorized<UsersRead>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, GraphError> {
    let state = auth.state;
    let mut q = QueryOptions::parse(uri.query(), &headers)?;
    let select = q.selected(USER_KNOWN, USER_TYPE)?;
    q.check_directory(&schemas::USER, &null_default(&state))?;
    let order = order_key(&q, SORTABLE)?;
    let page = Page::new(&state, "/users", q, 100, 999)?;
    let props = select.as_deref().unwrap_or(USER_DEFAULT);
    let tenant = state.read_tenant();
    let eventual = page.eventual_at(state.clock.now());
    let row = |i: usize| UserRow::new(&tenant, &tenant.users[i], eventual);
    let keep = |i: usize| !tenant.users[i].deleted && page.keeps(&row(i));
    let len = tenant.users.len();
    let (value, next) = page_of(&page, len, keep, order, row, |i| row(i).out(props, false));
    let set = with_select("users", select.as_deref());
    let body = page.collection(context(&state, &set), value, next, || {
        (0..len).filter(|&i| keep(i)).count()
    });
    Ok(respond::json(
        StatusCode::OK,
        &body,
        respond::op("users.list"),
    ))
}

/// `GET /users/$count` (needs `ConsistencyLevel: eventual`).
pub async fn count(
    auth: Authorized<UsersRead>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, GraphError> {
    let state = auth.state;
    let mut q = count_query(&uri, &headers)?;
    q.check_directory(&schemas::USER, &null_default(&state))?;
    let page = Page::new(&state, "/users/$count", q, 100, 999)?;
    let tenant = state.read_tenant();
    let now = page.eventual_at(state.clock.now());
    let n = tenant
        .users
        .iter()
        .filter(|u| !u.deleted && page.keeps(&UserRow::new(&tenant, u, now)))
        .count();
    Ok(respond::count(n, respond::op("users.count")))
}

/// `GET /users/{id | userPrincipalName}`.
pub async fn get(
    auth: Authorized<UsersRead>,
    Path(key): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, GraphError> {
    let state = auth.state;
    let q = QueryOptions::parse(uri.query(), &headers)?;
    let select = q.selected(USER_KNOWN, USER_TYPE)?;
    let tenant = state.read_tenant();
    let idx = tenant
        .user_by_key(&key)
        .ok_or_else(|| GraphError::not_found(&key))?;
    let row = UserRow::new(&tenant, &tenant.users[idx as usize], None);
    let fragment = format!("{}/$entity", with_select("users", select.as_deref()));
    let body = Entity {
        context: context(&state, &fragment),
        inner: row.out(select.as_deref().unwrap_or(USER_DEFAULT), false),
    };
    Ok(respond::json(
        StatusCode::OK,
        &body,
        respond::op("users.get"),
    ))
}

/// `PATCH /users/{id | userPrincipalName}`: 204 on success.
pub async fn update(
    auth: Authorized<UsersWrite>,
    Path(key): Path<String>,
    body: Bytes,
) -> Result<Response, GraphError> {
    let state = auth.state;
    let fields: Map<String, Value> = respond::parse_body(&body)?;
    let patch = read_patch(&fields)?;
    let lag = chrono::Duration::milliseconds((state.behaviour().consistency_lag_s * 1000.0) as i64);
    let now = state.clock.now();
    let mut tenant = state.write_tenant();
    let idx = tenant
        .user_by_key(&key)
        .ok_or_else(|| GraphError::not_found(&key))?;
    tenant
        .patch_user(idx, patch, now, lag)
        .map_err(patch_error)?;
    Ok(respond::no_content(respond::write_op("users.update")))
}

/// Properties Graph computes and refuses to take in a PATCH.
const READ_ONLY: &[&str] = &[
    "id",
    "deletedDateTime",
    "createdDateTime",
    "proxyAddresses",
    "assignedPlans",
    "provisionedPlans",
    "assignedLicenses",
    "licenseAssignmentStates",
    "serviceProvisioningErrors",
    "onPremisesSyncEnabled",
    "onPremisesLastSyncDateTime",
    "onPremisesProvisioningErrors",
    "onPremisesSecurityIdentifier",
    "onPremisesDistinguishedName",
    "onPremisesDomainName",
    "onPremisesSamAccountName",
    "onPremisesUserPrincipalName",
    "securityIdentifier",
    "signInActivity",
    "creationType",
    "externalUserState",
    "externalUserStateChangeDateTime",
    "lastPasswordChangeDateTime",
    "signInSessionsValidFromDateTime",
];

fn read_patch(fields: &Map<String, Value>) -> Result<UserPatch, GraphError> {
    let mut patch = UserPatch::default();
    for (name, value) in fields {
        let canonical = schemas::canonical(USER_KNOWN, name).ok_or_else(|| {
            GraphError::odata_bad_request(format!(
                "The property '{name}' does not exist on type '{USER_TYPE}'. Make sure to only use property names that are defined by the type or mark the type as open type."
            ))
        })?;
        if READ_ONLY.contains(&canonical) {
            return Err(GraphError::bad_request(format!(
                "Property '{canonical}' is read-only and cannot be set."
            )));
        }
        let text = || nullable_string(canonical, value);
        match canonical {
            "displayName" => {
                patch.display_name = Some(text()?.ok_or_else(|| invalid_value(canonical))?);
            }
            "givenName" => patch.given_name = Some(text()?),
            "surname" => patch.surname = Some(text()?),
            "jobTitle" => patch.job_title = Some(text()?),
            "mobilePhone" => patch.mobile_phone = Some(text()?),
            "mail" => patch.mail = Some(text()?),
            "accountEnabled" => {
                patch.account_enabled =
                    Some(value.as_bool().ok_or_else(|| invalid_value(canonical))?);
            }
            // Known to Graph but not modelled by the simulator: accepted and ignored.
            _ => {}
        }
    }
    Ok(patch)
}

fn nullable_string(name: &str, value: &Value) -> Result<Option<String>, GraphError> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        _ => Err(invalid_value(name)),
    }
}

fn invalid_value(name: &str) -> GraphError {
    GraphError::bad_request(format!(
        "Invalid value specified for property '{name}' of resource 'User'."
    ))
}

fn patch_error(error: PatchError) -> GraphError {
    let message = error.to_string();
    match error {
        PatchError::ProxyConflict { holder, .. } => {
            let mut e = GraphError::bad_request(message.clone()).with_detail(json!({
                "code": "ObjectConflict",
                "message": message,
                "target": "proxyAddresses",
            }));
            if let Some(holder) = holder {
                e = e.with_detail(json!({
                    "code": "ConflictingObjects",
                    "message": message,
                    "target": holder,
                }));
            }
            e
        }
        PatchError::Synced | PatchError::InvalidMail => GraphError::bad_request(message),
    }
}
