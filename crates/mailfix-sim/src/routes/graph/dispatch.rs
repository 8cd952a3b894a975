//! The single entry point of Graph: every request under `/v1.0` (and each `$batch` item) passes
//! through [`dispatch`], which normalizes the URL the way Graph reads it (segment names are
//! case-insensitive, `graph.user` = `microsoft.graph.user`, `delta()` = `delta`,
//! `users('key')` = `users/key`, `/me` = the signed-in user), routes it through the resource
//! handlers, and stamps `request-id` / `client-request-id` on the answer. Anything that is not a
//! Graph-shaped answer (an unknown route, a wrong method, an extractor rejection) becomes one.

use axum::extract::{Request, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt as _;

use super::auth::authenticate;
use crate::error::{GraphError, RenderedGraphError, RequestIds};
use crate::state::AppState;

/// Segment names Graph treats case-insensitively, in their canonical spelling.
const NAMES: &[&str] = &[
    "users",
    "groups",
    "members",
    "transitiveMembers",
    "$count",
    "$batch",
    "$ref",
    "delta",
    "authentication",
    "methods",
    "phoneMethods",
    "emailMethods",
    "reports",
    "authenticationMethods",
    "userRegistrationDetails",
    "auditLogs",
    "directoryAudits",
    "microsoft.graph.user",
    "microsoft.graph.group",
    "microsoft.graph.device",
    "microsoft.graph.orgContact",
    "microsoft.graph.servicePrincipal",
];

/// The handler for `/v1.0` and everything below it.
pub async fn v1(State(state): State<AppState>, request: Request) -> Response {
    let ids = RequestIds::for_request(request.headers());
    dispatch(&state, request, &ids).await
}

/// The handler for `/beta`: not emulated.
pub async fn beta(request: Request) -> Response {
    let ids = RequestIds::for_request(request.headers());
    GraphError::odata_bad_request(
        "The simulator serves Microsoft Graph v1.0 only; the beta endpoint is not emulated.",
    )
    .render(&ids)
}

/// Routes a request whose path starts with `/v1.0` through the Graph handlers.
pub async fn dispatch(state: &AppState, request: Request, ids: &RequestIds) -> Response {
    let (mut parts, body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    let rest = path.strip_prefix("/v1.0").unwrap_or(&path);
    let mut segments = match normalize(rest) {
        Ok(segments) => segments,
        Err(e) => return e.render(ids),
    };
    if segments
        .first()
        .is_some_and(|s| s.eq_ignore_ascii_case("me"))
    {
        match authenticate(state, &parts) {
            Ok(caller) => match caller.upn {
                Some(upn) => {
                    let key = upn.replace('%', "%25").replace('#', "%23");
                    segments
                        .splice(..1, ["users".to_owned(), key])
                        .for_each(drop);
                }
                None => {
                    return GraphError::odata_bad_request(
                        "/me request is only valid with delegated authentication flow.",
                    )
                    .render(ids);
                }
            },
            Err(e) => return e.render(ids),
        }
    }
    let new_path = format!("/{}", segments.join("/"));
    let uri = match parts.uri.query() {
        Some(q) => format!("{new_path}?{q}"),
        None => new_path,
    };
    parts.uri = match uri.parse::<Uri>() {
        Ok(uri) => uri,
        Err(_) => return GraphError::odata_bad_request("The request URL is invalid.").render(ids),
    };
    // A fresh set of extensions: the outer route's path parameters must not leak into the inner
    // router's (axum appends to them, which would break the handlers' `Path` extractors).
    parts.extensions = axum::http::Extensions::new();
    parts.extensions.insert(state.clone());
    let request = Request::from_parts(parts, body);
    let response = match super::inner().clone().oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    finish(response, ids)
}

/// Splits a path into segments with Graph's spellings normalized; key segments stay as sent
/// (percent-encoded) for the handlers' path extractors to decode.
fn normalize(path: &str) -> Result<Vec<String>, GraphError> {
    let mut out = Vec::new();
    for raw in path.split('/').filter(|s| !s.is_empty()) {
        let decoded = percent_decode(raw);
        if let Some((name, key)) = keyed(&decoded) {
            out.push(canonical(name).unwrap_or(name).to_owned());
            out.push(key.to_owned());
            continue;
        }
        match canonical(&decoded) {
            Some(name) => out.push(name.to_owned()),
            None => out.push(raw.to_owned()),
        }
    }
    Ok(out)
}

fn canonical(segment: &str) -> Option<&'static str> {
    let lower = segment.to_ascii_lowercase();
    let lower = lower.strip_suffix("()").unwrap_or(&lower);
    let lower = match lower.strip_prefix("graph.") {
        Some(rest) => format!("microsoft.graph.{rest}"),
        None => lower.to_owned(),
    };
    if lower == "microsoft.graph.delta" {
        return Some("delta");
    }
    NAMES
        .iter()
        .copied()
        .find(|n| n.eq_ignore_ascii_case(&lower))
}

/// `users('a@b.c')` → (`users`, `a@b.c`).
fn keyed(segment: &str) -> Option<(&str, &str)> {
    let (name, rest) = segment.split_once('(')?;
    let inner = rest.strip_suffix(')')?;
    let key = inner
        .strip_prefix('\'')
        .and_then(|k| k.strip_suffix('\''))
        .unwrap_or(inner);
    (!name.is_empty() && !key.is_empty()).then_some((name, key))
}

fn percent_decode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Makes every answer Graph-shaped and stamps the request ids.
fn finish(response: Response, ids: &RequestIds) -> Response {
    let status = response.status();
    let (mut parts, body) = response.into_parts();
    let error = match parts.extensions.remove::<RenderedGraphError>() {
        Some(RenderedGraphError(error)) => Some(error),
        None if status == StatusCode::METHOD_NOT_ALLOWED => Some(GraphError::method_not_allowed()),
        None if status.is_client_error() || status.is_server_error() => Some(GraphError::new(
            status,
            "BadRequest",
            status.canonical_reason().unwrap_or(""),
        )),
        None => None,
    };
    let mut response = match error {
        Some(error) => {
            let rendered = error.render(ids);
            let (mut new_parts, new_body) = rendered.into_parts();
            new_parts.extensions.extend(parts.extensions);
            // A `410 Gone` that restarts a delta round says where, in `Location`.
            if let Some(location) = parts.headers.remove(axum::http::header::LOCATION) {
                new_parts
                    .headers
                    .insert(axum::http::header::LOCATION, location);
            }
            Response::from_parts(new_parts, new_body)
        }
        None => {
            parts.headers.remove("request-id");
            Response::from_parts(parts, body)
        }
    };
    ids.stamp(&mut response);
    response
}

/// The fallback of the inner router: after authentication, a 400 naming the first segment no
/// route knows.
pub async fn unknown_route(request: Request) -> Response {
    let (parts, _) = request.into_parts();
    if let Some(state) = parts.extensions.get::<AppState>()
        && let Err(e) = authenticate(state, &parts)
    {
        return e.into_response();
    }
    let segments: Vec<&str> = parts
        .uri
        .path()
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let matched = super::patterns()
        .iter()
        .map(|p| {
            p.split('/')
                .filter(|s| !s.is_empty())
                .zip(&segments)
                .take_while(|(p, s)| p.starts_with('{') || p == *s)
                .count()
        })
        .max()
        .unwrap_or(0);
    let segment = segments
        .get(matched)
        .or(segments.last())
        .map_or("v1.0", |s| s);
    GraphError::segment_not_found(&percent_decode(segment)).into_response()
}
