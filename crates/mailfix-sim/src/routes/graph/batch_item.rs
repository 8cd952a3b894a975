//! Running one `$batch` item: a 424 when a dependency failed, else the throttle and the fault
//! injector decide (both per item, as Graph throttles each sub-request), else the item goes through
//! the Graph dispatcher like a top-level request and its response is folded into the batch format.

use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use base64::Engine as _;
use serde_json::{Map, Value, json};

use super::batch::{Item, item_request};
use super::dispatch::dispatch;
use crate::error::{GraphError, RequestIds};
use crate::faults::Fault;
use crate::identity::Caller;
use crate::log::{LogDetail, Service};
use crate::routes::fault_answer::{fault_retry_after, malformed};
use crate::state::AppState;
use crate::throttle::{Throttled, client_request_id};

/// Response headers an item passes on.
const KEPT_HEADERS: &[&str] = &[
    "content-type",
    "cache-control",
    "odata-version",
    "location",
    "retry-after",
    "preference-applied",
    "x-ms-resource-unit",
    "x-ms-throttle-limit-percentage",
    "x-ms-throttle-scope",
    "x-ms-throttle-information",
];

/// What one item produced.
#[derive(Clone, Debug)]
pub struct ItemOutcome {
    /// Its status.
    pub status: StatusCode,
    /// Its response headers.
    pub headers: Map<String, Value>,
    /// Its body (JSON, or text for non-JSON bodies).
    pub body: Option<Value>,
    /// Answered with a throttling 429.
    pub throttled: bool,
    /// Came before the end of a `Retry-After` given for the same bucket.
    pub early: bool,
    /// The item changed state.
    pub write: bool,
    /// Simulated time at which the item started to run.
    pub time: Option<chrono::DateTime<chrono::Utc>>,
    /// Simulated time at which it had run (what it read is the state as of an instant between).
    pub finished: Option<chrono::DateTime<chrono::Utc>>,
}

impl ItemOutcome {
    fn error(error: &GraphError, headers: &[(&str, String)]) -> Self {
        let ids = RequestIds::for_request(&HeaderMap::new());
        let mut map = Map::new();
        map.insert("Content-Type".into(), json!("application/json"));
        for (k, v) in headers {
            map.insert((*k).to_owned(), json!(v));
        }
        Self {
            status: error.status,
            headers: map,
            body: Some(error.body_with(&ids)),
            throttled: false,
            early: false,
            write: false,
            time: None,
            finished: None,
        }
    }
}

/// Runs one item of a batch sent by `caller` with the batch's headers `outer`.
pub async fn run_item(
    state: &AppState,
    caller: &Caller,
    outer: &HeaderMap,
    item: &Item,
    failed_dependency: bool,
) -> ItemOutcome {
    let started = state.clock.now();
    let mut outcome = run_item_now(state, caller, outer, item, failed_dependency).await;
    outcome.time = Some(started);
    outcome.finished = Some(state.clock.now());
    outcome
}

async fn run_item_now(
    state: &AppState,
    caller: &Caller,
    outer: &HeaderMap,
    item: &Item,
    failed_dependency: bool,
) -> ItemOutcome {
    if failed_dependency {
        let error = GraphError::new(
            StatusCode::FAILED_DEPENDENCY,
            "FailedDependency",
            "The request was not run because a request it depends on failed.",
        );
        return ItemOutcome::error(&error, &[]);
    }
    let request = match item_request(item, outer) {
        Ok(request) => request,
        Err(error) => return ItemOutcome::error(&error, &[]),
    };
    let request_id = client_request_id(request.headers());
    let now = state.clock.now();
    let told_early = request_id
        .as_deref()
        .map(|id| state.throttle.came_back_early(&caller.app_id, id, now));
    let mut outcome = admit_and_run(state, caller, request).await;
    if let Some(early) = told_early {
        outcome.early = early;
    }
    let retry_after = outcome.headers.get("Retry-After").and_then(Value::as_str);
    if let (Some(id), Some(value)) = (&request_id, retry_after) {
        let now = state.clock.now();
        state
            .throttle
            .note_told(&caller.app_id, id, value, now, &state.clock);
    }
    outcome
}

/// The throttle and the fault injector decide, else the dispatcher runs the item.
async fn admit_and_run(
    state: &AppState,
    caller: &Caller,
    request: axum::extract::Request,
) -> ItemOutcome {
    let path_and_query = request.uri().path_and_query().map_or_else(
        || request.uri().path().to_owned(),
        |pq| pq.as_str().to_owned(),
    );
    let users = state.read_tenant().users.len();
    let now = state.clock.now();
    let admitted = match state.throttle.admit_graph(
        &caller.app_id,
        users,
        request.method(),
        &path_and_query,
        now,
        &state.clock,
    ) {
        Ok(admitted) => admitted,
        Err(throttled) => return throttled_outcome(&throttled),
    };
    if let Some(fault) = state.faults.roll(Service::Graph, request.uri().path()) {
        if let Some(answer) = malformed(fault) {
            return fold(answer).await;
        }
        return fault_outcome(state, fault);
    }
    let ids = RequestIds::for_request(request.headers());
    let response = dispatch(state, request, &ids).await;
    let mut outcome = fold(response).await;
    for (name, value) in admitted.headers {
        outcome.headers.insert(name.to_owned(), json!(value));
    }
    outcome
}

fn throttled_outcome(throttled: &Throttled) -> ItemOutcome {
    let headers = [
        ("Retry-After", retry_after(throttled.retry_after)),
        ("x-ms-throttle-scope", throttled.scope.clone()),
        (
            "x-ms-throttle-information",
            throttled.information.to_owned(),
        ),
    ];
    ItemOutcome {
        time: None,
        finished: None,
        throttled: true,
        early: throttled.early,
        ..ItemOutcome::error(&GraphError::too_many_requests(), &headers)
    }
}

/// An injected fault as an item answer. 429 and 503 carry the faults' `Retry-After`, converted
/// to wall-clock time; the batch handler remembers it for the item's `client-request-id`. (The
/// malformed answers are folded from [`malformed`] like a route's answer.)
fn fault_outcome(state: &AppState, fault: Fault) -> ItemOutcome {
    let wait = fault_retry_after(state);
    let unavailable = || {
        GraphError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "serviceNotAvailable",
            "The service is temporarily unavailable. Please retry later.",
        )
    };
    let retry = [("Retry-After", retry_after(wait))];
    match fault {
        Fault::Throttle => ItemOutcome {
            time: None,
            finished: None,
            throttled: true,
            ..ItemOutcome::error(&GraphError::too_many_requests(), &retry)
        },
        Fault::Internal => ItemOutcome::error(
            &GraphError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "generalException",
                "An internal server error occurred.",
            ),
            &[],
        ),
        // A dropped connection or a cut body cannot happen to one item of a batch; it shows as a
        // 503.
        Fault::Unavailable | Fault::Reset | Fault::Truncated => {
            ItemOutcome::error(&unavailable(), &retry)
        }
        Fault::GatewayTimeout | Fault::Html | Fault::NotJson | Fault::Empty => ItemOutcome::error(
            &GraphError::new(
                StatusCode::GATEWAY_TIMEOUT,
                "UnknownError",
                "The gateway did not receive a timely response.",
            ),
            &[],
        ),
    }
}

/// `Retry-After` in seconds, fractional when needed (`2.128`), as Graph sends it; rounded up to
/// the millisecond so that a client waiting exactly this long is never early.
pub fn retry_after(d: Duration) -> String {
    crate::throttle::refusal::retry_after_value(d)
}

async fn fold(response: Response) -> ItemOutcome {
    let status = response.status();
    let write = response
        .extensions()
        .get::<LogDetail>()
        .is_some_and(|d| d.write);
    let (parts, body) = response.into_parts();
    let mut headers = Map::new();
    for (name, value) in &parts.headers {
        if KEPT_HEADERS.contains(&name.as_str())
            && let Ok(text) = value.to_str()
        {
            headers.insert(canonical_header(name.as_str()), json!(text));
        }
    }
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let is_text = headers
        .get("Content-Type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.starts_with("text/"));
    let body = if bytes.is_empty() {
        None
    } else if let (false, Ok(json)) = (is_text, serde_json::from_slice::<Value>(&bytes)) {
        Some(json)
    } else if is_text {
        Some(Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    } else {
        Some(Value::String(
            base64::engine::general_purpose::STANDARD.encode(&bytes),
        ))
    };
    ItemOutcome {
        time: None,
        finished: None,
        status,
        headers,
        body,
        throttled: false,
        early: false,
        write,
    }
}

fn canonical_header(name: &str) -> String {
    match name {
        "content-type" => "Content-Type".to_owned(),
        "cache-control" => "Cache-Control".to_owned(),
        "odata-version" => "OData-Version".to_owned(),
        "location" => "Location".to_owned(),
        "retry-after" => "Retry-After".to_owned(),
        "preference-applied" => "Preference-Applied".to_owned(),
        other => other.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_fractional_only_when_needed() {
        assert_eq!(retry_after(Duration::from_millis(2128)), "2.128");
        assert_eq!(retry_after(Duration::from_secs(10)), "10");
        assert_eq!(retry_after(Duration::from_millis(1500)), "1.5");
        assert_eq!(retry_after(Duration::from_millis(250)), "0.25");
    }
}
