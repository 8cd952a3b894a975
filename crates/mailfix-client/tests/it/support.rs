//! Small axum servers for the tests: a request log with server-side arrival instants, a token
//! endpoint that issues fake JWTs, and a client configured against them.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use mailfix_client::{Client, ClientConfig, Cloud, Credential, Endpoints, RetryPolicy, Secret};
use serde_json::{Value, json};
use tokio::time::Instant;

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Hit {
    pub at: Instant,
    pub wall: std::time::SystemTime,
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Hit {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// The shared request log.
#[derive(Clone, Default)]
pub struct Log(Arc<Mutex<Vec<Hit>>>);

impl Log {
    pub fn hits(&self) -> Vec<Hit> {
        self.0.lock().unwrap().clone()
    }

    pub fn matching(&self, path_part: &str) -> Vec<Hit> {
        self.hits()
            .into_iter()
            .filter(|h| h.path.contains(path_part))
            .collect()
    }
}

async fn record(State(log): State<Log>, req: Request, next: Next) -> Response {
    let at = Instant::now();
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    log.0.lock().unwrap().push(Hit {
        at,
        wall: std::time::SystemTime::now(),
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or_default().to_owned(),
        headers: parts.headers.clone(),
        body: bytes.to_vec(),
    });
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// A running test server.
pub struct Server {
    pub url: String,
    pub log: Log,
}

/// Serves `router` (plus the recording layer) on 127.0.0.1:0.
pub async fn serve(router: Router) -> Server {
    let log = Log::default();
    let app = router.layer(axum::middleware::from_fn_with_state(log.clone(), record));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    Server { url, log }
}

/// `http://{Host}` of a request, to build next links on the server's own origin.
pub fn host(headers: &HeaderMap) -> String {
    format!("http://{}", headers["host"].to_str().unwrap())
}

/// A fake JWT (unsigned; the test servers only read it).
pub fn fake_jwt(claims: &Value) -> String {
    format!(
        "{}.{}.sig",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

/// Claims of a fake JWT.
pub fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap_or_default();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap_or_default())
        .unwrap_or(Value::Null)
}

/// The bearer token of a request's `Authorization` header.
pub fn bearer(headers: &HeaderMap) -> String {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_owned()
}

/// A token endpoint issuing numbered fake JWTs (`n` claim) for the scope's resource, valid for
/// `lifetime_s` seconds.
pub fn token_endpoint(lifetime_s: u64) -> Router {
    let issued = Arc::new(AtomicUsize::new(0));
    Router::new().route(
        "/{tenant}/oauth2/v2.0/token",
        post(move |body: String| {
            let issued = issued.clone();
            async move {
                let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
                let form: Vec<(String, String)> =
                    url::form_urlencoded::parse(body.as_bytes()).into_owned().collect();
                let scope = form
                    .iter()
                    .find(|(k, _)| k == "scope")
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default();
                let aud = scope.split(' ').next().unwrap_or_default().trim_end_matches("/.default").to_owned();
                let token = fake_jwt(&json!({
                    "aud": aud, "tid": "tenant-1", "appid": "app-1", "n": n,
                    "roles": ["User.Read.All", "GroupMember.Read.All"],
                }));
                axum::Json(json!({"token_type": "Bearer", "expires_in": lifetime_s, "access_token": token}))
            }
        }),
    )
}

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

static CAPTURE: OnceLock<Capture> = OnceLock::new();

/// Installs, once and before any client exists, a global subscriber that captures the client's
/// logs (a per-test subscriber would race with other tests over callsite registration).
pub fn capture_logs() {
    CAPTURE.get_or_init(|| {
        let capture = Capture::default();
        let writer = capture.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter("mailfix_client=trace")
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        capture
    });
}

/// Everything the client logged so far, in every test of this binary.
pub fn logs() -> String {
    let capture = CAPTURE.get().unwrap();
    String::from_utf8_lossy(&capture.0.lock().unwrap()).into_owned()
}

/// A retry policy fast enough for tests.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 6,
        max_elapsed: Duration::from_secs(30),
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(100),
    }
}

/// A client with a secret credential whose three endpoints are `url`.
pub fn config(url: &str) -> ClientConfig {
    capture_logs();
    let mut config = ClientConfig::new(
        "contoso.onmicrosoft.com",
        Credential::Secret {
            client_id: "app-1".into(),
            secret: Secret::new("the-client-secret"),
        },
    );
    config.endpoints = Endpoints::for_cloud(Cloud::Global)
        .with_login(url)
        .with_graph(url)
        .with_exchange(url);
    config.retry = fast_retry();
    config
}

pub fn client(url: &str) -> Client {
    Client::new(config(url)).unwrap()
}

/// A JSON response with a status and headers.
pub fn reply(status: u16, headers: &[(&'static str, &str)], body: Value) -> Response {
    let mut resp = (
        axum::http::StatusCode::from_u16(status).unwrap(),
        axum::Json(body),
    )
        .into_response();
    for (k, v) in headers {
        resp.headers_mut().insert(*k, v.parse().unwrap());
    }
    resp
}

/// Graph's 429 body.
pub fn throttled_body() -> Value {
    json!({"error": {"code": "TooManyRequests", "message": "Please retry again later."}})
}
