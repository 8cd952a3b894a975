//! The `Retry-After` each request was told, by the client's `client-request-id` (which retries of
//! the same request repeat, as Graph SDKs and mailfix do): a retry that comes back before its
//! `Retry-After` elapsed is `early`. Requests that were already in flight when another one was
//! throttled are not early by this rule (the bucket rule in `buckets.rs` covers clients that send
//! no request id).

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::buckets::Throttle;
use crate::clock::SimClock;

/// A request's `client-request-id`, if it sent one.
pub fn client_request_id(headers: &http::HeaderMap) -> Option<String> {
    headers
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

impl Throttle {
    /// Remembers that the request `request_id` of `app` was answered at `now` with the
    /// `Retry-After` header value `retry_after` (fractional wall-clock seconds). Entries whose
    /// wait is over are dropped.
    pub fn note_told(
        &self,
        app: &str,
        request_id: &str,
        retry_after: &str,
        now: DateTime<Utc>,
        clock: &SimClock,
    ) {
        let Some(wait) = retry_after
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(|s| Duration::try_from_secs_f64(s).ok())
        else {
            return;
        };
        let until = now + crate::clock::chrono_duration(clock.to_sim(wait));
        let mut inner = self.lock();
        inner.told.retain(|_, end| *end > now);
        inner
            .told
            .insert((app.to_owned(), request_id.to_ascii_lowercase()), until);
    }

    /// Whether the request `request_id` of `app` comes back at `now` before the end of a
    /// `Retry-After` it was given.
    pub fn came_back_early(&self, app: &str, request_id: &str, now: DateTime<Utc>) -> bool {
        self.lock()
            .told
            .get(&(app.to_owned(), request_id.to_ascii_lowercase()))
            .is_some_and(|until| now < *until)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::throttle::Limits;

    #[test]
    fn a_retry_is_early_until_its_own_retry_after_ends() {
        let clock = SimClock::new(1.0);
        let throttle = Throttle::new(Limits::default(), "t");
        let now = clock.now();
        throttle.note_told("app", "ABC", "2.5", now, &clock);
        let later = |s: i64| now + chrono::Duration::milliseconds(s);
        assert!(throttle.came_back_early("app", "abc", later(2_499)));
        assert!(!throttle.came_back_early("app", "abc", later(2_500)));
        assert!(!throttle.came_back_early("app", "other", later(1)));
        assert!(!throttle.came_back_early("other-app", "abc", later(1)));
        throttle.note_told("app", "bad", "soon", now, &clock);
        assert!(!throttle.came_back_early("app", "bad", later(1)));
    }
}
