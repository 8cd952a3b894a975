//! Building Graph responses: the JSON content type and headers Graph sends, `@odata.context` URLs,
//! the collection envelope (`@odata.context`, `@odata.count`, `@odata.nextLink`,
//! `@odata.deltaLink`, `value`), `$count` bodies, and the [`LogDetail`] each handler attaches.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Serialize, Serializer};

use crate::error::GraphError;
use crate::log::LogDetail;
use crate::state::SimState;

/// Graph's JSON content type.
pub const ODATA_JSON: &str = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

/// The service root clients see, e.g. `http://127.0.0.1:PORT/v1.0`.
pub fn service_root(state: &SimState) -> String {
    let base = state
        .base_url
        .get()
        .map_or("https://graph.microsoft.com", String::as_str);
    format!("{}/v1.0", base.trim_end_matches('/'))
}

/// `{root}/$metadata#{fragment}`.
pub fn context(state: &SimState, fragment: &str) -> String {
    format!("{}/$metadata#{fragment}", service_root(state))
}

/// `users` or `users(id,mail)` for an entity set and an optional `$select`.
pub fn with_select(set: &str, select: Option<&[&str]>) -> String {
    match select {
        Some(names) => format!("{set}({})", names.join(",")),
        None => set.to_owned(),
    }
}

/// A collection response body.
#[derive(Serialize)]
pub struct Collection<T> {
    /// `@odata.context`.
    #[serde(rename = "@odata.context", skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// `@microsoft.graph.tips` (audit logs without `$select`).
    #[serde(
        rename = "@microsoft.graph.tips",
        skip_serializing_if = "Option::is_none"
    )]
    pub tips: Option<&'static str>,
    /// `@odata.count` (first page of an advanced query with `$count=true`).
    #[serde(rename = "@odata.count", skip_serializing_if = "Option::is_none")]
    pub count: Option<usize>,
    /// `@odata.nextLink`.
    #[serde(rename = "@odata.nextLink", skip_serializing_if = "Option::is_none")]
    pub next_link: Option<String>,
    /// `@odata.deltaLink`.
    #[serde(rename = "@odata.deltaLink", skip_serializing_if = "Option::is_none")]
    pub delta_link: Option<String>,
    /// The items.
    pub value: Vec<T>,
}

impl<T> Collection<T> {
    /// A collection with a context and items, no count or links.
    pub fn new(context: String, value: Vec<T>) -> Self {
        Self {
            context: Some(context),
            tips: None,
            count: None,
            next_link: None,
            delta_link: None,
            value,
        }
    }
}

/// A log detail naming the operation.
pub fn op(name: &str) -> LogDetail {
    LogDetail {
        operation: Some(name.to_owned()),
        ..LogDetail::default()
    }
}

/// A log detail for a write.
pub fn write_op(name: &str) -> LogDetail {
    LogDetail {
        write: true,
        ..op(name)
    }
}

/// Serializes `body` as Graph JSON with `status`, attaching `detail`.
pub fn json<T: Serialize>(status: StatusCode, body: &T, detail: LogDetail) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => json_bytes(status, bytes, detail),
        Err(e) => {
            GraphError::internal(format!("cannot serialize the response: {e}")).into_response()
        }
    }
}

/// A Graph JSON response from already serialized bytes.
pub fn json_bytes(status: StatusCode, bytes: Vec<u8>, detail: LogDetail) -> Response {
    let mut response = (status, Body::from(bytes)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(ODATA_JSON));
    headers.insert("OData-Version", HeaderValue::from_static("4.0"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response.extensions_mut().insert(detail);
    response
}

/// A `$count` answer: the number as `text/plain`.
pub fn count(n: usize, detail: LogDetail) -> Response {
    let mut response = (StatusCode::OK, n.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain;charset=utf-8"),
    );
    response.extensions_mut().insert(detail);
    response
}

/// 204 No Content.
pub fn no_content(detail: LogDetail) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.extensions_mut().insert(detail);
    response
}

/// A date-time the way directory objects show it (`2018-12-22T02:21:05Z`).
pub fn graph_time(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A date-time with 7 fractional digits, as audit and report records show it.
pub fn precise_time(t: &DateTime<Utc>) -> String {
    format!(
        "{}.{:07}Z",
        t.format("%Y-%m-%dT%H:%M:%S"),
        t.timestamp_subsec_nanos() / 100
    )
}

/// Serializes a date-time with [`graph_time`].
pub fn ser_time<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&t.format("%Y-%m-%dT%H:%M:%SZ"))
}

/// Keeps only the `$select`ed properties of a JSON object (all of them without `$select`).
pub fn selected(mut value: serde_json::Value, select: Option<&[&str]>) -> serde_json::Value {
    if let (Some(names), serde_json::Value::Object(map)) = (select, &mut value) {
        map.retain(|k, _| names.contains(&k.as_str()));
    }
    value
}

/// Parses a JSON request body, with Graph's error for malformed JSON.
pub fn parse_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, GraphError> {
    serde_json::from_slice(bytes).map_err(|e| {
        GraphError::odata_bad_request(format!(
            "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format. ({e})"
        ))
    })
}

/// A single entity with its `@odata.context`.
#[derive(Serialize)]
pub struct Entity<T> {
    /// `@odata.context`.
    #[serde(rename = "@odata.context")]
    pub context: String,
    /// The entity's properties.
    #[serde(flatten)]
    pub inner: T,
}
