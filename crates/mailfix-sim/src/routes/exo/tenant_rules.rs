//! Exchange behaviours a real tenant may show, each behind a switch (COVERAGE.md, "Real-tenant
//! switches"): the anchor check (`exo.check_anchor`), Entra object ids not resolved as `-Identity`
//! (`exo.resolve_object_ids` 0), the dual-write conflict of a first address
//! (`exo.dual_write_conflict_s`), and `null` warnings (`exo.warnings_null`).

use axum::http::HeaderMap;
use chrono::{DateTime, Utc};

use super::error::ExoError;
use crate::identity::Caller;
use crate::model::mailboxes::AddressChange;
use crate::model::{Tenant, UserIdx};
use crate::state::AppState;

/// Exchange's system mailbox for app-only admin calls.
const SYSTEM_MAILBOX: &str = "SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}";

fn limit(state: &AppState, key: &str) -> f64 {
    state.throttle.limits().get(key)
}

/// Whether `-Identity` may be a user's Entra object id.
pub fn object_ids(state: &AppState) -> bool {
    limit(state, "exo.resolve_object_ids") > 0.0
}

/// With `exo.check_anchor` on, `X-AnchorMailbox` must name the caller: `UPN:{signed-in user}` for a
/// delegated token (GreyCorbel ExoHelper `New-ExoConnection.ps1`), and for an app-only token the
/// system mailbox as `UPN:…@{initial domain}` (ScubaGear, M365Permissions) or `APP:…@{tenant id}`
/// (CIPP `New-ExoRequest.ps1`). What the real service answers to another anchor is UNCONFIRMED.
pub fn check_anchor(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
) -> Result<(), ExoError> {
    if limit(state, "exo.check_anchor") <= 0.0 {
        return Ok(());
    }
    let anchor = headers
        .get("x-anchormailbox")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .trim();
    let accepted: Vec<String> = match &caller.upn {
        Some(upn) => vec![format!("UPN:{upn}")],
        None => {
            let tenant = state.read_tenant();
            vec![
                format!("UPN:{SYSTEM_MAILBOX}@{}", tenant.initial_domain),
                format!("APP:{SYSTEM_MAILBOX}@{}", tenant.id),
            ]
        }
    };
    if accepted.iter().any(|a| a.eq_ignore_ascii_case(anchor)) {
        return Ok(());
    }
    Err(ExoError::bad_request(
        format!(
            "The anchor mailbox '{anchor}' is not valid for this caller: send X-AnchorMailbox \
             {} (simulator check exo.check_anchor).",
            accepted.join(" or ")
        ),
        "Microsoft.Exchange.Admin.OData.Core.AnchorMailboxException",
    ))
}

/// With `exo.dual_write_conflict_s` = S > 0, the first address added to each mailbox fails with
/// Exchange's dual-write `ObjectConflict` for S simulated seconds from its first attempt (the text
/// of vilega/O365Troubleshooters issue #215: "... Another object with the same value for property
/// proxyAddresses already exists ... The issue may be transient and please retry a couple of
/// minutes later."); later addresses of that mailbox are not affected.
pub fn dual_write(
    state: &AppState,
    tenant: &mut Tenant,
    user: UserIdx,
    change: &AddressChange,
    now: DateTime<Utc>,
) -> Result<(), ExoError> {
    let window = limit(state, "exo.dual_write_conflict_s");
    let Some(added) = change.add.first() else {
        return Ok(());
    };
    if window <= 0.0 {
        return Ok(());
    }
    let address = added.to_ascii_lowercase();
    let (first, since) = tenant
        .dual_write_conflicts
        .entry(user)
        .or_insert_with(|| (address.clone(), now))
        .clone();
    let elapsed = (now - since).num_milliseconds() as f64 / 1000.0;
    if first != address || elapsed >= window {
        return Ok(());
    }
    Err(ExoError::bad_request(
        format!(
            "Error executing request. An Azure Active Directory call was made to keep object in \
             sync between Azure Active Directory and Exchange Online. However, it failed. Detailed \
             error message: Another object with the same value for property proxyAddresses already \
             exists. Reason: ObjectConflict. DualWrite (Graph) RequestId: {}. The issue may be \
             transient and please retry a couple of minutes later. If the issue persists, please \
             contact support.",
            uuid::Uuid::new_v4()
        ),
        "Microsoft.Exchange.Management.Tasks.DualWriteException",
    ))
}

/// `@adminapi.warnings`: with `exo.warnings_null` on, `null` where there are none (a list is
/// expected; clients must read it as none. UNCONFIRMED whether Exchange sends it; observed traffic
/// has `[]`).
pub fn warnings(state: &AppState, warnings: Vec<String>) -> Option<Vec<String>> {
    (state.throttle.limits().get("exo.warnings_null") <= 0.0 || !warnings.is_empty())
        .then_some(warnings)
}
