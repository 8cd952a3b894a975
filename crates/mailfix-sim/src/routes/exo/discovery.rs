//! The Exchange front door: `GET /AdminApi/v1.0/{tenant}/EXOModuleFile`, which clients call
//! without following redirects to find their tenant's host (CISA ScubaGear `EXORestHelper.psm1`,
//! `Get-ExchangeOnlineApiEndpoint`: "Some tenants get redirected to a tenant-specific
//! subdomain"). With `exo.redirect` on, this simulator plays such a tenant: the front door answers
//! 302 with a `Location` on the tenant host `nam13b.localhost` (same port; the server certificate
//! names it, and names under `localhost` are loopback), and so does an `InvokeCommand` that
//! reaches the front door instead of the tenant host (whether the real front door redirects a POST
//! is UNCONFIRMED; answering it so makes a client that skips discovery fail visibly). Off, the
//! front door answers 200 with the module's cmdlet list (shape UNCONFIRMED; CIPP reads
//! `value.exportedCmdlets`).

use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::error::ExoError;
use super::invoke::CMDLETS;
use crate::identity::Audience;
use crate::log::LogDetail;
use crate::state::AppState;

/// The first label of the tenant host the front door redirects to.
pub const TENANT_HOST_PREFIX: &str = "nam13b";

/// The tenant host: `nam13b.localhost`.
pub fn tenant_host() -> String {
    format!("{TENANT_HOST_PREFIX}.localhost")
}

/// The host a request was sent to (HTTP/2 `:authority` or HTTP/1.1 `Host`), without the port.
pub fn request_host(uri: &Uri, headers: &HeaderMap) -> Option<String> {
    let authority = uri.authority().map(|a| a.as_str().to_owned()).or_else(|| {
        headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_owned)
    })?;
    let host = match authority.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => authority.as_str(),
    };
    Some(
        host.trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase(),
    )
}

/// Whether the front door redirects this request: `exo.redirect` is on and it did not come to the
/// tenant host.
pub fn redirects(state: &AppState, uri: &Uri, headers: &HeaderMap) -> bool {
    state.throttle.limits().get("exo.redirect") > 0.0
        && request_host(uri, headers).as_deref() != Some(tenant_host().as_str())
}

/// 302 to the same path and query on the tenant host.
pub fn redirect(state: &AppState, uri: &Uri, operation: &str) -> Response {
    let base = state.base_url.get().cloned().unwrap_or_default();
    let (scheme, rest) = base.split_once("://").unwrap_or(("https", base.as_str()));
    let port = rest.rsplit_once(':').map_or("", |(_, p)| p);
    let path = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    let location = format!("{scheme}://{}:{port}{path}", tenant_host());
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response.extensions_mut().insert(LogDetail {
        operation: Some(format!("{operation} (redirect)")),
        ..LogDetail::default()
    });
    response
}

/// `GET /AdminApi/{version}/{tenant}/EXOModuleFile`.
pub async fn module_file(
    State(state): State<AppState>,
    Path((version, tenant)): Path<(String, String)>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Response {
    if redirects(&state, &uri, &headers) {
        return redirect(&state, &uri, "EXOModuleFile");
    }
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if let Err(e) = state
        .identity
        .verify(authorization, Audience::Exchange, state.clock.now())
    {
        return ExoError::new(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            e.to_string(),
            "System.UnauthorizedAccessException",
        )
        .into_response();
    }
    let body = json!({
        "@odata.context": format!(
            "https://outlook.office.com/adminapi/{version}/{tenant}/$metadata#EXOModuleFile"
        ),
        "value": [{"Version": "3.7.1", "ExportedCmdlets": CMDLETS.join(",")}],
    });
    let mut response = (StatusCode::OK, axum::Json(body)).into_response();
    response.extensions_mut().insert(LogDetail {
        operation: Some("EXOModuleFile".to_owned()),
        ..LogDetail::default()
    });
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_comes_from_the_authority_or_the_host_header() {
        let uri: Uri = "https://nam13b.localhost:8443/AdminApi".parse().unwrap();
        assert_eq!(
            request_host(&uri, &HeaderMap::new()).as_deref(),
            Some("nam13b.localhost")
        );
        let path_only: Uri = "/AdminApi".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8443"));
        assert_eq!(
            request_host(&path_only, &headers).as_deref(),
            Some("127.0.0.1")
        );
        headers.insert(header::HOST, HeaderValue::from_static("[::1]:8443"));
        assert_eq!(request_host(&path_only, &headers).as_deref(), Some("::1"));
    }
}
