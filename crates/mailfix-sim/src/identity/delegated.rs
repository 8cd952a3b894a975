//! Delegated tokens (device code and refresh): the access token for the signed-in user with the
//! consented scopes, and the refresh token, `id_token` and `client_info` that go with it.

use chrono::Duration;
use serde::Serialize;

use super::aadsts::AadError;
use super::device_code::{RefreshGrant, SignedInUser};
use super::grants::{TokenContext, TokenForm, TokenResponse};
use super::scopes::{self, RequestedScopes};
use super::tokens::{Audience, TokenRequest};
use crate::model::AppRegistration;

/// Issues the access token (and refresh token, id token, client info) of a delegated sign-in.
pub(super) fn issue(
    ctx: &TokenContext<'_>,
    app: &AppRegistration,
    user: SignedInUser,
    requested: &RequestedScopes,
    form: &TokenForm,
) -> Result<TokenResponse, AadError> {
    let granted = match requested.audience {
        Audience::Graph => &app.graph_roles,
        Audience::Exchange => &app.exchange_roles,
    };
    let scp = scopes::consented(requested, granted)
        .ok_or_else(|| AadError::consent_required(&app.client_id, &app.display_name))?;
    let tenant_id = ctx.tenant.id.to_string();
    let access_token = ctx.identity.issue_for_user(
        &TokenRequest {
            tenant_id: &tenant_id,
            app_id: &app.client_id,
            audience: requested.audience,
            roles: &[],
            scopes: &scp,
            directory_roles: &user.directory_roles,
            upn: Some(&user.upn),
            now: ctx.now,
            lifetime_s: ctx.lifetime_s,
        },
        &user.user_id,
    );
    let id_token = requested
        .openid()
        .then(|| id_token(ctx, &app.client_id, &user));
    let client_info =
        (form.client_info.as_deref() == Some("1")).then(|| client_info(&user.user_id, &tenant_id));
    let scope = scopes::response_scope(
        requested.audience,
        ctx.identity.cloud(),
        &scp,
        &requested.oidc,
    );
    let refresh_token = requested.offline().then(|| {
        ctx.identity.sign_in.device.issue_refresh(RefreshGrant {
            client_id: app.client_id.clone(),
            user,
            scopes: requested.clone(),
            issued: ctx.now,
        })
    });
    Ok(TokenResponse {
        token_type: "Bearer",
        scope: Some(scope),
        expires_in: ctx.expires_in,
        ext_expires_in: ctx.expires_in,
        access_token,
        refresh_token,
        id_token,
        client_info,
    })
}

#[derive(Serialize)]
struct IdTokenClaims<'a> {
    aud: &'a str,
    iss: String,
    iat: i64,
    nbf: i64,
    exp: i64,
    name: &'a str,
    oid: &'a str,
    preferred_username: &'a str,
    sub: String,
    tid: String,
    ver: &'static str,
}

fn id_token(ctx: &TokenContext<'_>, client_id: &str, user: &SignedInUser) -> String {
    let iat = ctx.now.timestamp();
    let tid = ctx.tenant.id.to_string();
    let pairwise = format!("{client_id}/{}", user.user_id);
    ctx.identity.sign(&IdTokenClaims {
        aud: client_id,
        iss: format!("{}/{tid}/v2.0", ctx.base_url),
        iat,
        nbf: iat,
        exp: iat + Duration::hours(1).num_seconds(),
        name: &user.display_name,
        oid: &user.user_id,
        preferred_username: &user.upn,
        sub: uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, pairwise.as_bytes()).to_string(),
        tid,
        ver: "2.0",
    })
}

/// `client_info`: base64url JSON `{"uid": user, "utid": tenant}`, which MSAL keys accounts by.
fn client_info(user_id: &str, tenant_id: &str) -> String {
    use base64::Engine as _;
    let json = serde_json::json!({ "uid": user_id, "utid": tenant_id });
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json.to_string())
}
