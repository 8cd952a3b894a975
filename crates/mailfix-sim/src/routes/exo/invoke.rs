//! `POST /adminapi/{beta|v1.0}/{tenant}/InvokeCommand`: authenticate, resolve the tenant, check the
//! permission, run the cmdlet against the tenant, and answer in Exchange's envelope
//! (`@odata.context`, `@adminapi.warnings`, `value`, `@odata.nextLink`) with its headers.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::cmdlets::{self, Listing, Output};
use super::error::{ErrorShape, ExoError};
use super::paging::{Cursor, requested_page_size};
use crate::identity::{Audience, Caller};
use crate::log::LogDetail;
use crate::state::{AppState, seconds};

/// The cmdlets the simulator emulates, in their canonical spelling.
pub const CMDLETS: &[&str] = &[
    "Get-Mailbox",
    "Set-Mailbox",
    "Get-User",
    "Get-AcceptedDomain",
];

/// Directory roles that may run any emulated cmdlet.
const ADMIN_ROLES: &[&str] = &[
    "Exchange Administrator",
    "Global Administrator",
    "Exchange Recipient Administrator",
];

#[derive(Deserialize)]
struct InvokeBody {
    #[serde(rename = "CmdletInput")]
    cmdlet_input: CmdletInput,
}

#[derive(Deserialize)]
struct CmdletInput {
    #[serde(rename = "CmdletName")]
    name: String,
    #[serde(rename = "Parameters", default)]
    parameters: Option<Map<String, Value>>,
}

#[derive(Serialize)]
struct Envelope {
    #[serde(rename = "@odata.context")]
    context: String,
    #[serde(rename = "adminapi.warnings@odata.type")]
    warnings_type: &'static str,
    #[serde(rename = "@adminapi.warnings")]
    warnings: Option<Vec<String>>,
    #[serde(rename = "@odata.nextLink", skip_serializing_if = "Option::is_none")]
    next_link: Option<String>,
    value: Vec<Value>,
}

/// What the request names.
struct Target {
    version: String,
    tenant: String,
}

pub(super) async fn invoke(
    State(state): State<AppState>,
    Path((version, tenant)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if super::discovery::redirects(&state, &uri, &headers) {
        return super::discovery::redirect(&state, &uri, "InvokeCommand");
    }
    let target = Target { version, tenant };
    let mut detail = LogDetail::default();
    let mut response = match run(&state, &target, &query, &headers, &body, &mut detail) {
        Ok(response) => response,
        Err(error) => {
            let shape = state.throttle.limits().get("exo.error_shape");
            error.render(ErrorShape::from_limit(shape))
        }
    };
    response.extensions_mut().insert(detail);
    response
}

fn run(
    state: &AppState,
    target: &Target,
    query: &HashMap<String, String>,
    headers: &HeaderMap,
    body: &[u8],
    detail: &mut LogDetail,
) -> Result<Response, ExoError> {
    if target.version != "beta" && target.version != "v1.0" {
        return Err(ExoError::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!("The API version '{}' does not exist.", target.version),
            "Microsoft.Exchange.Admin.OData.ResourceNotFoundException",
        ));
    }
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let caller = state
        .identity
        .verify(authorization, Audience::Exchange, state.clock.now())
        .map_err(|e| unauthorized(&e.to_string()))?;
    check_tenant(state, &target.tenant, &caller)?;
    let input: InvokeBody = serde_json::from_slice(body).map_err(|e| {
        ExoError::bad_request(
            format!("The request body is not a valid InvokeCommand request: {e}."),
            "Microsoft.OData.ODataException",
        )
    })?;
    let cmdlet = canonical(&input.cmdlet_input.name)?;
    detail.operation = Some(cmdlet.to_owned());
    detail.write = cmdlet.starts_with("Set-");
    check_permission(&caller, cmdlet)?;
    super::tenant_rules::check_anchor(state, &caller, headers)?;
    let params = input.cmdlet_input.parameters.unwrap_or_default();
    let output = execute(state, cmdlet, &params, query, headers)?;
    Ok(render(state, target, query, output))
}

fn unauthorized(message: &str) -> ExoError {
    ExoError::new(
        StatusCode::UNAUTHORIZED,
        "Unauthorized",
        message.to_owned(),
        "System.UnauthorizedAccessException",
    )
}

/// The `{tenant}` segment must name this tenant (its id or one of its domains) and match the token.
fn check_tenant(state: &AppState, key: &str, caller: &Caller) -> Result<(), ExoError> {
    let tenant = state.read_tenant();
    let known = tenant.id.to_string().eq_ignore_ascii_case(key)
        || tenant
            .domains
            .iter()
            .any(|d| d.name.eq_ignore_ascii_case(key));
    if !known {
        return Err(ExoError::bad_request(
            format!(
                "The tenant '{key}' could not be found. Use the tenant id or one of its domains."
            ),
            "Microsoft.Exchange.Data.Directory.SystemConfiguration.TenantNotFoundException",
        ));
    }
    if !caller
        .tenant_id
        .eq_ignore_ascii_case(&tenant.id.to_string())
    {
        return Err(unauthorized(
            "The access token was issued for another tenant.",
        ));
    }
    Ok(())
}

fn canonical(name: &str) -> Result<&'static str, ExoError> {
    CMDLETS
        .iter()
        .copied()
        .find(|c| c.eq_ignore_ascii_case(name.trim()))
        .ok_or_else(|| {
            ExoError::bad_request(
                format!(
                    "The term '{name}' is not recognized as a name of a cmdlet, function, script \
                     file, or executable program. Check the spelling of the name, or if a path \
                     was included, verify that the path is correct and try again."
                ),
                "System.Management.Automation.CommandNotFoundException",
            )
        })
}

/// App-only callers need `Exchange.ManageAsApp` and an Exchange administrator role; delegated callers
/// need `Exchange.Manage` and the role. `Global Reader` may run the `Get-` cmdlets.
fn check_permission(caller: &Caller, cmdlet: &str) -> Result<(), ExoError> {
    let api =
        caller.has("Exchange.ManageAsApp") || caller.scopes.iter().any(|s| s == "Exchange.Manage");
    let read_only = cmdlet.starts_with("Get-");
    let role = caller.directory_roles.iter().any(|r| {
        ADMIN_ROLES.iter().any(|a| a.eq_ignore_ascii_case(r))
            || (read_only && r.eq_ignore_ascii_case("Global Reader"))
    });
    if api && role {
        return Ok(());
    }
    let missing = if api {
        "an Exchange administrator role (e.g. Exchange Administrator)"
    } else {
        "the Exchange.ManageAsApp permission"
    };
    Err(ExoError::new(
        StatusCode::FORBIDDEN,
        "Forbidden",
        format!(
            "The application '{}' isn't allowed to run '{cmdlet}': it lacks {missing}.",
            caller.app_id
        ),
        "System.UnauthorizedAccessException",
    ))
}

fn execute(
    state: &AppState,
    cmdlet: &str,
    params: &Map<String, Value>,
    query: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Result<Output, ExoError> {
    if cmdlet == "Set-Mailbox" {
        return set_mailbox(state, params);
    }
    let limits = state.throttle.limits();
    let params_value = Value::Object(params.clone());
    let cursor = match query.get("$skiptoken") {
        Some(token) => Cursor::resume(token, cmdlet, &params_value)?,
        None => Cursor::start(cmdlet, &params_value),
    };
    let listing = Listing {
        cursor,
        page_size: requested_page_size(headers)
            .unwrap_or(limits.get("exo.default_page_size").clamp(1.0, 1000.0) as usize),
        default_result_size: limits.get("exo.default_result_size").max(0.0) as usize,
        object_ids: super::tenant_rules::object_ids(state),
    };
    let tenant = state.read_tenant();
    match cmdlet {
        "Get-Mailbox" => cmdlets::get_mailbox(&tenant, params, listing),
        "Get-User" => cmdlets::get_user(&tenant, params, listing),
        _ => cmdlets::get_accepted_domain(&tenant, params),
    }
}

fn set_mailbox(state: &AppState, params: &Map<String, Value>) -> Result<Output, ExoError> {
    cmdlets::check_params("Set-Mailbox", params, &["Identity", "EmailAddresses"])?;
    let id = cmdlets::identity(params)?.ok_or_else(|| {
        ExoError::bad_request(
            "Cannot process command because of one or more missing mandatory parameters: Identity."
                .to_owned(),
            "System.Management.Automation.ParameterBindingException",
        )
    })?;
    let change = cmdlets::address_change(params)?;
    let behaviour = state.behaviour();
    let object_ids = super::tenant_rules::object_ids(state);
    let mut tenant = state.write_tenant();
    let user = tenant
        .exchange_identity_by(&id, object_ids)
        .filter(|u| tenant.mailboxes.contains_key(u))
        .ok_or_else(|| ExoError::not_found(&id))?;
    let alias = tenant
        .mailboxes
        .get(&user)
        .map(|m| m.alias.clone())
        .unwrap_or_default();
    let object_id = tenant.users[user as usize].id.to_string();
    let now = state.clock.now();
    let reservation = seconds(behaviour.address_reservation_s);
    if let Some(change) = &change {
        super::tenant_rules::dual_write(state, &mut tenant, user, change, now)?;
    }
    let changed = match change {
        Some(change) => tenant
            .change_mailbox_addresses(user, &change, now, reservation)
            .map_err(|e| ExoError::change(e, &object_id))?,
        None => false,
    };
    let mut output = Output::default();
    if changed {
        tenant.request_writeback(
            user,
            now,
            state.writeback_delay(&object_id),
            seconds(behaviour.consistency_lag_s),
        );
    } else {
        output.warnings.push(format!(
            "The command completed successfully but no settings of '{alias}' have been modified."
        ));
    }
    Ok(output)
}

fn render(
    state: &AppState,
    target: &Target,
    query: &HashMap<String, String>,
    output: Output,
) -> Response {
    let base = format!("adminapi/{}/{}", target.version, target.tenant);
    // The link keeps `$select`, so that every page has the same properties.
    let next_link = output.next.map(|cursor| {
        let origin = state.base_url.get().map_or("", String::as_str);
        let select = query.get("$select").map_or_else(String::new, |s| {
            let s: String = url::form_urlencoded::byte_serialize(s.as_bytes()).collect();
            format!("$select={s}&")
        });
        format!(
            "{origin}/{base}/InvokeCommand?{select}$skiptoken={}",
            cursor.encode()
        )
    });
    let select: Option<Vec<&str>> = query
        .get("$select")
        .map(|s| s.split(',').map(str::trim).collect());
    let value = output
        .values
        .into_iter()
        .map(|v| match &select {
            Some(keep) => only(v, keep),
            None => v,
        })
        .collect();
    let envelope = Envelope {
        context: format!(
            "https://outlook.office.com/{base}/$metadata#Collection(Exchange.GenericHashTable)"
        ),
        warnings_type: "#Collection(String)",
        warnings: super::tenant_rules::warnings(state, output.warnings),
        next_link,
        value,
    };
    let mut response = (StatusCode::OK, axum::Json(envelope)).into_response();
    for (name, value) in SUCCESS_HEADERS {
        response
            .headers_mut()
            .insert(*name, HeaderValue::from_static(value));
    }
    if let Ok(id) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
        response.headers_mut().insert("request-id", id);
    }
    response
}

/// Headers of a successful `InvokeCommand` (fixture `exo-invokecommand-observed.json`); the
/// middleware adds `Rate-Limit-*` and the concurrency counts.
const SUCCESS_HEADERS: &[(&str, &str)] = &[
    ("cache-control", "no-cache"),
    (
        "content-type",
        "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8",
    ),
    ("server", "Microsoft-HTTPAPI/2.0"),
    ("preference-applied", "odata.include-annotations=\"*\""),
    ("odata-version", "4.0"),
    ("x-exchangeversion", "Version 15.20 (Build 7587.36)"),
    ("x-usertype", "Business"),
    (
        "strict-transport-security",
        "max-age=31536000; includeSubDomains",
    ),
];

/// Keeps only the `$select`ed properties (and their annotations).
fn only(value: Value, keep: &[&str]) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(k, _)| {
                    let base = k.split('@').next().unwrap_or(k);
                    keep.iter().any(|s| s.eq_ignore_ascii_case(base))
                })
                .collect(),
        ),
        other => other,
    }
}
