//! The one request path, lower half: pace (per-service caps and "not before"), send, classify,
//! token per resource (dropped and fetched again once on a 401), retry (see the table in
//! `retry.rs`). The upper half in `client.rs` maps failed responses to typed errors; sign-in uses
//! this half directly, without a token.

use std::time::Duration;

use http::HeaderValue;
use tokio::time::Instant;

use crate::auth::tokens::Tokens;
use crate::cloud::Resource;
use crate::counters::{Counters, CountersSnapshot};
use crate::error::{Error, ErrorKind};
use crate::methods_pace::MethodsPace;
use crate::pace::{self, AfterThrottle, Gate, Limits, Pacer};
use crate::request::{Lane, Request, Response};
use crate::retry::{self, Outcome, RetryMode, RetryPolicy, Verdict};
use crate::secret::Secret;
use crate::unreachable::{self, ConnectRetry, Cure, Diagnosis, OnConnectRetry, Signs};

/// How a request is authorised.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Authorize<'a> {
    /// No token (sign-in requests).
    Anonymous,
    /// A bearer token for `resource`.
    Bearer {
        tokens: &'a Tokens,
        resource: Resource,
    },
}

/// What one send produced.
#[derive(Debug)]
pub(crate) enum Sent {
    /// A complete response.
    Response(Response),
    /// The connection never opened.
    Unsent(reqwest::Error),
    /// Sent, but no complete response.
    Lost(reqwest::Error),
}

impl Sent {
    fn outcome(&self) -> Outcome<'_> {
        match self {
            Sent::Response(r) => Outcome::Status {
                status: r.status.as_u16(),
                retry_after: r
                    .header_str("retry-after")
                    .and_then(|v| retry::parse_retry_after(v, std::time::SystemTime::now())),
                body: &r.body,
            },
            Sent::Unsent(_) => Outcome::NotSent,
            Sent::Lost(_) => Outcome::Lost,
        }
    }

    /// The HTTP status, if a response came back.
    pub(crate) fn status(&self) -> Option<u16> {
        match self {
            Sent::Response(r) => Some(r.status.as_u16()),
            _ => None,
        }
    }

    /// Why the connection failed and whether trying again can help (`None` for a response).
    fn diagnosis(&self, req: &Request) -> Option<Diagnosis> {
        match self {
            Sent::Response(_) => None,
            Sent::Unsent(e) | Sent::Lost(e) => Some(unreachable::diagnose(&req.url, Signs::of(e))),
        }
    }

    /// The final result: a response (whatever its status) or a network error.
    fn finish(self, req: &Request) -> Result<Response, Error> {
        let diagnosis = self.diagnosis(req);
        let host = unreachable::host_of(&req.url);
        let (unsent, e) = match self {
            Sent::Response(r) => return Ok(r),
            Sent::Unsent(e) => (true, e),
            Sent::Lost(e) => (false, e),
        };
        let diagnosis =
            diagnosis.unwrap_or_else(|| unreachable::diagnose(&req.url, Signs::default()));
        let sure_unapplied = unsent || diagnosis.cure == Cure::None;
        let headline = match sure_unapplied {
            true => format!("cannot reach {host}: {}", diagnosis.cause),
            false => format!("the connection failed before a complete answer ({host})"),
        };
        let mut err = Error::new(ErrorKind::Network, headline)
            .at(req.service, req.operation.clone())
            .with_source(e.without_url());
        if req.mode == RetryMode::NotIdempotent && !sure_unapplied {
            err = err.with_hint(
                "the request may or may not have been applied; read the current state before \
                 trying again",
            );
        }
        Err(err)
    }
}

/// The HTTP client with its pacing lanes, retry policy and counters.
#[derive(Debug)]
pub(crate) struct Transport {
    http: reqwest::Client,
    pub(crate) retry: RetryPolicy,
    pub(crate) limits: Limits,
    pub(crate) counters: Counters,
    /// Whether authentication-method routes are under the reports limit (`methods_pace.rs`).
    pub(crate) methods: MethodsPace,
    /// The `--trace` file every send is recorded in, if any.
    pub(crate) trace: Option<std::sync::Arc<crate::trace::Trace>>,
    pub(crate) on_connect_retry: Option<OnConnectRetry>,
    login: Pacer,
    graph: Pacer,
    reports: Pacer,
    exchange: Pacer,
}

impl Transport {
    pub(crate) fn new(http: reqwest::Client, retry: RetryPolicy, limits: Limits) -> Self {
        let after_throttle = AfterThrottle::from_limits(&limits);
        let gate = || Gate::default().after_throttle(after_throttle);
        Self {
            http,
            retry,
            login: Pacer::new(2, gate()),
            graph: Pacer::new(limits.graph_concurrency, gate()),
            // The window counts requests in flight; never more in flight than it allows.
            reports: Pacer::new(
                limits
                    .reports_concurrency
                    .clamp(1, limits.reports_requests.max(1)),
                Gate::windowed(limits.reports_requests, limits.reports_window)
                    .after_throttle(after_throttle),
            ),
            exchange: Pacer::adaptive(limits.exchange_concurrency, gate()),
            methods: MethodsPace::new(limits.reports_requests, limits.reports_window),
            trace: None,
            limits,
            counters: Counters::default(),
            on_connect_retry: None,
        }
    }

    /// What each lane did so far, with the counters.
    pub(crate) fn snapshot(&self) -> CountersSnapshot {
        let mut snapshot = self.counters.snapshot();
        snapshot.exchange_concurrency = self.exchange.concurrency();
        snapshot
    }

    pub(crate) fn pacer(&self, lane: Lane) -> &Pacer {
        match lane {
            Lane::Login => &self.login,
            Lane::Graph => &self.graph,
            Lane::Reports => &self.reports,
            Lane::Exchange => &self.exchange,
        }
    }

    /// Sends once, with a bearer token when given, and buffers the body. Counted and logged.
    pub(crate) async fn send_once(
        &self,
        req: &Request,
        token: Option<&Secret>,
    ) -> Result<Sent, Error> {
        let started = Instant::now();
        let wall = chrono::Utc::now();
        let mut builder = self
            .http
            .request(req.method.clone(), req.url.clone())
            .headers(req.headers.clone())
            .timeout(self.limits.request_timeout);
        if let Some(token) = token {
            let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
                .map_err(|_| Error::decode("the access token is not a valid header value"))?;
            value.set_sensitive(true);
            builder = builder.header(http::header::AUTHORIZATION, value);
        }
        if let Some(body) = &req.body {
            builder = builder.body(body.clone());
        }
        self.counters.request(req.service, &req.operation);
        let sent = match builder.send().await {
            Err(e) if is_certificate_error(&e) => Err(tls_error(req, e)),
            Err(e) if e.is_connect() => Ok(Sent::Unsent(e)),
            Err(e) => Ok(Sent::Lost(e)),
            Ok(resp) => read(resp, req, self.limits.max_answer_bytes).await,
        };
        if let Some(trace) = &self.trace {
            trace.record_send(req, token.is_some(), &sent, wall, started.elapsed());
        }
        let sent = sent?;
        log_send(req, &sent, started.elapsed());
        Ok(sent)
    }

    /// One attempt: with a bearer token when asked, and on a 401 (once per request) the token is
    /// dropped, a new one fetched and the request sent again.
    async fn attempt(
        &self,
        req: &Request,
        auth: &Authorize<'_>,
        refreshed: &mut bool,
    ) -> Result<Sent, Error> {
        let Authorize::Bearer { tokens, resource } = *auth else {
            return self.send_once(req, None).await;
        };
        let token = tokens.get(resource, self).await?;
        let sent = self.send_once(req, Some(&token)).await?;
        if sent.status() != Some(401) || *refreshed {
            return Ok(sent);
        }
        *refreshed = true;
        self.counters.token_refresh();
        tokens.invalidate(resource, &token).await;
        let token = tokens.get(resource, self).await?;
        self.send_once(req, Some(&token)).await
    }

    /// Paces and retries a request according to the policy. Returns the last response whatever
    /// its status, or a network error.
    pub(crate) async fn run(&self, req: &Request, auth: Authorize<'_>) -> Result<Response, Error> {
        let req = &*req.identified();
        let deadline = Instant::now() + self.retry.max_elapsed;
        let mut attempt = 1u32;
        let mut refreshed = false;
        loop {
            let pacer = self.pacer_for(req);
            let admission = pacer.admit(&self.counters).await;
            let sent = self.attempt(req, &auth, &mut refreshed).await;
            let now = Instant::now();
            let verdict = sent
                .as_ref()
                .ok()
                .map(|s| retry::classify(s.outcome(), req.mode));
            let pushed_back = matches!(
                verdict,
                Some(Verdict::Retry {
                    throttled: true,
                    ..
                })
            );
            let spacing = sent.as_ref().ok().and_then(|s| self.spacing(s));
            admission.complete(now, spacing, pushed_back);
            let sent = sent?;
            self.note_methods(req, &sent);
            let Some(Verdict::Retry { after, throttled }) = verdict else {
                return sent.finish(req);
            };
            let diagnosis = sent.diagnosis(req);
            if diagnosis.as_ref().is_some_and(|d| !d.cure.allows(attempt)) {
                return sent.finish(req);
            }
            let received_at = match &sent {
                Sent::Response(r) => r.received_at,
                _ => now,
            };
            let delay = after.unwrap_or_else(|| self.retry.backoff(attempt));
            let resume = received_at + delay;
            if throttled {
                self.counters.throttled();
                // Every request to this service waits, not only this one (in the lane the
                // request belongs to now: a reports-limit answer moves methods routes).
                self.pacer_for(req).throttled(received_at, resume);
            }
            if attempt >= self.retry.max_attempts || resume > deadline {
                return sent.finish(req);
            }
            self.counters.retry();
            log_retry(req, &sent, attempt, delay, throttled);
            if let (Sent::Unsent(_), Some(diagnosis)) = (&sent, diagnosis) {
                self.report_connect_retry(req, diagnosis, attempt, delay);
            }
            if !throttled && resume > now {
                self.counters.waited(resume - now);
                tokio::time::sleep_until(resume).await;
            }
            attempt += 1;
        }
    }

    /// Tells the observer, if any, that a connection could not be opened and is tried again.
    fn report_connect_retry(
        &self,
        req: &Request,
        diagnosis: Diagnosis,
        attempt: u32,
        delay: Duration,
    ) {
        if let Some(observer) = &self.on_connect_retry {
            (observer.0)(&ConnectRetry {
                service: req.service,
                host: unreachable::host_of(&req.url),
                cause: diagnosis.cause.clone(),
                retry: attempt,
                max_retries: diagnosis.cure.max_retries(self.retry.max_attempts),
                delay,
            });
        }
    }

    /// The spacing the service's pressure signal asks for (none for a failed send).
    fn spacing(&self, sent: &Sent) -> Option<Duration> {
        let Sent::Response(r) = sent else {
            return None;
        };
        Some(
            pace::usage_from_headers(&r.headers)
                .map(|u| self.limits.spacing_for(u))
                .unwrap_or(Duration::ZERO),
        )
    }
}

fn log_retry(req: &Request, sent: &Sent, attempt: u32, delay: Duration, throttled: bool) {
    tracing::debug!(
        service = %req.service.name(),
        operation = %req.operation,
        attempt,
        status = sent.status(),
        delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
        throttled,
        "retrying"
    );
}

/// Buffers a response, at most `cap` bytes of it; `received_at` is when its head arrived (a
/// `Retry-After` counts from then).
async fn read(mut resp: reqwest::Response, req: &Request, cap: usize) -> Result<Sent, Error> {
    let status = resp.status();
    let headers = resp.headers().clone();
    let received_at = Instant::now();
    let too_large = || crate::body::too_large(cap).at(req.service, req.operation.clone());
    if resp.content_length().is_some_and(|n| n > cap as u64) {
        return Err(too_large());
    }
    let mut body = bytes::BytesMut::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) if body.len() + chunk.len() > cap => return Err(too_large()),
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) => break,
            Err(e) => return Ok(Sent::Lost(e)),
        }
    }
    Ok(Sent::Response(Response {
        status,
        headers,
        body: body.freeze(),
        received_at,
    }))
}

fn log_send(req: &Request, sent: &Sent, took: Duration) {
    let duration_ms = u64::try_from(took.as_millis()).unwrap_or(u64::MAX);
    match sent {
        Sent::Response(r) => tracing::debug!(
            service = %req.service.name(),
            operation = %req.operation,
            method = %req.method,
            path = %req.url.path(),
            status = r.status.as_u16(),
            duration_ms,
            request_id = %r.request_id().as_deref().unwrap_or("-"),
            "request"
        ),
        Sent::Unsent(e) | Sent::Lost(e) => tracing::debug!(
            service = %req.service.name(),
            operation = %req.operation,
            method = %req.method,
            path = %req.url.path(),
            duration_ms,
            error = %e,
            "request failed"
        ),
    }
}

/// Whether a connection failed on the server's certificate (not worth retrying).
fn is_certificate_error(e: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if let Some(tls) = s.downcast_ref::<rustls::Error>() {
            return matches!(
                tls,
                rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented
            );
        }
        if s.to_string().contains("invalid peer certificate") {
            return true;
        }
        source = s.source();
    }
    false
}

fn tls_error(req: &Request, e: reqwest::Error) -> Error {
    let host = req.url.host_str().unwrap_or("?");
    Error::new(
        ErrorKind::Network,
        format!("the TLS certificate of {host} is not trusted"),
    )
    .at(req.service, req.operation.clone())
    .with_source(e.without_url())
    .with_hint("if this is a local simulator, pass its CA certificate with --ca-file (TLS verification is never disabled)")
}
