//! The `oauth2` crate's HTTP client: its requests go through our transport, so sign-in shares the
//! TLS settings, counters, logging and the retry policy (429/5xx/connection failures of the token
//! endpoint are retried; OAuth error answers are returned to `oauth2` to parse).

use std::fmt;

use futures::FutureExt as _;
use futures::future::BoxFuture;
use url::Url;

use crate::error::{Error, Service};
use crate::execute::{Authorize, Transport};
use crate::request::Request;

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
    let mut builder = http::Response::builder().status(resp.status);
    if let Some(headers) = builder.headers_mut() {
        *headers = resp.headers.clone();
    }
    builder
        .body(resp.body.to_vec())
        .map_err(|e| HttpError(Error::decode(format!("bad sign-in response: {e}"))))
}
