//! Graph JSON batching (PROTOCOL.md §2.4): at most 20 sub-requests per `$batch`, answers matched by
//! id whatever their order, and only the throttled items (429, 503) sent again — in a new batch,
//! after the longest `Retry-After` among them, within the retry policy's bounds.
//!
//! Authentication-method items are sent one by one through the reports lane instead once the
//! service has shown the reports limit on those routes (`methods_pace.rs`): a batch would carry
//! 20 requests past a lane that admits 5 per window.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use bytes::Bytes;
use futures::stream::{self, StreamExt as _, TryStreamExt as _};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::client::Client;
use crate::error::{Error, Service};
use crate::methods_batch::{note_methods, send_each};
use crate::methods_pace::is_methods_path;
use crate::permission::Permission;
use crate::request::{Lane, Request, Response};
use crate::retry::{RetryMode, parse_retry_after};

/// Graph's limit of sub-requests per batch.
pub const MAX_BATCH: usize = 20;

/// One sub-request.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchRequest {
    /// HTTP method.
    pub method: Method,
    /// Relative URL, e.g. `/users/{id}?$select=id,mail`.
    pub url: String,
    /// Headers (`ConsistencyLevel` goes here, per item).
    pub headers: BTreeMap<String, String>,
    /// JSON body.
    pub body: Option<Value>,
}

impl BatchRequest {
    /// A GET sub-request.
    pub fn get(url: impl Into<String>) -> Self {
        Self {
            method: Method::GET,
            url: url.into(),
            headers: BTreeMap::new(),
            body: None,
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.insert(name.to_owned(), value.to_owned());
        self
    }

    /// The item as JSON, with its id and the `client-request-id` that every round repeats.
    fn to_json(&self, id: usize, request_id: &str) -> Value {
        let mut item =
            json!({"id": id.to_string(), "method": self.method.as_str(), "url": self.url});
        let mut headers = self.headers.clone();
        if !headers
            .keys()
            .any(|k| k.eq_ignore_ascii_case("client-request-id"))
        {
            headers.insert("client-request-id".to_owned(), request_id.to_owned());
        }
        if let Some(body) = &self.body {
            headers
                .entry("Content-Type".to_owned())
                .or_insert_with(|| "application/json".to_owned());
            item["body"] = body.clone();
        }
        if !headers.is_empty() {
            item["headers"] = json!(headers);
        }
        item
    }
}

/// The answer to one sub-request.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct BatchResponse {
    /// Sub-request id (as sent).
    pub id: String,
    /// Status of the sub-request.
    pub status: u16,
    /// Headers of the sub-response.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Body of the sub-response.
    #[serde(default)]
    pub body: Value,
}

impl BatchResponse {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn retry_after(&self) -> Option<Duration> {
        parse_retry_after(self.header("retry-after")?, std::time::SystemTime::now())
    }

    fn is_throttled(&self) -> bool {
        matches!(self.status, 429 | 503)
    }

    /// The body as `T` for a 2xx answer, or the typed error (as for a whole request).
    pub fn into_result<T: DeserializeOwned>(self, operation: &str) -> Result<T, Error> {
        let mut headers = HeaderMap::new();
        for (k, v) in &self.headers {
            if let (Ok(k), Ok(v)) = (HeaderName::try_from(k.as_str()), HeaderValue::from_str(v)) {
                headers.insert(k, v);
            }
        }
        let resp = Response {
            status: StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_GATEWAY),
            headers,
            body: Bytes::from(serde_json::to_vec(&self.body).unwrap_or_default()),
            received_at: Instant::now(),
        };
        if !resp.status.is_success() {
            return Err(crate::graph::error::from_response(&resp).at(Service::Graph, operation));
        }
        resp.json().map_err(|e| e.at(Service::Graph, operation))
    }
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    responses: Vec<BatchResponse>,
}

/// Sends `requests` in batches of 20 (several batches in flight, within Graph's concurrency cap)
/// and returns one answer per request, in input order.
pub(crate) async fn run(
    client: &Client,
    requests: &[BatchRequest],
    permission: Option<Permission>,
) -> Result<Vec<Result<BatchResponse, Error>>, Error> {
    let width = client.inner.transport.limits.graph_concurrency.max(1);
    // Until an answer on the authentication-method routes says whether the reports limit applies
    // to them, the first batch goes alone: a limit of 5 per window met by several batches of 20 at
    // once would refuse nearly all of them.
    let methods_only = requests.iter().all(|r| is_methods_path(&r.url));
    let first = if methods_only && !client.inner.transport.methods.observed() {
        requests.len().min(MAX_BATCH)
    } else {
        0
    };
    let mut answers = run_chunk(client, &requests[..first], permission).await?;
    // The futures are built before awaiting so that no closure over borrowed chunks lives in this
    // future's state (which would make it not `Send` for callers that box it: rust-lang/rust#102211).
    let pending: Vec<_> = requests[first..]
        .chunks(MAX_BATCH)
        .map(|chunk| run_chunk(client, chunk, permission))
        .collect();
    let chunks: Vec<Vec<Result<BatchResponse, Error>>> =
        stream::iter(pending).buffered(width).try_collect().await?;
    answers.extend(chunks.into_iter().flatten());
    Ok(answers)
}

/// One chunk: send, keep the answers, resend only throttled items until none are left or the
/// retry policy says stop. Items never answered become decode errors.
async fn run_chunk(
    client: &Client,
    chunk: &[BatchRequest],
    permission: Option<Permission>,
) -> Result<Vec<Result<BatchResponse, Error>>, Error> {
    if chunk.is_empty() {
        return Ok(Vec::new());
    }
    let transport = &client.inner.transport;
    let policy = &transport.retry;
    let deadline = Instant::now() + policy.max_elapsed;
    let mut answers: Vec<Option<BatchResponse>> = vec![None; chunk.len()];
    // One id per item for all rounds: a resent item is a retry of the same sub-request.
    let request_ids: Vec<String> = chunk
        .iter()
        .map(|_| uuid::Uuid::new_v4().to_string())
        .collect();
    let mut pending: Vec<usize> = (0..chunk.len()).collect();
    let mut round = 1u32;
    loop {
        let one_by_one =
            transport.methods.paced() && pending.iter().all(|&i| is_methods_path(&chunk[i].url));
        let (responses, received_at) = if one_by_one {
            send_each(client, chunk, &request_ids, &pending, permission).await?
        } else {
            send(client, chunk, &request_ids, &pending, permission).await?
        };
        note_methods(client, chunk, &responses, received_at);
        let Round { throttled, longest } = absorb(&mut answers, &pending, responses);
        for _ in &throttled {
            transport.counters.throttled();
        }
        if throttled.is_empty() || round >= policy.max_attempts {
            break;
        }
        let wait = longest.unwrap_or_else(|| policy.backoff(round));
        if received_at + wait > deadline {
            break;
        }
        // The next batch (and every other request of the lane) waits out the longest Retry-After.
        let methods_only = throttled.iter().all(|&i| is_methods_path(&chunk[i].url));
        let lane = if methods_only && transport.methods.paced() {
            Lane::Reports
        } else {
            Lane::Graph
        };
        transport
            .pacer(lane)
            .throttled(received_at, received_at + wait);
        transport.counters.retry();
        pending = throttled;
        round += 1;
    }
    Ok(answers
        .into_iter()
        .map(|a| a.ok_or_else(|| Error::decode("the batch had no answer for this item")))
        .collect())
}

async fn send(
    client: &Client,
    chunk: &[BatchRequest],
    request_ids: &[String],
    pending: &[usize],
    permission: Option<Permission>,
) -> Result<(Vec<BatchResponse>, Instant), Error> {
    let items: Vec<Value> = pending
        .iter()
        .map(|&i| chunk[i].to_json(i + 1, &request_ids[i]))
        .collect();
    let reads_only = pending.iter().all(|&i| chunk[i].method == Method::GET);
    let mut req = Request::new(
        Service::Graph,
        Method::POST,
        client.graph_url("/$batch")?,
        "batch",
    )
    .json(&json!({ "requests": items }))?
    .mode(if reads_only {
        RetryMode::Idempotent
    } else {
        RetryMode::NotIdempotent
    });
    if let Some(p) = permission {
        req = req.permission(p);
    }
    client.inner.transport.counters.batch_items(pending.len());
    let resp = client.execute(req).await?;
    let envelope: Envelope = resp.json().map_err(|e| e.at(Service::Graph, "batch"))?;
    Ok((envelope.responses, resp.received_at))
}

/// What one round of answers left to do.
#[derive(Debug, PartialEq)]
struct Round {
    /// Items answered 429/503, to send again.
    throttled: Vec<usize>,
    /// The longest `Retry-After` among them.
    longest: Option<Duration>,
}

/// Files each answer under the item it belongs to (id `i + 1`, matched case-insensitively as
/// Graph does, whatever the order) and lists the throttled ones.
fn absorb(
    answers: &mut [Option<BatchResponse>],
    pending: &[usize],
    responses: Vec<BatchResponse>,
) -> Round {
    let mut by_id: HashMap<String, BatchResponse> = responses
        .into_iter()
        .map(|r| (r.id.trim().to_ascii_lowercase(), r))
        .collect();
    let mut round = Round {
        throttled: Vec::new(),
        longest: None,
    };
    for &i in pending {
        let Some(answer) = by_id.remove(&(i + 1).to_string()) else {
            continue;
        };
        if answer.is_throttled() {
            round.throttled.push(i);
            round.longest = round.longest.max(answer.retry_after());
        }
        answers[i] = Some(answer);
    }
    round
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(id: &str, status: u16, retry_after: Option<&str>) -> BatchResponse {
        let mut headers = BTreeMap::new();
        if let Some(r) = retry_after {
            headers.insert("Retry-After".to_owned(), r.to_owned());
        }
        BatchResponse {
            id: id.to_owned(),
            status,
            headers,
            body: json!({"id": format!("user-{id}")}),
        }
    }

    #[test]
    fn answers_are_matched_by_id_in_any_order_and_throttled_ones_listed() {
        let mut answers = vec![None; 5];
        let pending = [0, 1, 2, 3, 4];
        let responses = vec![
            answer("5", 200, None),
            answer("3", 429, Some("1.5")),
            answer("1", 404, None),
            answer("4", 503, Some("4")),
            // "2" is missing.
        ];
        let round = absorb(&mut answers, &pending, responses);
        assert_eq!(round.throttled, [2, 3]);
        assert_eq!(round.longest, Some(Duration::from_secs(4)));
        assert_eq!(answers[0].as_ref().unwrap().status, 404);
        assert!(answers[1].is_none());
        assert_eq!(answers[4].as_ref().unwrap().body["id"], "user-5");
        // A later round answers only the resent items; earlier answers stay.
        let round = absorb(
            &mut answers,
            &[2, 3],
            vec![answer("4", 200, None), answer("3", 200, None)],
        );
        assert!(round.throttled.is_empty());
        assert_eq!(answers[2].as_ref().unwrap().status, 200);
        assert_eq!(answers[0].as_ref().unwrap().status, 404);
    }

    #[test]
    fn items_serialise_with_ids_headers_and_bodies() {
        let get = BatchRequest::get("/users/a?$select=id").header("ConsistencyLevel", "eventual");
        assert_eq!(
            get.to_json(7, "r7"),
            json!({"id":"7","method":"GET","url":"/users/a?$select=id","headers":{"ConsistencyLevel":"eventual","client-request-id":"r7"}})
        );
        let mut post = BatchRequest::get("/x");
        post.method = Method::POST;
        post.body = Some(json!({"a":1}));
        assert_eq!(
            post.to_json(1, "r1")["headers"]["Content-Type"],
            "application/json"
        );
    }

    #[test]
    fn item_errors_are_typed_like_whole_responses() {
        let mut a = answer("1", 404, None);
        a.body = json!({"error":{"code":"Request_ResourceNotFound","message":"Resource 'x' does not exist"}});
        let err = a.into_result::<Value>("users.get").unwrap_err();
        assert!(err.is_not_found());
        assert_eq!(err.code(), Some("Request_ResourceNotFound"));
        let ok: Value = answer("2", 200, None).into_result("users.get").unwrap();
        assert_eq!(ok["id"], "user-2");
        let t = answer("3", 429, Some("2"))
            .into_result::<Value>("users.get")
            .unwrap_err();
        assert!(t.is_throttled());
        assert_eq!(t.retry_after(), Some(Duration::from_secs(2)));
    }
}
