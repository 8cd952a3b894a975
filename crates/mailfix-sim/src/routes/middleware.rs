//! The middleware around every route: it names the service and calling app, adds latency, injects
//! faults, throttles (top-level requests; `$batch` items are admitted by the batch handler), runs
//! the handler, and records the request log entry with the handler's [`LogDetail`] (and the body
//! of Graph and Exchange requests other than `GET` and `$batch`, so that tests can tell what a
//! write asked for).

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;

use super::exo::error::{ExoError, concurrency_response};
use super::fault_answer::{
    exo_fault_text, fault_retry_after, graph_fault_text, malformed, reset, truncated,
};
use crate::error::GraphError;
use crate::faults::Fault;
use crate::identity::{AadError, Identity};
use crate::log::{LogDetail, LogEntry, Service};
use crate::state::AppState;
use crate::throttle::{ExoPermit, Throttled, client_request_id, primary_bucket};

/// Largest sign-in form read to find the `client_id`.
const FORM_LIMIT: usize = 1 << 20;

/// The service a path belongs to.
pub fn service_of(path: &str) -> Service {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    match first.to_ascii_lowercase().as_str() {
        "v1.0" | "beta" => Service::Graph,
        "adminapi" => Service::Exo,
        "_sim" => Service::Control,
        _ => Service::Login,
    }
}

fn is_batch(path: &str) -> bool {
    path.ends_with("/$batch") || path.ends_with("/%24batch")
}

/// What the middleware learned about a request before answering it.
struct Observed {
    entry: LogEntry,
    path_and_query: String,
    /// The client's `client-request-id`, which its retries repeat.
    request_id: Option<String>,
    /// With a request id: whether this request comes back before a `Retry-After` it was given.
    told_early: Option<bool>,
}

/// Logs, faults, throttles and delays one request. The latency is spent after admission, so a slow
/// Exchange request counts against the concurrency limit while it is "processed".
pub async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // Counted from arrival until the answer is ready (the guard drops when this returns).
    let in_flight =
        (service_of(request.uri().path()) == Service::Exo).then(|| state.log.exo_arrived());
    let (request, app) = caller_app(request).await;
    let (request, body) = kept_body(request).await;
    let mut seen = observed(&state, &request, app);
    seen.entry.body = body;
    seen.entry.in_flight = in_flight.as_ref().map(|guard| guard.at_arrival);
    let service = seen.entry.service;
    let latency = state.faults.latency(service);
    let batch = is_batch(&seen.entry.path);
    let fault = match service {
        Service::Graph | Service::Exo | Service::Login if !batch => {
            state.faults.roll(service, &seen.entry.path)
        }
        _ => None,
    };
    if let Some(fault) = fault.filter(|f| !f.after_route()) {
        tokio::time::sleep(latency).await;
        let response = fault_response(&state, &mut seen, fault);
        return finish(&state, seen, response);
    }
    let (extra, _permit) = match admit(&state, &mut seen, batch) {
        Ok(admitted) => admitted,
        Err(response) => return finish(&state, seen, *response),
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let mut response = next.run(request).await;
    for (name, value) in extra {
        insert(&mut response, name, &value);
    }
    if let Some(fault) = fault {
        seen.entry.fault = Some(fault.name());
        response = match fault {
            Fault::Truncated => truncated(response).await,
            _ => reset(response),
        };
    }
    finish(&state, seen, response)
}

fn observed(state: &AppState, request: &Request, app: Option<String>) -> Observed {
    let uri = request.uri();
    let path = uri.path().to_owned();
    let request_id = client_request_id(request.headers());
    let told_early = match (&app, &request_id) {
        (Some(app), Some(id)) => Some(state.throttle.came_back_early(app, id, state.clock.now())),
        _ => None,
    };
    Observed {
        request_id,
        told_early,
        path_and_query: uri
            .path_and_query()
            .map_or(path.clone(), |p| p.as_str().to_owned()),
        entry: LogEntry {
            seq: 0,
            time: state.clock.now(),
            real_ms: state.log.real_ms(),
            service: service_of(&path),
            method: request.method().to_string(),
            host: super::exo::discovery::request_host(uri, request.headers()),
            path,
            query: uri.query().map(str::to_owned),
            status: 0,
            app,
            operation: None,
            write: false,
            throttled: false,
            early: false,
            retry_after_ms: None,
            fault: None,
            body: None,
            batch_items: Vec::new(),
            in_flight: None,
        },
    }
}

/// Headers to add and the Exchange permit to hold while the handler runs, or the 429 to answer.
type Admission<'a> = Result<(Vec<(&'static str, String)>, Option<ExoPermit<'a>>), Box<Response>>;

fn admit<'a>(state: &'a AppState, seen: &mut Observed, batch: bool) -> Admission<'a> {
    let Some(app) = seen.entry.app.clone() else {
        return Ok((Vec::new(), None));
    };
    let now = state.clock.now();
    match seen.entry.service {
        Service::Graph if !batch => {
            let users = state.read_tenant().users.len();
            let method: Method = seen.entry.method.parse().unwrap_or(Method::GET);
            state
                .throttle
                .admit_graph(
                    &app,
                    users,
                    &method,
                    &seen.path_and_query,
                    now,
                    &state.clock,
                )
                .map(|admitted| (admitted.headers, None))
                .map_err(|refusal| Box::new(throttled(seen, &refusal, Service::Graph, state)))
        }
        Service::Exo => match state.throttle.admit_exo(&app, now, &state.clock) {
            Ok(permit) => Ok((permit.headers.clone(), Some(permit))),
            Err(refusal) => Err(Box::new(throttled(seen, &refusal, Service::Exo, state))),
        },
        _ => Ok((Vec::new(), None)),
    }
}

fn throttled(
    seen: &mut Observed,
    refusal: &Throttled,
    service: Service,
    state: &AppState,
) -> Response {
    seen.entry.throttled = true;
    seen.entry.early = refusal.early;
    seen.entry.retry_after_ms = Some(millis(refusal.retry_after));
    let plain = state.throttle.limits().get("exo.concurrency_plain_text") >= 1.0;
    let mut response = match service {
        Service::Exo if refusal.is_concurrency() && plain => concurrency_response(),
        Service::Exo => ExoError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequests",
            "The request was throttled. Wait for the time in Retry-After and try again.".to_owned(),
            "Microsoft.Exchange.Management.PSDirectInvoke.ThrottlingException",
        )
        .into_response(),
        _ => refusal.graph_error().into_response(),
    };
    for (name, value) in refusal.headers() {
        insert(&mut response, name, &value);
    }
    response
}

fn fault_response(state: &AppState, seen: &mut Observed, fault: Fault) -> Response {
    seen.entry.fault = Some(fault.name());
    if let Some(response) = malformed(fault) {
        return response;
    }
    let retry_after = fault_retry_after(state);
    let status = StatusCode::from_u16(fault.status().unwrap_or(500))
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = match seen.entry.service {
        Service::Exo => {
            let (code, message) = exo_fault_text(status);
            ExoError::new(status, code, message.to_owned(), "System.Net.WebException")
                .into_response()
        }
        Service::Login => {
            let body = AadError::transient(status).body(state.clock.now(), None);
            (status, axum::Json(body)).into_response()
        }
        _ => {
            let (code, message) = graph_fault_text(status);
            GraphError::new(status, code, message).into_response()
        }
    };
    if matches!(fault, Fault::Throttle | Fault::Unavailable) {
        seen.entry.retry_after_ms = Some(millis(retry_after));
        let value = crate::throttle::refusal::retry_after_value(retry_after);
        insert(&mut response, "Retry-After", &value);
    }
    if fault == Fault::Throttle {
        seen.entry.throttled = true;
        if let (Some(app), Ok(method)) = (&seen.entry.app, seen.entry.method.parse::<Method>())
            && let Some(bucket) = primary_bucket(seen.entry.service, &method, &seen.path_and_query)
        {
            let now = state.clock.now();
            state
                .throttle
                .note_retry_after(app, bucket, retry_after, now, &state.clock);
        }
    }
    response
}

/// Records the entry for `response` and returns it. For a request with a `client-request-id`,
/// `early` says whether that request came back before a `Retry-After` it was given (requests in
/// flight when another one was throttled are not early); without one, whether the app came back to
/// a throttled bucket too soon.
fn finish(state: &AppState, seen: Observed, mut response: Response) -> Response {
    let retry_after = response
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok());
    if let (Some(app), Some(id), Some(value)) = (&seen.entry.app, &seen.request_id, retry_after) {
        let now = state.clock.now();
        state.throttle.note_told(app, id, value, now, &state.clock);
    }
    let mut entry = seen.entry;
    if let Some(early) = seen.told_early {
        entry.early = early;
    }
    entry.status = response.status().as_u16();
    if let Some(detail) = response.extensions_mut().remove::<LogDetail>() {
        entry.operation = detail.operation;
        entry.write = detail.write;
        entry.throttled |= detail.batch_items.iter().any(|i| i.throttled);
        entry.early |= detail.batch_items.iter().any(|i| i.early);
        entry.batch_items = detail.batch_items;
    }
    state.log.push(entry);
    response
}

fn insert(response: &mut Response, name: &str, value: &str) {
    if let (Ok(name), Ok(value)) = (
        HeaderName::from_bytes(name.as_bytes()),
        HeaderValue::from_str(value),
    ) {
        response.headers_mut().insert(name, value);
    }
}

fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The body of a Graph or Exchange request other than `GET` and `$batch` (what a write asked for),
/// read and put back. Sign-in bodies, which carry secrets, are never kept.
async fn kept_body(request: Request) -> (Request, Option<String>) {
    let path = request.uri().path();
    let kept = matches!(service_of(path), Service::Graph | Service::Exo)
        && !is_batch(path)
        && request.method() != Method::GET
        && request.method() != Method::HEAD;
    if !kept {
        return (request, None);
    }
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, FORM_LIMIT)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    (Request::from_parts(parts, Body::from(bytes)), Some(text))
}

/// The calling app: `appid` of a bearer token, or the `client_id` of a sign-in request (form field or
/// HTTP Basic user). The request is rebuilt when its body had to be read.
async fn caller_app(request: Request) -> (Request, Option<String>) {
    let header = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Some(token) = header.as_deref().and_then(|h| {
        h.strip_prefix("Bearer ")
            .or_else(|| h.strip_prefix("bearer "))
    }) {
        // v1 tokens name the app in `appid`, v2 tokens in `azp`.
        let app = Identity::peek(token.trim()).and_then(|claims| {
            ["appid", "azp"]
                .iter()
                .find_map(|k| claims.get(*k).and_then(|v| v.as_str()).map(str::to_owned))
        });
        return (request, app);
    }
    if let Some(app) = header.as_deref().and_then(basic_user) {
        return (request, Some(app));
    }
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if request.method() != Method::POST
        || !is_form
        || service_of(request.uri().path()) != Service::Login
    {
        return (request, None);
    }
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, FORM_LIMIT)
        .await
        .unwrap_or_default();
    let app = url::form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == "client_id")
        .map(|(_, v)| v.into_owned());
    (Request::from_parts(parts, Body::from(bytes)), app)
}

/// The user name of an HTTP Basic `Authorization` header (the client id at the token endpoint).
fn basic_user(header: &str) -> Option<String> {
    let encoded = header.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let user = text.split(':').next()?;
    let user = url::form_urlencoded::parse(format!("u={user}").as_bytes())
        .next()?
        .1
        .into_owned();
    Some(user)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_by_path() {
        assert_eq!(service_of("/v1.0/users"), Service::Graph);
        assert_eq!(service_of("/beta/users"), Service::Graph);
        assert_eq!(service_of("/adminapi/beta/t/InvokeCommand"), Service::Exo);
        assert_eq!(service_of("/_sim/state"), Service::Control);
        assert_eq!(service_of("/t/oauth2/v2.0/token"), Service::Login);
        assert!(is_batch("/v1.0/$batch"));
    }

    #[test]
    fn basic_auth_names_the_client() {
        let header = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("abc%2Dd:secret")
        );
        assert_eq!(basic_user(&header).as_deref(), Some("abc-d"));
    }
}
