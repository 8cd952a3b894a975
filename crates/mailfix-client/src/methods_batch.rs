//! Authentication-method items of a Graph `$batch` once the service has shown the reports limit on
//! those routes (`methods_pace.rs`): sent one by one through the reports lane, each with the request
//! path's own retries, and answered as a batch would be; and what their answers tell the tracker.

use futures::stream::{self, StreamExt as _, TryStreamExt as _};
use http::{HeaderName, HeaderValue, Method};
use serde_json::Value;
use tokio::time::Instant;

use crate::batch::{BatchRequest, BatchResponse};
use crate::client::Client;
use crate::error::{Error, Service};
use crate::methods_pace::is_methods_path;
use crate::permission::Permission;
use crate::request::Request;
use crate::retry::RetryMode;

/// Tells the methods tracker about the answers to authentication-method items.
pub(crate) fn note_methods(
    client: &Client,
    chunk: &[BatchRequest],
    responses: &[BatchResponse],
    at: Instant,
) {
    for r in responses {
        let item =
            r.id.trim()
                .parse::<usize>()
                .ok()
                .and_then(|n| chunk.get(n.wrapping_sub(1)));
        if item.is_some_and(|i| is_methods_path(&i.url)) {
            let info = r.header("x-ms-throttle-information");
            client.inner.transport.methods.note(r.status, at, info);
        }
    }
}

/// Sends the pending items one by one (each through its own lane, with the request path's own
/// retries) and answers as a batch would.
pub(crate) async fn send_each(
    client: &Client,
    chunk: &[BatchRequest],
    request_ids: &[String],
    pending: &[usize],
    permission: Option<Permission>,
) -> Result<(Vec<BatchResponse>, Instant), Error> {
    let width = client.inner.transport.limits.reports_concurrency.max(1);
    let sends: Vec<_> = pending
        .iter()
        .map(|&i| send_one(client, &chunk[i], i + 1, &request_ids[i], permission))
        .collect();
    let responses: Vec<BatchResponse> = stream::iter(sends).buffered(width).try_collect().await?;
    Ok((responses, Instant::now()))
}

async fn send_one(
    client: &Client,
    item: &BatchRequest,
    id: usize,
    request_id: &str,
    permission: Option<Permission>,
) -> Result<BatchResponse, Error> {
    let path = if item.url.starts_with('/') {
        item.url.clone()
    } else {
        format!("/{}", item.url)
    };
    let mut req = Request::new(
        Service::Graph,
        item.method.clone(),
        client.graph_url(&path)?,
        "batch.item",
    );
    for (k, v) in &item.headers {
        if let (Ok(k), Ok(v)) = (HeaderName::try_from(k.as_str()), HeaderValue::from_str(v)) {
            req = req.header(k, v);
        }
    }
    if let Ok(v) = HeaderValue::from_str(request_id) {
        req = req.header(crate::request::CLIENT_REQUEST_ID, v);
    }
    if let Some(body) = &item.body {
        req = req.json(body)?;
    }
    if item.method != Method::GET {
        req = req.mode(RetryMode::NotIdempotent);
    }
    if let Some(p) = permission {
        req = req.permission(p);
    }
    let resp = client.send(&req).await?;
    let headers = resp
        .headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    Ok(BatchResponse {
        id: id.to_string(),
        status: resp.status.as_u16(),
        headers,
        body: serde_json::from_slice(&resp.body).unwrap_or(Value::Null),
    })
}
