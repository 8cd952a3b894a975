//! `auditLogs/directoryAudits`: the tenant's directory audit events, newest first unless
//! `$orderby=activityDateTime asc`, with `$filter` (eq, ge, le, startswith on the documented
//! properties, `targetResources/any(...)`, joined by `and`), `$select`, `$top` (1000 by default and at most:
//! Graph documents `$top` but not its limits) and keyset paging, so events recorded while a client
//! pages never shift the pages.

use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use serde_json::{Value, json};

use super::auth::{AuditRead, Authorized};
use super::respond::{
    self, Collection, Entity, context, precise_time, selected, service_root, with_select,
};
use crate::error::GraphError;
use crate::model::AuditEvent;
use crate::odata::QueryOptions;
use crate::odata::eval::{Fields, Val};
use crate::odata::schemas::{AUDIT_KNOWN, DIRECTORY_AUDIT};
use crate::paging;

const PATH: &str = "/auditLogs/directoryAudits";
const PAGE: usize = 1000;
const TIPS: &str = "Use $select to choose only the properties your app needs, as this can lead to performance improvements. For example: GET auditLogs/directoryAudits?$select=activityDateTime,activityDisplayName";

type Identity<'a> = Option<&'a (uuid::Uuid, String, String)>;

fn identity_field<'a>(who: Identity<'a>, name: &str) -> Val<'a> {
    match (who, name) {
        (Some((id, _, _)), "id") => Val::Str(id.to_string().into()),
        (Some((_, upn, _)), "userPrincipalName") => Val::str(upn),
        (Some((_, _, name)), "displayName") => Val::str(name),
        _ => Val::Null,
    }
}

struct Target<'a>(Identity<'a>);

impl Fields for Target<'_> {
    fn field(&self, path: &[String]) -> Val<'_> {
        match path[0].as_str() {
            "type" => Val::str("User"),
            name => identity_field(self.0, name),
        }
    }
}

impl Fields for AuditEvent {
    fn field(&self, path: &[String]) -> Val<'_> {
        let joined = path.join("/");
        match joined.as_str() {
            "id" => Val::str(&self.id),
            "category" => Val::str(&self.category),
            "correlationId" => Val::Str(self.correlation_id.to_string().into()),
            "activityDisplayName" => Val::str(&self.activity_display_name),
            "activityDateTime" => Val::Time(self.activity_date_time),
            "loggedByService" => Val::str(&self.logged_by_service),
            "operationType" => Val::str(&self.operation_type),
            "result" => Val::str(&self.result),
            "targetResources" => Val::List(
                self.target
                    .iter()
                    .map(|t| Val::Obj(Box::new(Target(Some(t)))))
                    .collect(),
            ),
            other => match other.strip_prefix("initiatedBy/user/") {
                Some(name) => identity_field(self.initiated_by.as_ref(), name),
                None => Val::Null,
            },
        }
    }
}

fn user_json(who: Identity<'_>) -> Value {
    match who {
        Some((id, upn, name)) => json!({
            "id": id, "displayName": name, "userPrincipalName": upn, "ipAddress": "10.0.0.1",
            "userType": null, "homeTenantId": null, "homeTenantName": null,
        }),
        None => Value::Null,
    }
}

fn event_json(e: &AuditEvent) -> Value {
    let targets: Vec<Value> = e
        .target
        .iter()
        .map(|(id, upn, name)| {
            json!({
                "id": id, "displayName": name, "type": "User", "userPrincipalName": upn,
                "groupType": null, "modifiedProperties": [],
            })
        })
        .collect();
    json!({
        "id": e.id,
        "category": e.category,
        "correlationId": e.correlation_id,
        "result": e.result,
        "resultReason": e.result_reason,
        "activityDisplayName": e.activity_display_name,
        "activityDateTime": precise_time(&e.activity_date_time),
        "loggedByService": e.logged_by_service,
        "operationType": e.operation_type,
        "initiatedBy": { "app": null, "user": user_json(e.initiated_by.as_ref()) },
        "targetResources": targets,
        "additionalDetails": [],
    })
}

/// Where a page resumes: after this event in the chosen order.
type Cursor = (i64, String);

fn key(e: &AuditEvent) -> Cursor {
    (e.activity_date_time.timestamp_micros(), e.id.clone())
}

/// `GET /auditLogs/directoryAudits`.
pub async fn list(
    auth: Authorized<AuditRead>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, GraphError> {
    let state = auth.state;
    super::auth::require_directory_read_for_audit(&state, &auth.caller)?;
    let mut q = QueryOptions::parse(uri.query(), &headers)?;
    q.refuse(&["$search", "$count"])?;
    q.check_plain(&DIRECTORY_AUDIT)?;
    let ascending = ascending(&q)?;
    let max_top = (state.throttle.limits().get("graph.audit_max_top") as usize).max(1);
    let size = q.page_size(PAGE.min(max_top), max_top)?;
    let fingerprint = paging::fingerprint(PATH, &q.binding());
    let after: Option<Cursor> = q
        .skiptoken
        .as_ref()
        .map(|t| paging::open(t, fingerprint))
        .transpose()?;
    let select = q.selected(AUDIT_KNOWN, "microsoft.graph.directoryAudit")?;
    let tenant = state.read_tenant();
    let events = matching(&tenant.audits, &q, ascending);
    let start = after.map_or(0, |cursor| {
        events.partition_point(|e| {
            if ascending {
                key(e) <= cursor
            } else {
                key(e) >= cursor
            }
        })
    });
    let page: Vec<&AuditEvent> = events.iter().skip(start).take(size).copied().collect();
    let next_link = (start + page.len() < events.len())
        .then(|| page.last().map(|last| paging::seal(fingerprint, key(last))))
        .flatten()
        .map(|token| paging::link(&service_root(&state), PATH, &q.params, "$skiptoken", &token));
    let value = page
        .into_iter()
        .map(|e| selected(event_json(e), select.as_deref()))
        .collect();
    let set = with_select("auditLogs/directoryAudits", select.as_deref());
    let body = Collection {
        tips: select.is_none().then_some(TIPS),
        next_link,
        ..Collection::new(context(&state, &set), value)
    };
    Ok(respond::json(
        StatusCode::OK,
        &body,
        respond::op("auditLogs.directoryAudits"),
    ))
}

/// The events that pass the filter, in the requested order (by time, then id).
fn matching<'t>(
    audits: &'t [AuditEvent],
    q: &QueryOptions,
    ascending: bool,
) -> Vec<&'t AuditEvent> {
    let mut events: Vec<&AuditEvent> = audits
        .iter()
        .filter(|e| {
            q.filter
                .as_ref()
                .is_none_or(|f| crate::odata::eval::matches(f, *e))
        })
        .collect();
    // The log is kept in time order, so this stable sort mostly confirms it; comparing in place
    // (no key copies) keeps large logs cheap to page.
    events.sort_by(|a, b| {
        a.activity_date_time
            .cmp(&b.activity_date_time)
            .then_with(|| a.id.cmp(&b.id))
    });
    if !ascending {
        events.reverse();
    }
    events
}

fn ascending(q: &QueryOptions) -> Result<bool, GraphError> {
    match q.orderby.as_slice() {
        [] => Ok(false),
        [o] if o.property.eq_ignore_ascii_case("activityDateTime") => Ok(!o.descending),
        _ => Err(GraphError::odata_bad_request(
            "$orderby is supported only on activityDateTime.",
        )),
    }
}

/// `GET /auditLogs/directoryAudits/{id}`.
pub async fn get(
    auth: Authorized<AuditRead>,
    Path(id): Path<String>,
) -> Result<Response, GraphError> {
    super::auth::require_directory_read_for_audit(&auth.state, &auth.caller)?;
    let tenant = auth.state.read_tenant();
    let event = tenant
        .audits
        .iter()
        .find(|e| e.id == id)
        .ok_or_else(|| GraphError::not_found(&id))?;
    let body = Entity {
        context: context(&auth.state, "auditLogs/directoryAudits/$entity"),
        inner: event_json(event),
    };
    Ok(respond::json(
        StatusCode::OK,
        &body,
        respond::op("auditLogs.directoryAudit"),
    ))
}
