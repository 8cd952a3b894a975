//! Delivering notices to a webhook (`MAILFIX_WEBHOOK_URL`, or `webhook_url_file` in the config).
//! The URL is a secret (whoever has it can post to the channel): it is kept out of argv, logs,
//! errors and `Debug` output; messages name only its host. HTTPS is required except to loopback,
//! and the configured CA file is trusted as for the services. A failed delivery is tried again
//! (1 s, 2 s, 4 s apart, or after the `Retry-After` of a 429, at most 30 s) and then given up with
//! a warning: it never stops the guard.

use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt as _;
use futures::future::BoxFuture;
use mailfix_engine::guard::notify::{Format, Notice, Notifier};
use mailfix_engine::guard::{GuardEvent, GuardObserver};
use url::Url;

use super::metrics::Metrics;
use crate::error::CliError;

/// Attempts per notice.
const ATTEMPTS: u32 = 4;
/// The longest `Retry-After` honoured.
const LONGEST_WAIT: Duration = Duration::from_secs(30);

/// A webhook and how to reach it.
pub struct Webhook {
    url: Url,
    format: Format,
    http: reqwest::Client,
    observer: Arc<dyn GuardObserver>,
    metrics: Arc<Metrics>,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook")
            .field("host", &self.host())
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

impl Webhook {
    /// A webhook for `url` (from `source`, named in errors), in `format` or the one its host calls
    /// for, trusting `ca_file` besides the system roots.
    pub fn new(
        url: &str,
        source: &str,
        format: Option<Format>,
        ca_file: Option<&std::path::Path>,
        observer: Arc<dyn GuardObserver>,
        metrics: Arc<Metrics>,
    ) -> Result<Self, CliError> {
        let parsed = Url::parse(url.trim()).map_err(|e| {
            CliError::usage(format!(
                "the webhook URL (from {source}) is not a valid URL: {e}"
            ))
            .hint("set the whole URL your Teams workflow or Slack app gave, starting with https://")
        })?;
        let host = parsed.host_str().unwrap_or_default().to_owned();
        let loopback = matches!(host.as_str(), "localhost" | "127.0.0.1" | "[::1]" | "::1");
        if parsed.scheme() != "https" && !(parsed.scheme() == "http" && loopback) {
            return Err(CliError::usage(format!(
                "the webhook URL (from {source}) must use HTTPS (host {host})"
            ))
            .hint("use the https:// URL the webhook's service gave; plain HTTP is allowed only to loopback"));
        }
        let mut builder = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .user_agent(concat!("mailfix/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = ca_file {
            let pem = std::fs::read(path).map_err(|e| {
                CliError::usage(format!("cannot read the CA file {}", path.display())).cause(e)
            })?;
            let cert = reqwest::Certificate::from_pem(&pem).map_err(|e| {
                CliError::usage(format!(
                    "the CA file {} is not a PEM certificate",
                    path.display()
                ))
                .cause(e)
            })?;
            builder = builder.add_root_certificate(cert);
        }
        let http = builder
            .build()
            .map_err(|e| CliError::runtime("cannot set up the webhook client").cause(e))?;
        Ok(Webhook {
            format: format.unwrap_or_else(|| Format::for_host(&host)),
            url: parsed,
            http,
            observer,
            metrics,
        })
    }

    /// The webhook's host (all that is ever shown of its URL).
    pub fn host(&self) -> String {
        self.url.host_str().unwrap_or("?").to_owned()
    }

    /// The payload format used.
    pub fn format(&self) -> Format {
        self.format
    }

    async fn deliver(&self, notice: &Notice) {
        let body = self.format.render(notice);
        let mut last = String::new();
        for attempt in 1..=ATTEMPTS {
            let answer = self.http.post(self.url.clone()).json(&body).send().await;
            let wait = match answer {
                Ok(r) if r.status().is_success() => {
                    self.metrics.notified(true);
                    return;
                }
                Ok(r) => {
                    last = format!("answered {}", r.status());
                    retry_after(&r).unwrap_or(backoff(attempt))
                }
                // Without the URL: reqwest's errors would print it.
                Err(e) => {
                    last = e.without_url().to_string();
                    backoff(attempt)
                }
            };
            if attempt < ATTEMPTS {
                self.warn(format!(
                    "the {} webhook at {} {last}; trying again in {}s ({attempt}/{ATTEMPTS})",
                    name(self.format),
                    self.host(),
                    wait.as_secs()
                ));
                tokio::time::sleep(wait).await;
            }
        }
        self.metrics.notified(false);
        self.warn(format!(
            "gave up on notifying cycle {} to the {} webhook at {}: {last}",
            notice.cycle,
            name(self.format),
            self.host()
        ));
    }

    fn warn(&self, message: String) {
        self.observer.event(&GuardEvent::Warning { message });
    }
}

impl Notifier for Webhook {
    fn send<'a>(&'a self, notice: &'a Notice) -> BoxFuture<'a, ()> {
        self.deliver(notice).boxed()
    }
}

fn name(format: Format) -> &'static str {
    match format {
        Format::Teams => "Teams",
        Format::Slack => "Slack",
        Format::Json => "JSON",
    }
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_secs(1 << (attempt - 1).min(5))
}

fn retry_after(answer: &reqwest::Response) -> Option<Duration> {
    let seconds: u64 = answer
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds).min(LONGEST_WAIT))
}
