//! What an injected fault answers: the service-shaped texts of the status faults, the
//! malformed answers (an HTML gateway page, text that is not JSON, a 500 without a body), and the
//! spoiled route answers (a connection reset mid-body, a truncated body).

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::faults::Fault;
use crate::state::AppState;

/// The `Retry-After` of the 429 and 503 faults: the faults' `retry_after_s` of simulated time, in
/// wall-clock time.
pub(crate) fn fault_retry_after(state: &AppState) -> Duration {
    state.clock.to_real(Duration::from_secs_f64(
        state.faults.config().retry_after_s.max(0.001),
    ))
}

pub(crate) fn exo_fault_text(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        429 => (
            "TooManyRequests",
            "The request was throttled. Wait for the time in Retry-After and try again.",
        ),
        503 => (
            "ServiceUnavailable",
            "The service is temporarily unavailable. Try again later.",
        ),
        504 => ("GatewayTimeout", "The server didn't respond in time."),
        _ => (
            "InternalServerError",
            "An internal server error occurred. The operation failed.",
        ),
    }
}

pub(crate) fn graph_fault_text(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        429 => ("TooManyRequests", "Please retry again later."),
        503 => (
            "serviceNotAvailable",
            "The service is temporarily unavailable. Please retry later.",
        ),
        504 => (
            "UnknownError",
            "The gateway did not receive a response in time.",
        ),
        _ => ("generalException", "General exception while processing."),
    }
}

/// Replaces the body with one that breaks off after a few bytes, so the connection is dropped
/// mid-response (hyper aborts a connection whose body stream fails).
pub(crate) fn reset(response: Response) -> Response {
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
        Ok(Bytes::from_static(b"{\"value\":[")),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "injected connection reset",
        )),
    ];
    Response::from_parts(parts, Body::from_stream(futures::stream::iter(chunks)))
}

/// What a gateway in front of the service answers for the [`Fault::Html`] fault.
const GATEWAY_PAGE: &str = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n\
<body><h1>Bad Gateway</h1><p>The proxy server received an invalid response from an upstream \
server.</p><hr><address>gateway</address></body></html>\n";

/// The text of the [`Fault::NotJson`] fault.
const NOT_JSON_TEXT: &str = "Request blocked by the network's web filter.\n";

/// The answer of a malformed-answer fault (an HTML page, text that is not JSON, a 500 without a
/// body); `None` for the other kinds.
pub(crate) fn malformed(fault: Fault) -> Option<Response> {
    let (content_type, body) = match fault {
        Fault::Html => (Some("text/html; charset=utf-8"), GATEWAY_PAGE),
        Fault::NotJson => (Some("text/plain; charset=utf-8"), NOT_JSON_TEXT),
        Fault::Empty => (None, ""),
        _ => return None,
    };
    let status = StatusCode::from_u16(fault.status()?).ok()?;
    let mut response = (status, body).into_response();
    response.headers_mut().remove(header::CONTENT_TYPE);
    if let Some(content_type) = content_type {
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static(content_type),
        );
    }
    Some(response)
}

/// The route's answer with its body cut in half: a complete HTTP message whose content ends early.
pub(crate) async fn truncated(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let cut = bytes.slice(..bytes.len() / 2);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(cut))
}
