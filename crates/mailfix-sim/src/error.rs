//! Service-shaped error responses: Graph's `{"error":{code,message,innerError}}` envelope, Exchange's
//! `InvokeCommand` error (Shape A of docs/protocol.md §1.6) and the identity platform's AADSTS JSON.
//!
//! A [`GraphError`] turned into a response carries a fresh `request-id`. Inside the Graph router the
//! dispatcher re-renders it with the request's own ids (see [`RenderedGraphError`]), so the body's
//! `innerError` and the `request-id` / `client-request-id` headers always agree.

use axum::Json;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::json;

use crate::identity::AuthError;

/// A Graph error to render.
#[derive(Clone, Debug)]
pub struct GraphError {
    /// HTTP status.
    pub status: StatusCode,
    /// `error.code`, e.g. `Request_ResourceNotFound`.
    pub code: String,
    /// `error.message`.
    pub message: String,
    /// `error.details`, when the service gives them.
    pub details: Vec<serde_json::Value>,
}

/// The ids Graph stamps on every response: `request-id` (new per request) and `client-request-id`
/// (the client's own when it sent one, else the same as `request-id`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestIds {
    /// `request-id`.
    pub request_id: String,
    /// `client-request-id`.
    pub client_request_id: String,
}

impl RequestIds {
    /// Fresh ids for a request with these headers.
    pub fn for_request(headers: &HeaderMap) -> Self {
        let request_id = uuid::Uuid::new_v4().to_string();
        let client_request_id = headers
            .get("client-request-id")
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty() && v.len() <= 128)
            .map_or_else(|| request_id.clone(), str::to_owned);
        Self {
            request_id,
            client_request_id,
        }
    }

    /// Sets `request-id` and `client-request-id` on a response.
    pub fn stamp(&self, response: &mut Response) {
        let headers = response.headers_mut();
        for (name, value) in [
            ("request-id", &self.request_id),
            ("client-request-id", &self.client_request_id),
        ] {
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.insert(name, value);
            }
        }
    }
}

/// Response extension left by [`GraphError`]'s `IntoResponse`, so that the Graph dispatcher can render
/// the body again with the request's ids.
#[derive(Clone, Debug)]
pub struct RenderedGraphError(pub GraphError);

impl GraphError {
    /// An error with status, code and message.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.to_owned(),
            message: message.into(),
            details: Vec::new(),
        }
    }

    /// 404 `Request_ResourceNotFound` for an object id or key.
    pub fn not_found(key: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            format!(
                "Resource '{key}' does not exist or one of its queried reference-property objects are not present."
            ),
        )
    }

    /// 400 `Request_BadRequest`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "Request_BadRequest", message)
    }

    /// 400 `BadRequest` (the OData layer's code, used for malformed URLs and query options).
    pub fn odata_bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    /// 400 `Request_UnsupportedQuery`.
    pub fn unsupported_query(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "Request_UnsupportedQuery", message)
    }

    /// 400 `BadRequest` "Resource not found for the segment '…'." for an unknown URL segment.
    pub fn segment_not_found(segment: &str) -> Self {
        Self::odata_bad_request(format!("Resource not found for the segment '{segment}'."))
    }

    /// 405 for a method the resource does not support (the text Graph gives, batch-1-mixed.json).
    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "Request_BadRequest",
            "Specified HTTP method is not allowed for the request target.",
        )
    }

    /// 401 `InvalidAuthenticationToken` with the verifier's text.
    pub fn unauthenticated(error: &AuthError) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            error.to_string(),
        )
    }

    /// 403 `Authorization_RequestDenied`.
    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        )
    }

    /// 429 `TooManyRequests` as in Graph's throttling sample.
    pub fn too_many_requests() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequests",
            "Please retry again later.",
        )
    }

    /// 500 for a simulator invariant that did not hold.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            message,
        )
    }

    /// Adds an `error.details[]` entry.
    pub fn with_detail(mut self, detail: serde_json::Value) -> Self {
        self.details.push(detail);
        self
    }

    /// The JSON body with the given ids.
    pub fn body_with(&self, ids: &RequestIds) -> serde_json::Value {
        let date = Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string();
        let mut inner = json!({
            "date": date,
            "request-id": ids.request_id,
            "client-request-id": ids.client_request_id,
        });
        if self.status == StatusCode::TOO_MANY_REQUESTS {
            // Graph's 429 innerError also carries code/message/status (throttling-429-sample.json).
            inner["code"] = json!("429");
            inner["message"] = json!("Please retry after");
            inner["status"] = json!("429");
        }
        let mut error = json!({
            "code": self.code,
            "message": self.message,
            "innerError": inner,
        });
        if !self.details.is_empty() {
            error["details"] = json!(self.details);
        }
        json!({ "error": error })
    }

    /// The JSON body, with a fresh `request-id`.
    pub fn body(&self, request_id: &str) -> serde_json::Value {
        self.body_with(&RequestIds {
            request_id: request_id.to_owned(),
            client_request_id: request_id.to_owned(),
        })
    }

    /// The response with the given ids (body, status, `request-id` headers).
    pub fn render(&self, ids: &RequestIds) -> Response {
        let mut response = (self.status, Json(self.body_with(ids))).into_response();
        ids.stamp(&mut response);
        response
            .extensions_mut()
            .insert(RenderedGraphError(self.clone()));
        response
    }
}

impl IntoResponse for GraphError {
    fn into_response(self) -> Response {
        let request_id = uuid::Uuid::new_v4().to_string();
        self.render(&RequestIds {
            client_request_id: request_id.clone(),
            request_id,
        })
    }
}
