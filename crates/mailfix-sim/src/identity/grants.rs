//! The token endpoint's rules (`POST /{tenant}/oauth2/v2.0/token`), free of HTTP types: client
//! credentials with a secret or a certificate assertion, device-code redemption and refresh tokens.
//! Routes parse the form and render the [`TokenResponse`] or [`AadError`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::aadsts::AadError;
use super::assertion::{self, AssertionContext, JWT_BEARER};
use super::delegated;
use super::discovery::TenantSegment;
use super::scopes;
use super::tokens::{Audience, Identity, TokenRequest};
use crate::model::{AppRegistration, Tenant};

/// `grant_type` of device-code redemption.
pub const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// The token endpoint's form. Unknown parameters (telemetry, `client_info`, `claims`) are ignored.
#[derive(Clone, Default, Deserialize)]
pub struct TokenForm {
    /// `grant_type`.
    pub grant_type: Option<String>,
    /// `client_id`.
    pub client_id: Option<String>,
    /// `client_secret` (never logged).
    pub client_secret: Option<String>,
    /// `client_assertion_type`.
    pub client_assertion_type: Option<String>,
    /// `client_assertion` (never logged).
    pub client_assertion: Option<String>,
    /// `scope`.
    pub scope: Option<String>,
    /// `device_code` (never logged).
    pub device_code: Option<String>,
    /// `refresh_token` (never logged).
    pub refresh_token: Option<String>,
    /// `client_info=1` asks for the `client_info` of delegated responses (MSAL sends it).
    pub client_info: Option<String>,
}

impl std::fmt::Debug for TokenForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = |v: &Option<String>| v.as_ref().map(|_| "[redacted]");
        f.debug_struct("TokenForm")
            .field("grant_type", &self.grant_type)
            .field("client_id", &self.client_id)
            .field("client_secret", &redacted(&self.client_secret))
            .field("client_assertion", &redacted(&self.client_assertion))
            .field("scope", &self.scope)
            .field("device_code", &redacted(&self.device_code))
            .field("refresh_token", &redacted(&self.refresh_token))
            .finish_non_exhaustive()
    }
}

/// A successful token response, keys in the service's order.
#[derive(Serialize)]
pub struct TokenResponse {
    pub(super) token_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) scope: Option<String>,
    pub(super) expires_in: u64,
    pub(super) ext_expires_in: u64,
    pub(super) access_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) id_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) client_info: Option<String>,
}

impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("scope", &self.scope)
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

/// Which app asked at the token endpoint: attached to the response as an extension so the request
/// log can name the app without reading the form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignInClient(pub String);

/// Everything a token request is decided against.
#[derive(Clone, Copy, Debug)]
pub struct TokenContext<'a> {
    /// This simulator's base URL (`https://127.0.0.1:PORT`).
    pub base_url: &'a str,
    /// The tenant (read lock held by the caller for the duration of the call).
    pub tenant: &'a Tenant,
    /// The token authority.
    pub identity: &'a Identity,
    /// Simulated time (token lifetimes, device-code expiry).
    pub now: DateTime<Utc>,
    /// Wall-clock time (client assertions).
    pub wall: DateTime<Utc>,
    /// Access token lifetime, simulated seconds.
    pub lifetime_s: i64,
    /// The same lifetime in wall-clock seconds, as `expires_in` reports it.
    pub expires_in: u64,
}

/// The `client_id`/`client_secret` of an HTTP Basic `Authorization` header, if any.
pub type BasicAuth = Option<(String, String)>;

/// Answers a token request to `segment` (the `{tenant}` path segment, already resolved).
pub fn token(
    ctx: &TokenContext<'_>,
    segment: &TenantSegment,
    form: &TokenForm,
    basic: &BasicAuth,
) -> Result<TokenResponse, AadError> {
    let grant = form
        .grant_type
        .as_deref()
        .ok_or_else(|| AadError::missing_parameter("grant_type"))?;
    match grant {
        "client_credentials" => client_credentials(ctx, segment, form, basic),
        DEVICE_CODE_GRANT => device_code(ctx, form, basic),
        "refresh_token" => refresh(ctx, form, basic),
        other => Err(AadError::unsupported_grant(other)),
    }
}

/// The client id from the form, else from HTTP Basic.
pub fn client_id<'f>(form: &'f TokenForm, basic: &'f BasicAuth) -> Option<&'f str> {
    form.client_id
        .as_deref()
        .or_else(|| basic.as_ref().map(|(id, _)| id.as_str()))
}

fn app<'t>(ctx: &TokenContext<'t>, client_id: &str) -> Result<&'t AppRegistration, AadError> {
    ctx.tenant
        .apps
        .iter()
        .find(|a| a.client_id.eq_ignore_ascii_case(client_id))
        .ok_or_else(|| AadError::unknown_app(client_id, &ctx.tenant.initial_domain))
}

fn client_credentials(
    ctx: &TokenContext<'_>,
    segment: &TenantSegment,
    form: &TokenForm,
    basic: &BasicAuth,
) -> Result<TokenResponse, AadError> {
    match segment {
        TenantSegment::Common => return Err(AadError::grant_not_on_common()),
        TenantSegment::Organizations => return Err(AadError::no_tenant_realm()),
        TenantSegment::Tenant(_) => {}
    }
    let client_id =
        client_id(form, basic).ok_or_else(|| AadError::missing_parameter("client_id"))?;
    let scope = form
        .scope
        .as_deref()
        .ok_or_else(|| AadError::missing_parameter("scope"))?;
    let app = app(ctx, client_id)?;
    if !authenticate(ctx, app, form, basic)? {
        return Err(AadError::credential_required());
    }
    let audience = scopes::client_credentials_scope(scope, ctx.identity.cloud())?;
    let roles = match audience {
        Audience::Graph => &app.graph_roles,
        Audience::Exchange => &app.exchange_roles,
    };
    let access_token = ctx.identity.issue(&TokenRequest {
        tenant_id: &ctx.tenant.id.to_string(),
        app_id: &app.client_id,
        audience,
        roles,
        scopes: &[],
        directory_roles: &app.directory_roles,
        upn: None,
        now: ctx.now,
        lifetime_s: ctx.lifetime_s,
    });
    Ok(TokenResponse {
        token_type: "Bearer",
        scope: None,
        expires_in: ctx.expires_in,
        ext_expires_in: ctx.expires_in,
        access_token,
        refresh_token: None,
        id_token: None,
        client_info: None,
    })
}

/// Checks the client's credential: `Ok(true)` if one was presented and is right, `Ok(false)` if none
/// was presented.
fn authenticate(
    ctx: &TokenContext<'_>,
    app: &AppRegistration,
    form: &TokenForm,
    basic: &BasicAuth,
) -> Result<bool, AadError> {
    if let Some(kind) = form.client_assertion_type.as_deref() {
        if kind != JWT_BEARER {
            return Err(AadError::malformed_assertion(
                "The client_assertion_type is not supported.",
            ));
        }
        let jwt = form
            .client_assertion
            .as_deref()
            .ok_or_else(|| AadError::missing_parameter("client_assertion"))?;
        let mut certificates: Vec<Vec<u8>> =
            app.certificates.iter().map(|c| c.der.clone()).collect();
        certificates.extend(ctx.identity.sign_in.certificates(&app.client_id));
        let audiences = assertion_audiences(ctx);
        let check = AssertionContext {
            client_id: &app.client_id,
            audiences: &audiences,
            certificates: &certificates,
            now: ctx.wall,
        };
        assertion::verify(jwt, &check, &ctx.identity.sign_in.replays)?;
        return Ok(true);
    }
    let secret = form
        .client_secret
        .as_deref()
        .or_else(|| basic.as_ref().map(|(_, s)| s.as_str()));
    match secret {
        None => Ok(false),
        Some(secret) if app.secrets.iter().any(|s| same_secret(s, secret)) => Ok(true),
        Some(_) => Err(AadError::invalid_secret(&app.client_id)),
    }
}

fn same_secret(registered: &str, presented: &str) -> bool {
    aws_lc_rs::constant_time::verify_slices_are_equal(registered.as_bytes(), presented.as_bytes())
        .is_ok()
}

/// This token endpoint under the tenant id and each domain, v2.0 and v1.0.
fn assertion_audiences(ctx: &TokenContext<'_>) -> Vec<String> {
    let id = ctx.tenant.id.to_string();
    let names =
        std::iter::once(id.as_str()).chain(ctx.tenant.domains.iter().map(|d| d.name.as_str()));
    names
        .flat_map(|t| {
            [
                format!("{}/{t}/oauth2/v2.0/token", ctx.base_url),
                format!("{}/{t}/oauth2/token", ctx.base_url),
            ]
        })
        .collect()
}

/// The app of a delegated grant and the grant's own parameter (`device_code`, `refresh_token`).
/// Public clients may omit a credential; confidential ones must present theirs.
fn delegated_client<'t, 'f>(
    ctx: &TokenContext<'t>,
    form: &'f TokenForm,
    basic: &BasicAuth,
    (name, value): (&str, &'f Option<String>),
) -> Result<(&'t AppRegistration, &'f str), AadError> {
    let client_id =
        client_id(form, basic).ok_or_else(|| AadError::missing_parameter("client_id"))?;
    let value = value
        .as_deref()
        .ok_or_else(|| AadError::missing_parameter(name))?;
    let app = app(ctx, client_id)?;
    if !authenticate(ctx, app, form, basic)? && !app.public_client {
        return Err(AadError::credential_required());
    }
    Ok((app, value))
}

fn device_code(
    ctx: &TokenContext<'_>,
    form: &TokenForm,
    basic: &BasicAuth,
) -> Result<TokenResponse, AadError> {
    let (app, code) = delegated_client(ctx, form, basic, ("device_code", &form.device_code))?;
    let device = &ctx.identity.sign_in.device;
    let (user, requested) = device.poll(&app.client_id, code, ctx.now)?;
    delegated::issue(ctx, app, user, &requested, form)
}

fn refresh(
    ctx: &TokenContext<'_>,
    form: &TokenForm,
    basic: &BasicAuth,
) -> Result<TokenResponse, AadError> {
    let pair = ("refresh_token", &form.refresh_token);
    let (app, token) = delegated_client(ctx, form, basic, pair)?;
    // Parse a new scope before spending the refresh token, so a typo does not cost the sign-in.
    let asked = form
        .scope
        .as_deref()
        .map(|s| scopes::delegated_scopes(s, ctx.identity.cloud()))
        .transpose()?;
    let grant = ctx
        .identity
        .sign_in
        .device
        .redeem_refresh(token, &app.client_id, ctx.now)?;
    // A refresh token is good for any resource the app was granted; the new one keeps offline access.
    let mut requested = asked.unwrap_or_else(|| grant.scopes.clone());
    if !requested.offline() {
        requested.oidc.push("offline_access".to_owned());
    }
    delegated::issue(ctx, app, grant.user, &requested, form)
}
