//! The `oauth2` crate's HTTP client: its requests go through our transport, so sign-in shares the
//! TLS settings, counters, logging and the retry policy (429/5xx/connection failures of the token
//! endpoint are retried; OAuth error answers are returned to `oauth2` to parse).

use std::fmt;

use futures::FutureExt as _;
use futures::future::BoxFuture;
use url::Url;

use crate::body;
use crate::error::{Error, ErrorKind, Service, kind_for_status};
use crate::execute::{Authorize, Transport};
use crate::request::{Request, Response};

/// A transport failure as `oauth2` sees it; the inner error is handed back unchanged.
#[derive(Debug)]
pub(crate) struct HttpError(pub(crate) Error);

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for HttpError {}

/// The `oauth2` HTTP client over our transport.
#[derive(Clone, Copy, Debug)]
pub(crate) struct OauthHttp<'a>(pub(crate) &'a Transport);

impl<'c> oauth2::AsyncHttpClient<'c> for OauthHttp<'_> {
    type Error = HttpError;
    // A boxed future (a declared type) breaks the recursion request → token → sign-in request
    // for the compiler.
    type Future = BoxFuture<'c, Result<oauth2::HttpResponse, HttpError>>;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        send(self.0, request).boxed()
    }
}

async fn send(
    transport: &Transport,
    request: oauth2::HttpRequest,
) -> Result<oauth2::HttpResponse, HttpError> {
    let (parts, body) = request.into_parts();
    let url = Url::parse(&parts.uri.to_string())
        .map_err(|e| HttpError(Error::config(format!("invalid sign-in URL: {e}"))))?;
    let operation = if url.path().ends_with("/devicecode") {
        "devicecode"
    } else {
        "token"
    };
    let mut req = Request::new(Service::Login, parts.method, url, operation).body(body);
    req.headers = parts.headers;
    // Token requests are safe to repeat: each yields an independent token.
    let resp = transport
        .run(&req, Authorize::Anonymous)
        .await
        .map_err(HttpError)?;
    if let Some(error) = not_json(&resp, operation) {
        return Err(HttpError(error));
    }
    let mut builder = http::Response::builder().status(resp.status);
    if let Some(headers) = builder.headers_mut() {
        *headers = resp.headers.clone();
    }
    builder
        .body(resp.body.to_vec())
        .map_err(|e| HttpError(Error::decode(format!("bad sign-in response: {e}"))))
}

/// The error for a sign-in answer that is not JSON (an HTML page from a proxy, text, an empty or
/// cut-short body), which `oauth2` would report only as a parse failure. Never an excerpt of the
/// body: a sign-in answer may hold a token.
fn not_json(resp: &Response, operation: &str) -> Option<Error> {
    if serde_json::from_slice::<serde::de::IgnoredAny>(&resp.body).is_ok() {
        return None;
    }
    let status = resp.status.as_u16();
    let why = body::unreadable(&resp.headers, &resp.body, false);
    let kind = match status {
        200..=299 => ErrorKind::Decode,
        _ => kind_for_status(status, None),
    };
    let hint = body::error_hint(&resp.headers, &resp.body, status)
        .unwrap_or_else(|| body::NOT_THE_SERVICE.to_owned());
    Some(
        Error::new(kind, why)
            .at(Service::Login, operation)
            .with_status(status)
            .with_request_id(resp.request_id())
            .with_hint(hint),
    )
}
