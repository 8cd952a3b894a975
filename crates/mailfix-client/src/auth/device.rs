//! Delegated sign-in: the device code flow (docs/protocol.md §5.3) with `offline_access`, then the
//! refresh token for every later token and for the other resource (a Microsoft refresh token is
//! valid across resources). The refresh token is kept in memory and in the cache file.

use oauth2::{
    DeviceAuthorizationResponse, DeviceAuthorizationUrl, ExtraDeviceAuthorizationFields,
    RefreshToken, Scope,
};
use serde::{Deserialize, Serialize};

use super::aadsts;
use super::credential::{DeviceCodeOptions, DeviceCodePrompt};
use super::flows::{Fetched, SignIn};
use super::http::OauthHttp;
use super::refresh_file;
use crate::error::{Error, ErrorKind, SignInKind};
use crate::execute::Transport;
use crate::secret::Secret;

/// The refresh token currently in use (one sign-in at a time).
#[derive(Debug, Default)]
pub(crate) struct DeviceState {
    refresh: tokio::sync::Mutex<Option<Secret>>,
}

/// Microsoft adds a ready-made `message` to the device authorization response.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
struct MicrosoftFields {
    #[serde(default)]
    message: Option<String>,
}

impl ExtraDeviceAuthorizationFields for MicrosoftFields {}

/// A token for `scope` from the cached refresh token, or from a new device-code sign-in.
pub(crate) async fn delegated(
    sign_in: &SignIn,
    transport: &Transport,
    options: &DeviceCodeOptions,
    scope: &str,
) -> Result<Fetched, Error> {
    let mut refresh = sign_in.device.refresh.lock().await;
    let cache = options.cache_file.as_deref();
    if refresh.is_none()
        && let Some(path) = cache
    {
        *refresh = refresh_file::read(path, &options.client_id, &sign_in.tenant)?;
    }
    let fetched = match refresh.clone() {
        Some(token) => match redeem(sign_in, transport, options, &token, scope).await {
            Err(e) if e.kind() == &ErrorKind::SignIn(SignInKind::InvalidGrant) => {
                device_code(sign_in, transport, options, scope).await?
            }
            other => other?,
        },
        None => device_code(sign_in, transport, options, scope).await?,
    };
    if let Some(new) = &fetched.refresh {
        *refresh = Some(new.clone());
        if let Some(path) = cache {
            refresh_file::write(path, &options.client_id, &sign_in.tenant, new)?;
        }
    }
    Ok(fetched)
}

fn scopes(scope: &str) -> [Scope; 2] {
    [
        Scope::new(scope.to_owned()),
        Scope::new("offline_access".to_owned()),
    ]
}

async fn redeem(
    sign_in: &SignIn,
    transport: &Transport,
    options: &DeviceCodeOptions,
    token: &Secret,
    scope: &str,
) -> Result<Fetched, Error> {
    let client = sign_in.token_client(&options.client_id)?;
    let refresh = RefreshToken::new(token.expose().to_owned());
    let http = OauthHttp(transport);
    let resp = client
        .exchange_refresh_token(&refresh)
        .add_scopes(scopes(scope))
        .request_async(&http)
        .await
        .map_err(|e| aadsts::from_oauth(e, &sign_in.tenant, &options.client_id))?;
    Ok(Fetched::from_response(&resp))
}

async fn device_code(
    sign_in: &SignIn,
    transport: &Transport,
    options: &DeviceCodeOptions,
    scope: &str,
) -> Result<Fetched, Error> {
    let url = DeviceAuthorizationUrl::new(sign_in.endpoints.device_code_url(&sign_in.tenant))
        .map_err(|e| Error::config(format!("invalid device code endpoint: {e}")))?;
    let client = sign_in
        .token_client(&options.client_id)?
        .set_device_authorization_url(url);
    let http = OauthHttp(transport);
    let oauth_error = |e| aadsts::from_oauth(e, &sign_in.tenant, &options.client_id);
    let details: DeviceAuthorizationResponse<MicrosoftFields> = client
        .exchange_device_code()
        .add_scopes(scopes(scope))
        .request_async(&http)
        .await
        .map_err(oauth_error)?;
    (options.prompt)(&DeviceCodePrompt {
        user_code: details.user_code().secret().clone(),
        verification_uri: details.verification_uri().to_string(),
        message: details.extra_fields().message.clone(),
        expires_in: details.expires_in(),
    });
    let resp = client
        .exchange_device_access_token(&details)
        .request_async(&http, tokio::time::sleep, None)
        .await
        .map_err(|e| aadsts::from_oauth(e, &sign_in.tenant, &options.client_id))?;
    Ok(Fetched::from_response(&resp))
}
