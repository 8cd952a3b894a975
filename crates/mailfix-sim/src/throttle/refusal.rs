//! What throttling answers: headers for an admitted request, and the details of a refusal with the
//! headers and Graph body a 429 carries (shared by the middleware and the `$batch` handler).

use std::time::Duration;

use axum::http::StatusCode;

use super::buckets::BucketKind;
use super::cost::{GraphFamily, cost};
use crate::error::GraphError;
use crate::log::Service;

/// Response headers to add to an admitted request (`x-ms-resource-unit`,
/// `x-ms-throttle-limit-percentage`, `Rate-Limit-*`).
#[derive(Clone, Debug, Default)]
pub struct Admitted {
    /// Header name and value pairs.
    pub headers: Vec<(&'static str, String)>,
}

/// A refusal: answer 429 with these details.
#[derive(Clone, Debug)]
pub struct Throttled {
    /// Wall-clock time the client must wait (`Retry-After`, fractional seconds).
    pub retry_after: Duration,
    /// `x-ms-throttle-scope`, e.g. `Tenant_Application/ReadOnly/{appId}/{tenantId}`.
    pub scope: String,
    /// `x-ms-throttle-information`, e.g. `ResourceUnitLimitExceeded`; `ConcurrencyLimitExceeded` for
    /// an Exchange concurrency overflow.
    pub information: &'static str,
    /// The client came back before the end of a `Retry-After` it had been given for this bucket.
    pub early: bool,
}

impl Throttled {
    /// `Retry-After` as fractional seconds (`2.128`), at least one millisecond.
    pub fn retry_after_header(&self) -> String {
        retry_after_value(self.retry_after)
    }

    /// The headers of the 429: `Retry-After`, `x-ms-throttle-scope`, `x-ms-throttle-information`.
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        vec![
            ("Retry-After", self.retry_after_header()),
            ("x-ms-throttle-scope", self.scope.clone()),
            ("x-ms-throttle-information", self.information.to_owned()),
        ]
    }

    /// The Graph error of the 429 (docs/protocol.md §2.6 sample).
    pub fn graph_error(&self) -> GraphError {
        GraphError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequests",
            "Please retry again later.",
        )
    }

    /// Whether this is an Exchange concurrency overflow (answered with its own message).
    pub fn is_concurrency(&self) -> bool {
        self.information == "ConcurrencyLimitExceeded"
    }
}

/// A wall-clock duration as a `Retry-After` value in fractional seconds (at least `0.001`),
/// rounded up to the millisecond: a client that waits exactly the value it was told is never
/// early.
pub fn retry_after_value(wait: Duration) -> String {
    let ms = wait.as_nanos().div_ceil(1_000_000).max(1);
    let text = format!("{}.{:03}", ms / 1000, ms % 1000);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The bucket a request to `service` draws from first (where an injected 429 is remembered).
pub fn primary_bucket(service: Service, method: &http::Method, path: &str) -> Option<BucketKind> {
    match service {
        Service::Graph => Some(match cost(method, path).family {
            GraphFamily::Reports => BucketKind::Reports,
            GraphFamily::Directory => BucketKind::GraphUnits,
        }),
        Service::Exo => Some(BucketKind::ExoRate),
        Service::Login | Service::Control => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_fractional_seconds() {
        assert_eq!(retry_after_value(Duration::from_millis(2128)), "2.128");
        assert_eq!(retry_after_value(Duration::from_secs(5)), "5");
        assert_eq!(retry_after_value(Duration::ZERO), "0.001");
        assert_eq!(retry_after_value(Duration::from_micros(2_128_001)), "2.129");
        assert_eq!(retry_after_value(Duration::from_millis(250)), "0.25");
    }
}
