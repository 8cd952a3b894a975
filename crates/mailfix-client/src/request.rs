//! A request as the one request path sees it (service, operation, method, URL, headers, body,
//! whether it may be repeated, which permission it needs) and the buffered response.

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use url::Url;

use crate::error::{Error, Service};
use crate::permission::Permission;
use crate::retry::RetryMode;

/// The header that names one logical request across its retries.
pub(crate) const CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("client-request-id");

/// One logical request (sent once, or several times by the retry loop).
#[derive(Clone)]
pub struct Request {
    pub(crate) service: Service,
    pub(crate) operation: Cow<'static, str>,
    pub(crate) method: Method,
    pub(crate) url: Url,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Option<Bytes>,
    pub(crate) mode: RetryMode,
    pub(crate) permissions: Vec<Permission>,
}

impl fmt::Debug for Request {
    // Bodies may hold secrets (token requests) and are never shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("service", &self.service)
            .field("operation", &self.operation)
            .field("method", &self.method)
            .field("path", &self.url.path())
            .finish_non_exhaustive()
    }
}

impl Request {
    /// A request without body; `operation` names it in counters, logs and errors.
    pub fn new(
        service: Service,
        method: Method,
        url: Url,
        operation: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self {
            service,
            operation: operation.into(),
            method,
            url,
            headers: HeaderMap::new(),
            body: None,
            mode: RetryMode::Idempotent,
            permissions: Vec::new(),
        }
    }

    /// Adds a header (replacing one of the same name).
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.insert(name, value);
        self
    }

    /// Adds a header from static strings.
    pub fn header_static(self, name: &'static str, value: &'static str) -> Self {
        self.header(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        )
    }

    /// Sets a JSON body (and `Content-Type: application/json`).
    pub fn json<T: serde::Serialize + ?Sized>(mut self, body: &T) -> Result<Self, Error> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::decode(format!("cannot encode the request body: {e}")))?;
        self.headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        self.body = Some(Bytes::from(bytes));
        Ok(self)
    }

    /// Sets a raw body (headers such as `Content-Type` are the caller's).
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// Declares whether the request may be repeated (default: idempotent).
    pub fn mode(mut self, mode: RetryMode) -> Self {
        self.mode = mode;
        self
    }

    /// Declares a permission the request needs (named in the hint of a 403); call it again for
    /// a request that needs several at once.
    pub fn permission(mut self, permission: Permission) -> Self {
        if !self.permissions.contains(&permission) {
            self.permissions.push(permission);
        }
        self
    }

    /// The same request to another URL (the next page), which gets its own `client-request-id`.
    pub(crate) fn with_url(&self, url: Url) -> Self {
        let mut next = self.clone();
        next.url = url;
        next.headers.remove(CLIENT_REQUEST_ID);
        next
    }

    /// This request with a `client-request-id` (a new GUID unless it has one): every send of it,
    /// retries included, carries the same id, as Graph's SDKs do, so that the service (and its
    /// logs) can tell a retry from a new request.
    pub(crate) fn identified(&self) -> Cow<'_, Self> {
        if self.headers.contains_key(CLIENT_REQUEST_ID) {
            return Cow::Borrowed(self);
        }
        let mut req = self.clone();
        let id = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string())
            .expect("a UUID is a valid header value");
        req.headers.insert(CLIENT_REQUEST_ID, id);
        Cow::Owned(req)
    }

    /// The URL.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The operation name.
    pub fn operation(&self) -> &str {
        &self.operation
    }

    /// Which pacing lane the request uses: reports and audit logs have their own limit.
    pub(crate) fn lane(&self) -> Lane {
        match self.service {
            Service::Login => Lane::Login,
            Service::Exchange => Lane::Exchange,
            Service::Graph => {
                let path = self.url.path();
                if path.contains("/reports/") || path.contains("/auditLogs/") {
                    Lane::Reports
                } else {
                    Lane::Graph
                }
            }
        }
    }
}

/// The pacing lanes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lane {
    Login,
    Graph,
    Reports,
    Exchange,
}

/// A complete HTTP response (body buffered).
#[derive(Clone)]
pub struct Response {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) received_at: Instant,
}

impl fmt::Debug for Response {
    // A sign-in answer's body holds tokens: only its size is shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

impl Response {
    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// A header as text.
    pub fn header_str(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }

    /// The service's request id (`request-id`, Exchange's `Request-Id`, or `client-request-id`).
    pub fn request_id(&self) -> Option<String> {
        self.header_str("request-id")
            .or_else(|| self.header_str("client-request-id"))
            .map(str::to_owned)
    }

    /// Decodes the JSON body. A body that is not JSON at all (an HTML page, text, JSON cut short)
    /// is described in the error, with a hint about what may have answered in the service's place.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_slice(&self.body).map_err(|e| {
            let err = if e.is_data() {
                Error::decode(format!("unexpected response body: {e}"))
            } else {
                Error::decode(crate::body::unreadable(&self.headers, &self.body, true))
                    .with_hint(crate::body::NOT_THE_SERVICE)
            };
            err.with_status(self.status.as_u16())
                .with_request_id(self.request_id())
        })
    }
}
