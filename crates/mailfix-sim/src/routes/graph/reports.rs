//! `reports/authenticationMethods/userRegistrationDetails`: one record per live user, derived from
//! the user's registered methods and whether the user completed combined registration
//! (`UserMethods::registered`); `$filter` on the documented properties, `$orderby`, `$select`,
//! `$top` and paging. Page size: 1000 by default and at most (undocumented by Graph).

use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use serde::Serialize;

use super::auth::{AuditRead, Authorized};
use super::listing::{Page, order_key, page_of};
use super::respond::{self, Collection, Entity, context, precise_time, selected, with_select};
use crate::error::GraphError;
use crate::model::{PhoneType, Tenant, User, UserMethods, UserType};
use crate::odata::QueryOptions;
use crate::odata::eval::{Fields, Val};
use crate::odata::schemas::{URD_KNOWN, USER_REGISTRATION};

const SET: &str = "reports/authenticationMethods/userRegistrationDetails";
const PAGE: usize = 1000;

/// One registration record.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Registration {
    id: String,
    user_principal_name: String,
    user_display_name: String,
    user_type: &'static str,
    is_admin: bool,
    is_sspr_registered: bool,
    is_sspr_enabled: bool,
    is_sspr_capable: bool,
    is_mfa_registered: bool,
    is_mfa_capable: bool,
    is_passwordless_capable: bool,
    is_system_preferred_authentication_method_enabled: bool,
    last_updated_date_time: String,
    methods_registered: Vec<&'static str>,
    system_preferred_authentication_methods: Vec<&'static str>,
    user_preferred_method_for_secondary_authentication: &'static str,
}

impl Registration {
    fn of(user: &User, methods: Option<&UserMethods>) -> Self {
        let phones = methods.map(|m| m.phones.as_slice()).unwrap_or_default();
        let has = |t: PhoneType| phones.iter().any(|p| p.phone_type == t);
        let mut registered_methods = Vec::new();
        for (t, name) in [
            (PhoneType::Mobile, "mobilePhone"),
            (PhoneType::AlternateMobile, "alternateMobilePhone"),
            (PhoneType::Office, "officePhone"),
        ] {
            if has(t) {
                registered_methods.push(name);
            }
        }
        if methods.is_some_and(|m| m.email.is_some()) {
            registered_methods.push("email");
        }
        let completed = methods.and_then(|m| m.registered);
        let member = user.user_type == UserType::Member;
        let sspr_registered = completed.is_some();
        let mfa_registered = completed.is_some() && !phones.is_empty();
        Self {
            id: user.id.to_string(),
            user_principal_name: user.user_principal_name.clone(),
            user_display_name: user.display_name.clone(),
            user_type: if member { "member" } else { "guest" },
            is_admin: false,
            is_sspr_registered: sspr_registered,
            is_sspr_enabled: member,
            is_sspr_capable: member && sspr_registered && user.account_enabled,
            is_mfa_registered: mfa_registered,
            is_mfa_capable: mfa_registered && user.account_enabled,
            is_passwordless_capable: false,
            is_system_preferred_authentication_method_enabled: true,
            last_updated_date_time: precise_time(&completed.unwrap_or(user.created)),
            methods_registered: registered_methods,
            system_preferred_authentication_methods: if has(PhoneType::Mobile) {
                vec!["sms"]
            } else {
                Vec::new()
            },
            user_preferred_method_for_secondary_authentication: if has(PhoneType::Mobile) {
                "sms"
            } else {
                "none"
            },
        }
    }

    fn selected(&self, select: Option<&[&str]>) -> serde_json::Value {
        selected(serde_json::to_value(self).unwrap_or_default(), select)
    }
}

impl Fields for Registration {
    fn field(&self, path: &[String]) -> Val<'_> {
        match path[0].as_str() {
            "id" => Val::str(&self.id),
            "userPrincipalName" => Val::str(&self.user_principal_name),
            "userDisplayName" => Val::str(&self.user_display_name),
            "userType" => Val::str(self.user_type),
            "isAdmin" => Val::Bool(self.is_admin),
            "isMfaCapable" => Val::Bool(self.is_mfa_capable),
            "isMfaRegistered" => Val::Bool(self.is_mfa_registered),
            "isPasswordlessCapable" => Val::Bool(self.is_passwordless_capable),
            "isSsprCapable" => Val::Bool(self.is_sspr_capable),
            "isSsprEnabled" => Val::Bool(self.is_sspr_enabled),
            "isSsprRegistered" => Val::Bool(self.is_sspr_registered),
            "isSystemPreferredAuthenticationMethodEnabled" => {
                Val::Bool(self.is_system_preferred_authentication_method_enabled)
            }
            "lastUpdatedDateTime" => Val::Str(self.last_updated_date_time.as_str().into()),
            "methodsRegistered" => Val::List(
                self.methods_registered
                    .iter()
                    .map(|m| Val::str(m))
                    .collect(),
            ),
            "systemPreferredAuthenticationMethods" => Val::List(
                self.system_preferred_authentication_methods
                    .iter()
                    .map(|m| Val::str(m))
                    .collect(),
            ),
            "userPreferredMethodForSecondaryAuthentication" => {
                Val::str(self.user_preferred_method_for_secondary_authentication)
            }
            _ => Val::Null,
        }
    }
}

/// A user's record; with `future`, a method the client may not know yet (`unknownFutureValue`)
/// is listed among those registered (switch `graph.unknown_enum_values`).
fn record(tenant: &Tenant, i: usize, future: bool) -> Registration {
    let mut r = Registration::of(&tenant.users[i], tenant.methods.get(&(i as u32)));
    if future && !r.methods_registered.is_empty() {
        r.methods_registered.push("unknownFutureValue");
    }
    r
}

/// The report needs Entra ID P1 or P2: without (switch `graph.entra_premium` 0) Graph answers 403
/// `Authentication_RequestFromNonPremiumTenantOrB2CTenant` (learn.microsoft.com
/// `authenticationmethods-usage-insights-overview`, "Licenses"; microsoft-graph-docs-contrib issue
/// #8777).
fn require_premium(state: &crate::state::AppState) -> Result<(), GraphError> {
    if state.throttle.limits().get("graph.entra_premium") > 0.0 {
        return Ok(());
    }
    Err(GraphError::new(
        StatusCode::FORBIDDEN,
        "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
        "Neither tenant is B2C or tenant doesn't have premium license",
    ))
}

/// `GET /reports/authenticationMethods/userRegistrationDetails`.
pub async fn list(
    auth: Authorized<AuditRead>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, GraphError> {
    let state = auth.state;
    require_premium(&state)?;
    let future = state.throttle.limits().get("graph.unknown_enum_values") > 0.0;
    let mut q = QueryOptions::parse(uri.query(), &headers)?;
    q.refuse(&["$search", "$count"])?;
    let select = q.selected(URD_KNOWN, "microsoft.graph.userRegistrationDetails")?;
    q.check_plain(&USER_REGISTRATION)?;
    let sortable = [("userPrincipalName", false), ("userDisplayName", false)];
    let order = order_key(&q, &sortable)?;
    let page = Page::new(&state, &format!("/{SET}"), q, PAGE, PAGE)?;
    let tenant = state.read_tenant();
    let keep = |i: usize| !tenant.users[i].deleted && page.keeps(&record(&tenant, i, future));
    let (value, next) = page_of(
        &page,
        tenant.users.len(),
        keep,
        order,
        |i| record(&tenant, i, future),
        |i| record(&tenant, i, future).selected(select.as_deref()),
    );
    let body = Collection {
        next_link: page.next_link(next),
        ..Collection::new(context(&state, &with_select(SET, select.as_deref())), value)
    };
    Ok(respond::json(
        StatusCode::OK,
        &body,
        respond::op("reports.userRegistrationDetails"),
    ))
}

/// `GET /reports/authenticationMethods/userRegistrationDetails/{id}`.
pub async fn get(
    auth: Authorized<AuditRead>,
    Path(id): Path<String>,
) -> Result<Response, GraphError> {
    require_premium(&auth.state)?;
    let tenant = auth.state.read_tenant();
    let idx = uuid::Uuid::parse_str(&id)
        .ok()
        .and_then(|u| tenant.user_by_id(u))
        .ok_or_else(|| GraphError::not_found(&id))?;
    let body = Entity {
        context: context(&auth.state, &format!("{SET}/$entity")),
        inner: record(&tenant, idx as usize, false),
    };
    Ok(respond::json(
        StatusCode::OK,
        &body,
        respond::op("reports.userRegistrationDetails"),
    ))
}
