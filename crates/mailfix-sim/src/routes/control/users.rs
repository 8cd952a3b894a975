//! `GET /_sim/users/{upn or id}`: one user with its mailbox, methods and write-back state, for test
//! assertions (what the tenant really holds, not what an eventually consistent query shows).
//! `POST /_sim/users/{upn or id}/roles`: the directory roles the user holds.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::plane::ControlError;
use crate::state::AppState;

/// The user view.
pub async fn user(
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<Json<Value>, ControlError> {
    let tenant = state.read_tenant();
    let idx = tenant.user_by_key(&key).ok_or_else(|| {
        ControlError(
            StatusCode::NOT_FOUND,
            format!("no user '{key}' in the tenant"),
        )
    })?;
    let u = &tenant.users[idx as usize];
    let mailbox = tenant.mailboxes.get(&idx).map(|m| {
        json!({
            "alias": m.alias,
            "primarySmtpAddress": m.primary_smtp(),
            "emailAddresses": m.email_addresses,
            "guid": m.guid,
            "exchangeObjectId": m.exchange_object_id,
            "whenChanged": m.when_changed,
        })
    });
    let methods = tenant.methods.get(&idx).map(|m| {
        json!({
            "phones": m.phones.iter().map(|p| json!({
                "phoneType": p.phone_type.as_str(),
                "phoneNumber": p.phone_number,
            })).collect::<Vec<_>>(),
            "email": m.email.as_ref().map(|e| &e.email_address),
            "registered": m.registered,
        })
    });
    let stale = u
        .stale
        .as_ref()
        .map(|s| json!({"mail": s.mail, "proxyAddresses": s.proxy_addresses, "until": s.until}));
    let plans: Vec<Value> = u
        .assigned_plans
        .iter()
        .map(|p| json!({"servicePlanId": p.service_plan_id, "service": p.service, "capabilityStatus": p.capability_status}))
        .collect();
    Ok(Json(json!({
        "id": u.id,
        "userPrincipalName": u.user_principal_name,
        "displayName": u.display_name,
        "label": u.label,
        "mail": u.mail,
        "proxyAddresses": u.proxy_addresses,
        "accountEnabled": u.account_enabled,
        "userType": u.user_type.as_str(),
        "onPremisesSyncEnabled": u.on_premises_sync_enabled,
        "stuck": u.stuck,
        "pendingWriteback": tenant.pending_writeback(idx),
        "heldWriteback": tenant.held_writebacks.contains(&idx),
        "stale": stale,
        "changeSeq": u.change_seq,
        "assignedPlans": plans,
        "mailbox": mailbox,
        "methods": methods,
        "directoryRoles": tenant.user_roles.get(&idx).cloned().unwrap_or_default(),
    })))
}

/// The body of `POST /_sim/users/{key}/roles`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolesBody {
    directory_roles: Vec<String>,
}

/// `POST /_sim/users/{key}/roles` `{"directory_roles": [...]}` → `{"directoryRoles": [...]}`.
pub async fn set_roles(
    State(state): State<AppState>,
    Path(key): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<Value>, ControlError> {
    let roles: RolesBody = serde_json::from_slice(&body).map_err(super::plane::bad_body)?;
    let mut tenant = state.write_tenant();
    let idx = tenant.user_by_key(&key).ok_or_else(|| {
        ControlError(
            StatusCode::NOT_FOUND,
            format!("no user '{key}' in the tenant"),
        )
    })?;
    tenant.user_roles.insert(idx, roles.directory_roles.clone());
    Ok(Json(json!({ "directoryRoles": roles.directory_roles })))
}
