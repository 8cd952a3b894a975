//! `POST /$batch`: up to 20 requests with relative URLs, run through the same Graph dispatcher as
//! top-level requests. Each item is admitted by the throttle and rolled for faults on its own (a
//! throttled item gets its own 429 and `Retry-After`), `dependsOn` orders items and fails dependents
//! of a failed item with 424, and responses come back grouped by dependency wave but shuffled
//! within a wave, so clients must correlate by `id`.

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::auth::{Sim, authenticate};
use super::batch_item::{ItemOutcome, run_item};
use super::respond::{self, parse_body};
use crate::error::GraphError;
use crate::log::{BatchItemLog, LogDetail};

/// Graph's limit on requests in one batch.
pub const MAX_ITEMS: usize = 20;

/// One request of a batch, as sent.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    /// Correlation id (a string; numbers are accepted).
    pub id: Value,
    /// HTTP method.
    pub method: String,
    /// Relative URL (`/users/{id}` or `users?$select=...`).
    pub url: String,
    /// Request headers (`ConsistencyLevel`, `Content-Type`, ...).
    #[serde(default)]
    pub headers: Map<String, Value>,
    /// JSON body.
    #[serde(default)]
    pub body: Option<Value>,
    /// Ids that must succeed first.
    #[serde(default)]
    pub depends_on: Vec<Value>,
}

#[derive(Deserialize)]
struct Payload {
    requests: Vec<Item>,
}

fn id_text(id: &Value) -> String {
    match id {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `POST /$batch`.
pub async fn batch(Sim(state): Sim, request: Request) -> Result<Response, GraphError> {
    let (parts, body) = request.into_parts();
    let caller = authenticate(&state, &parts)?;
    let bytes = axum::body::to_bytes(body, 4 * 1024 * 1024)
        .await
        .map_err(|_| GraphError::odata_bad_request("The batch request body is too large."))?;
    let payload: Payload = parse_body(&bytes)
        .map_err(|_| GraphError::odata_bad_request("Invalid batch payload format."))?;
    let items = payload.requests;
    let waves = plan(&items)?;
    let mut outcomes: Vec<Option<ItemOutcome>> = vec![None; items.len()];
    let mut order = Vec::with_capacity(items.len());
    for wave in waves {
        let runs = wave.iter().map(|&i| {
            let failed_dependency = items[i].depends_on.iter().any(|d| {
                let d = id_text(d);
                items
                    .iter()
                    .position(|x| id_text(&x.id).eq_ignore_ascii_case(&d))
                    .and_then(|p| outcomes[p].as_ref())
                    .is_none_or(|o| !o.status.is_success())
            });
            run_item(
                &state,
                &caller,
                &parts.headers,
                &items[i],
                failed_dependency,
            )
        });
        let done = futures::future::join_all(runs).await;
        let mut wave_order = wave.clone();
        wave_order.sort_by_key(|&i| shuffle_key(&id_text(&items[i].id)));
        for (i, outcome) in wave.iter().zip(done) {
            outcomes[*i] = Some(outcome);
        }
        order.extend(wave_order);
    }
    Ok(respond_all(&items, outcomes, &order))
}

fn respond_all(items: &[Item], outcomes: Vec<Option<ItemOutcome>>, order: &[usize]) -> Response {
    let mut detail = LogDetail {
        operation: Some("batch".to_owned()),
        ..LogDetail::default()
    };
    let mut responses = Vec::with_capacity(order.len());
    for &i in order {
        let Some(outcome) = &outcomes[i] else {
            continue;
        };
        detail.write |= outcome.write;
        detail.batch_items.push(BatchItemLog {
            id: id_text(&items[i].id),
            method: items[i].method.to_ascii_uppercase(),
            url: items[i].url.clone(),
            status: outcome.status.as_u16(),
            throttled: outcome.throttled,
            early: outcome.early,
            time: outcome.time,
            finished: outcome.finished,
        });
        let mut entry = json!({
            "id": id_text(&items[i].id),
            "status": outcome.status.as_u16(),
            "headers": outcome.headers,
        });
        if let Some(body) = &outcome.body {
            entry["body"] = body.clone();
        }
        responses.push(entry);
    }
    respond::json(StatusCode::OK, &json!({ "responses": responses }), detail)
}

/// Checks the batch and groups its items into waves: every item's dependencies are in earlier
/// waves. Refuses (400 for the whole batch) too many items, duplicate ids, bodies without a
/// `Content-Type`, unknown dependencies and cycles.
fn plan(items: &[Item]) -> Result<Vec<Vec<usize>>, GraphError> {
    if items.is_empty() {
        return Err(GraphError::odata_bad_request(
            "Invalid batch payload format: the batch contains no requests.",
        ));
    }
    if items.len() > MAX_ITEMS {
        return Err(GraphError::odata_bad_request(format!(
            "Number of batch request steps exceeds the maximum of {MAX_ITEMS}."
        )));
    }
    let ids: Vec<String> = items
        .iter()
        .map(|i| id_text(&i.id).to_ascii_lowercase())
        .collect();
    for (n, id) in ids.iter().enumerate() {
        if id.is_empty() {
            return Err(GraphError::odata_bad_request(
                "Every batch request needs an id.",
            ));
        }
        if ids[..n].contains(id) {
            return Err(GraphError::odata_bad_request(format!(
                "Batch request id '{}' is not unique: request ids must be unique within a batch.",
                id_text(&items[n].id)
            )));
        }
        let has_type = items[n]
            .headers
            .keys()
            .any(|k| k.eq_ignore_ascii_case("content-type"));
        if items[n].body.is_some() && !has_type {
            return Err(GraphError::odata_bad_request(format!(
                "Write request id : {} does not contain Content-Type header or body.",
                id_text(&items[n].id)
            )));
        }
    }
    let deps: Vec<Vec<usize>> = items
        .iter()
        .map(|item| {
            item.depends_on
                .iter()
                .map(|d| {
                    let d = id_text(d).to_ascii_lowercase();
                    ids.iter().position(|x| *x == d).ok_or_else(|| {
                        GraphError::odata_bad_request(format!(
                            "Batch request '{}' depends on '{d}', which is not in the batch.",
                            id_text(&item.id)
                        ))
                    })
                })
                .collect()
        })
        .collect::<Result<_, _>>()?;
    waves(&deps).ok_or_else(|| {
        GraphError::odata_bad_request("The dependsOn relations of the batch form a cycle.")
    })
}

fn waves(deps: &[Vec<usize>]) -> Option<Vec<Vec<usize>>> {
    let mut placed = vec![false; deps.len()];
    let mut out = Vec::new();
    while placed.iter().any(|p| !p) {
        let wave: Vec<usize> = (0..deps.len())
            .filter(|&i| !placed[i] && deps[i].iter().all(|&d| placed[d]))
            .collect();
        if wave.is_empty() {
            return None;
        }
        for &i in &wave {
            placed[i] = true;
        }
        out.push(wave);
    }
    Some(out)
}

/// A stable, order-scrambling key (FNV-1a of the id).
fn shuffle_key(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Builds the request an item stands for: `/v1.0/{url}` with the item's headers and body and the
/// batch's `Authorization`.
pub fn item_request(item: &Item, outer: &HeaderMap) -> Result<Request, GraphError> {
    let url = item.url.trim();
    if url.contains("://")
        || url
            .trim_start_matches('/')
            .to_ascii_lowercase()
            .starts_with("$batch")
    {
        return Err(GraphError::odata_bad_request(format!(
            "Invalid request URL '{url}': batch items take URLs relative to the version, and cannot nest $batch."
        )));
    }
    let method = Method::from_bytes(item.method.to_ascii_uppercase().as_bytes())
        .map_err(|_| GraphError::odata_bad_request(format!("Invalid method '{}'.", item.method)))?;
    let mut builder = Request::builder()
        .method(method)
        .uri(format!("/v1.0/{}", escape(url.trim_start_matches('/'))));
    if let Some(auth) = outer.get(header::AUTHORIZATION) {
        builder = builder.header(header::AUTHORIZATION, auth.clone());
    }
    for (name, value) in &item.headers {
        let text = value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_owned);
        if let (Ok(name), Ok(value)) = (
            HeaderName::try_from(name.as_str()),
            HeaderValue::from_str(&text),
        ) {
            builder = builder.header(name, value);
        }
    }
    let body = match &item.body {
        Some(Value::String(s)) => Bytes::from(s.clone()),
        Some(v) => Bytes::from(v.to_string()),
        None => Bytes::new(),
    };
    builder
        .body(Body::from(body))
        .map_err(|_| GraphError::odata_bad_request(format!("Invalid request URL '{url}'.")))
}

/// Percent-encodes what may not appear in a URI (item URLs are written the way people type them:
/// `users?$filter=city eq null`).
fn escape(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for byte in url.bytes() {
        let allowed = byte.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=%".contains(&byte);
        if allowed {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
