//! Sign-in routes: OpenID and instance discovery, the JWKS, the token endpoint, device code, and the
//! control-plane route that approves device-code sign-ins. Handlers extract the request, call into
//! `identity::*`, and render JSON with the identity platform's headers.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;

use crate::identity::device_code::SignedInUser;
use crate::identity::discovery::{self, TenantSegment};
use crate::identity::grants::{self, BasicAuth, TokenContext, TokenForm};
use crate::identity::{AadError, SignInClient, scopes};
use crate::log::LogDetail;
use crate::state::{AppState, SimState};

/// Device-code sign-ins expire after 15 minutes (simulated).
const DEVICE_CODE_LIFETIME_S: i64 = 900;
/// Polling interval told to device-code clients, simulated seconds.
const DEVICE_CODE_INTERVAL_S: u64 = 5;

/// The sign-in routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(openid_configuration),
        )
        .route("/{tenant}/discovery/instance", get(instance_discovery))
        .route("/{tenant}/discovery/v2.0/keys", get(keys))
        .route("/{tenant}/discovery/keys", get(keys))
        .route("/{tenant}/oauth2/v2.0/token", post(token).get(post_only))
        .route(
            "/{tenant}/oauth2/v2.0/devicecode",
            post(devicecode).get(post_only),
        )
        .route("/devicelogin", get(devicelogin))
        .route("/_sim/devicecode/approve", post(approve))
        .route("/_sim/login/assertion-replay", post(assertion_replay))
}

/// Headers every identity-platform response carries (from the recorded responses).
fn sts_headers(headers: &mut HeaderMap, metadata: bool) {
    let mut set = |name: &'static str, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    if metadata {
        set("cache-control", "max-age=86400, private");
        set("access-control-allow-origin", "*");
        set("access-control-allow-methods", "GET, OPTIONS");
    } else {
        set("cache-control", "no-store, no-cache");
        set("pragma", "no-cache");
        set("expires", "-1");
    }
    set("content-type", "application/json; charset=utf-8");
    set(
        "strict-transport-security",
        "max-age=31536000; includeSubDomains",
    );
    set("x-content-type-options", "nosniff");
    set("p3p", "CP=\"DSP CUR OTPi IND OTRi ONL FIN\"");
    set("x-ms-ests-server", "2.1.0 - mailfix-sim");
    set("x-xss-protection", "0");
    if let Ok(id) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
        headers.insert("x-ms-request-id", id);
    }
}

fn render(status: StatusCode, body: impl serde::Serialize, metadata: bool, op: &str) -> Response {
    let mut response = (status, Json(body)).into_response();
    sts_headers(response.headers_mut(), metadata);
    response.extensions_mut().insert(LogDetail {
        operation: Some(op.to_owned()),
        ..LogDetail::default()
    });
    response
}

fn render_error(state: &SimState, headers: &HeaderMap, error: &AadError, op: &str) -> Response {
    let correlation = headers
        .get("client-request-id")
        .and_then(|v| v.to_str().ok());
    let body = error.body(state.clock.now(), correlation);
    render(error.status, body, op == "discovery", op)
}

/// Renders an answer: the body with 200, or the AADSTS error.
fn respond(
    state: &SimState,
    headers: &HeaderMap,
    result: Result<impl serde::Serialize, AadError>,
    op: &str,
) -> Response {
    match result {
        Ok(body) => render(StatusCode::OK, body, op == "discovery", op),
        Err(error) => render_error(state, headers, &error, op),
    }
}

fn base_url(state: &SimState) -> String {
    state.base_url.get().cloned().unwrap_or_default()
}

fn resolve(state: &SimState, segment: &str) -> Result<TenantSegment, AadError> {
    let tenant = state.read_tenant();
    let domains: Vec<&str> = tenant.domains.iter().map(|d| d.name.as_str()).collect();
    discovery::resolve_tenant(segment, &tenant.id.to_string(), &domains)
}

async fn openid_configuration(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Response {
    let doc = resolve(&state, &tenant)
        .map(|segment| discovery::openid_configuration(&base_url(&state), &segment))
        .map_err(|_| AadError::unknown_tenant_discovery(&tenant));
    respond(&state, &headers, doc, "discovery")
}

#[derive(Debug, Deserialize)]
struct InstanceQuery {
    authorization_endpoint: Option<String>,
    #[serde(rename = "api-version")]
    api_version: Option<String>,
}

async fn instance_discovery(
    State(state): State<AppState>,
    Query(query): Query<InstanceQuery>,
    headers: HeaderMap,
) -> Response {
    let doc = discovery::instance_discovery(
        &base_url(&state),
        query.authorization_endpoint.as_deref(),
        query.api_version.as_deref(),
    );
    respond(&state, &headers, doc, "discovery")
}

async fn keys(State(state): State<AppState>) -> Response {
    render(StatusCode::OK, state.identity.jwks(), true, "keys")
}

async fn post_only(State(state): State<AppState>, method: Method, headers: HeaderMap) -> Response {
    render_error(
        &state,
        &headers,
        &AadError::post_only(method.as_str()),
        "token",
    )
}

/// `Authorization: Basic base64(urlencode(client_id):urlencode(secret))` (RFC 6749 §2.3.1).
fn basic_credentials(headers: &HeaderMap) -> BasicAuth {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    let unescape = |s: &str| {
        url::form_urlencoded::parse(format!("v={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Some((unescape(id)?, unescape(secret)?))
}

async fn token(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // An unreadable body is answered like an empty one: the first missing parameter is reported.
    let form: TokenForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let basic = basic_credentials(&headers);
    let result = answer_token(&state, &tenant, &form, &basic);
    let mut response = respond(&state, &headers, result, "token");
    if let Some(client_id) = grants::client_id(&form, &basic) {
        response
            .extensions_mut()
            .insert(SignInClient(client_id.to_owned()));
    }
    response
}

fn answer_token(
    state: &SimState,
    tenant: &str,
    form: &TokenForm,
    basic: &BasicAuth,
) -> Result<grants::TokenResponse, AadError> {
    let segment = resolve(state, tenant)?;
    let lifetime_s = state.behaviour().token_lifetime_s.max(1.0);
    let expires_in = state
        .clock
        .to_real(std::time::Duration::from_secs_f64(lifetime_s))
        .as_secs()
        .max(1);
    let base = base_url(state);
    let tenant = state.read_tenant();
    let ctx = TokenContext {
        base_url: &base,
        tenant: &tenant,
        identity: &state.identity,
        now: state.clock.now(),
        wall: Utc::now(),
        lifetime_s: lifetime_s as i64,
        expires_in,
    };
    grants::token(&ctx, &segment, form, basic)
}

#[derive(Debug, Default, Deserialize)]
struct DeviceCodeForm {
    client_id: Option<String>,
    scope: Option<String>,
}

async fn devicecode(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form: DeviceCodeForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let result = start_device_code(&state, &tenant, &form);
    respond(&state, &headers, result, "devicecode")
}

fn start_device_code(
    state: &SimState,
    tenant: &str,
    form: &DeviceCodeForm,
) -> Result<serde_json::Value, AadError> {
    resolve(state, tenant)?;
    let client_id = form
        .client_id
        .as_deref()
        .ok_or_else(|| AadError::missing_parameter("client_id"))?;
    let scope = form
        .scope
        .as_deref()
        .ok_or_else(|| AadError::missing_parameter("scope"))?;
    {
        let tenant = state.read_tenant();
        if !tenant
            .apps
            .iter()
            .any(|a| a.client_id.eq_ignore_ascii_case(client_id))
        {
            return Err(AadError::unknown_app(client_id, &tenant.initial_domain));
        }
    }
    let requested = scopes::delegated_scopes(scope, state.identity.cloud())?;
    let lifetime = chrono::Duration::seconds(DEVICE_CODE_LIFETIME_S);
    let started =
        state
            .identity
            .sign_in
            .device
            .start(client_id, requested, state.clock.now(), lifetime);
    let real = |s: u64| {
        let d = state.clock.to_real(std::time::Duration::from_secs(s));
        d.as_secs().max(1)
    };
    let verification_uri = format!("{}/devicelogin", base_url(state));
    Ok(json!({
        "user_code": started.user_code,
        "device_code": started.device_code,
        "verification_uri": verification_uri,
        "expires_in": real(DEVICE_CODE_LIFETIME_S as u64),
        "interval": real(DEVICE_CODE_INTERVAL_S),
        "message": format!(
            "To sign in, use a web browser to open the page {verification_uri} and enter the code {} to authenticate.",
            started.user_code
        ),
    }))
}

async fn devicelogin() -> Response {
    let page = "<!doctype html><title>mailfix simulator</title><p>This simulator has no sign-in page. \
        Approve a device-code sign-in with <code>POST /_sim/devicecode/approve</code> and \
        <code>{\"user_code\": \"...\", \"upn\": \"user@domain\"}</code> \
        (or <code>\"decline\": true</code>).</p>";
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response()
}

#[derive(Debug, Deserialize)]
struct ApproveBody {
    user_code: String,
    #[serde(default)]
    upn: Option<String>,
    #[serde(default)]
    decline: bool,
    #[serde(default)]
    directory_roles: Vec<String>,
}

fn control_error(status: StatusCode, message: String) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

async fn approve(State(state): State<AppState>, Json(body): Json<ApproveBody>) -> Response {
    let user = if body.decline {
        None
    } else {
        let Some(upn) = body.upn.as_deref() else {
            return control_error(StatusCode::BAD_REQUEST, "'upn' is required".into());
        };
        match signed_in_user(&state, upn, body.directory_roles.clone()) {
            Ok(user) => Some(user),
            Err((status, message)) => return control_error(status, message),
        }
    };
    let decision = if user.is_some() {
        "approved"
    } else {
        "declined"
    };
    let result = state
        .identity
        .sign_in
        .device
        .decide(&body.user_code, user, state.clock.now());
    match result {
        Ok(()) => {
            Json(json!({ "user_code": body.user_code, "decision": decision })).into_response()
        }
        Err(e @ crate::identity::device_code::ApproveError::UnknownCode(_)) => {
            control_error(StatusCode::NOT_FOUND, e.to_string())
        }
        Err(e) => control_error(StatusCode::CONFLICT, e.to_string()),
    }
}

fn signed_in_user(
    state: &SimState,
    upn: &str,
    directory_roles: Vec<String>,
) -> Result<SignedInUser, (StatusCode, String)> {
    let tenant = state.read_tenant();
    let not_found = || (StatusCode::NOT_FOUND, format!("no user '{upn}'"));
    let user = tenant
        .user_by_upn(upn)
        .and_then(|i| tenant.users.get(i as usize))
        .ok_or_else(not_found)?;
    if !user.account_enabled {
        let message = format!("user '{upn}' is disabled and cannot sign in");
        return Err((StatusCode::BAD_REQUEST, message));
    }
    Ok(SignedInUser {
        upn: user.user_principal_name.clone(),
        user_id: user.id.to_string(),
        display_name: user.display_name.clone(),
        directory_roles,
    })
}

#[derive(Debug, Deserialize)]
struct ReplayBody {
    reject: bool,
}

/// Switches the refusal of replayed client-assertion `jti`s on or off.
async fn assertion_replay(State(state): State<AppState>, Json(body): Json<ReplayBody>) -> Response {
    state.identity.sign_in.replays.set_reject(body.reject);
    Json(json!({ "reject": body.reject })).into_response()
}
