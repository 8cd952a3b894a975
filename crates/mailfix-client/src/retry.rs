//! The retry policy: which failures are retried, how long to wait, and when to give up.
//!
//! | failure                                   | idempotent request | not idempotent (e.g. POST create) |
//! |-------------------------------------------|--------------------|-----------------------------------|
//! | 429 Too Many Requests                     | retry (throttled)  | retry (throttled: not processed)  |
//! | Exchange "maximum number of concurrent requests" text (any status) | retry (throttled) | retry |
//! | 503 Service Unavailable                   | retry (throttled if `Retry-After`) | fail              |
//! | 408, 500, 502, 504                        | retry              | fail (outcome unknown)            |
//! | connection refused / DNS / TLS (not sent) | retry              | retry (never reached the service) |
//! | reset, timeout, body cut (sent)           | retry              | fail (outcome unknown)            |
//! | 401                                       | new token, once (not counted as a retry)               ||
//! | anything else                             | fail               | fail                              |
//!
//! Wait: the server's `Retry-After` when present (fractional seconds, integer seconds or an HTTP
//! date), otherwise exponential backoff with jitter. A throttled answer also moves the service's
//! "not before" instant (see `pace.rs`) so that concurrent requests wait too. The loop stops after
//! [`RetryPolicy::max_attempts`] sends or when the next wait would pass
//! [`RetryPolicy::max_elapsed`]; the last failure is then returned.

use std::time::{Duration, SystemTime};

/// Bounds and delays of the retry loop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Sends per request, first one included (default 10).
    pub max_attempts: u32,
    /// Total time one request may spend, waits included (default 15 min).
    pub max_elapsed: Duration,
    /// First backoff step when the server gives no `Retry-After` (default 500 ms).
    pub base_delay: Duration,
    /// Largest backoff step (default 60 s). `Retry-After` is honoured even when larger.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 10,
            max_elapsed: Duration::from_secs(15 * 60),
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The backoff bounds before attempt `retry` (1 = first retry): `[cap/2, cap]` where
    /// `cap = min(max_delay, base_delay * 2^(retry-1))`.
    pub fn backoff_bounds(&self, retry: u32) -> (Duration, Duration) {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1).min(30));
        let cap = self.base_delay.saturating_mul(factor).min(self.max_delay);
        (cap / 2, cap)
    }

    /// A jittered backoff delay within [`RetryPolicy::backoff_bounds`].
    pub fn backoff(&self, retry: u32) -> Duration {
        let (low, high) = self.backoff_bounds(retry);
        if high <= low {
            return high;
        }
        let micros = rand::random_range(low.as_micros()..=high.as_micros());
        Duration::from_micros(u64::try_from(micros).unwrap_or(u64::MAX))
    }
}

/// Whether repeating a request is safe. The rule for each write is written next to the operation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RetryMode {
    /// Repeating has the same effect as sending once (reads, PATCH of a value, DELETE, and
    /// Exchange address changes, which re-read before reporting a conflict).
    #[default]
    Idempotent,
    /// Repeating may do the work twice (Graph POST of a new authentication method): retried
    /// only when the service surely did not process it (429, or the connection never opened).
    NotIdempotent,
}

/// What one send produced, as far as retrying is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome<'a> {
    /// An HTTP response.
    Status {
        /// Status code.
        status: u16,
        /// Parsed `Retry-After`.
        retry_after: Option<Duration>,
        /// The body (for Exchange's plain-text concurrency message).
        body: &'a [u8],
    },
    /// The connection could not be opened: the request never reached the service.
    NotSent,
    /// The request was sent but no complete response came back (reset, timeout, cut body).
    Lost,
}

/// What to do after a send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Return the response as it is (success, or a failure not worth retrying).
    Done,
    /// Try again; `throttled` answers also hold back the whole service until `after`.
    Retry {
        /// The server's `Retry-After`, if any.
        after: Option<Duration>,
        /// Whether this was a throttling answer.
        throttled: bool,
    },
}

/// Exchange's throttling message, which may come as plain text with any status
/// (docs/protocol.md §1.7, ExoHelper).
const EXO_CONCURRENCY: &str = "maximum number of concurrent requests";

/// Whether a body carries Exchange's concurrency-limit message.
pub fn is_concurrency_message(body: &[u8]) -> bool {
    let text = String::from_utf8_lossy(&body[..body.len().min(4096)]);
    text.to_ascii_lowercase().contains(EXO_CONCURRENCY)
}

/// Classifies one send according to the table at the top of this module.
pub fn classify(outcome: Outcome<'_>, mode: RetryMode) -> Verdict {
    let idempotent = mode == RetryMode::Idempotent;
    match outcome {
        Outcome::NotSent => Verdict::Retry {
            after: None,
            throttled: false,
        },
        Outcome::Lost if idempotent => Verdict::Retry {
            after: None,
            throttled: false,
        },
        Outcome::Lost => Verdict::Done,
        Outcome::Status {
            status,
            retry_after,
            body,
        } => {
            if (200..300).contains(&status) {
                return Verdict::Done;
            }
            if status == 429 || is_concurrency_message(body) {
                return Verdict::Retry {
                    after: retry_after,
                    throttled: true,
                };
            }
            match status {
                503 if idempotent => Verdict::Retry {
                    after: retry_after,
                    throttled: retry_after.is_some(),
                },
                408 | 500 | 502 | 504 if idempotent => Verdict::Retry {
                    after: retry_after,
                    throttled: false,
                },
                _ => Verdict::Done,
            }
        }
    }
}

/// Parses a `Retry-After` value: fractional seconds (`2.128`), integer seconds, or an HTTP date
/// (relative to `now`; a date in the past means zero).
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0)
            .then(|| Duration::try_from_secs_f64(secs).ok())
            .flatten();
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(status: u16, retry_after: Option<f64>) -> Outcome<'static> {
        Outcome::Status {
            status,
            retry_after: retry_after.map(Duration::from_secs_f64),
            body: b"",
        }
    }

    #[test]
    fn retry_after_accepts_float_integer_and_http_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(
            parse_retry_after("2.128", now),
            Some(Duration::from_millis(2128))
        );
        assert_eq!(
            parse_retry_after(" 10 ", now),
            Some(Duration::from_secs(10))
        );
        let later = httpdate::fmt_http_date(now + Duration::from_secs(7));
        assert_eq!(parse_retry_after(&later, now), Some(Duration::from_secs(7)));
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(7));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        for bad in ["-1", "soon", "", "NaN", "inf"] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad}");
        }
    }

    #[test]
    fn classification_table() {
        use RetryMode::{Idempotent as I, NotIdempotent as N};
        let retry = |after: Option<f64>, throttled| Verdict::Retry {
            after: after.map(Duration::from_secs_f64),
            throttled,
        };
        let table: Vec<(Outcome<'static>, RetryMode, Verdict)> = vec![
            (status(200, None), I, Verdict::Done),
            (status(201, None), N, Verdict::Done),
            (status(429, Some(2.5)), I, retry(Some(2.5), true)),
            (status(429, None), N, retry(None, true)),
            (status(503, Some(1.0)), I, retry(Some(1.0), true)),
            (status(503, None), I, retry(None, false)),
            (status(503, Some(1.0)), N, Verdict::Done),
            (status(408, None), I, retry(None, false)),
            (status(500, None), I, retry(None, false)),
            (status(502, None), I, retry(None, false)),
            (status(504, None), I, retry(None, false)),
            (status(500, None), N, Verdict::Done),
            (status(504, None), N, Verdict::Done),
            (status(400, None), I, Verdict::Done),
            (status(401, None), I, Verdict::Done),
            (status(403, None), I, Verdict::Done),
            (status(404, None), I, Verdict::Done),
            (status(409, None), I, Verdict::Done),
            (status(501, None), I, Verdict::Done),
            (Outcome::NotSent, I, retry(None, false)),
            (Outcome::NotSent, N, retry(None, false)),
            (Outcome::Lost, I, retry(None, false)),
            (Outcome::Lost, N, Verdict::Done),
        ];
        for (outcome, mode, want) in table {
            assert_eq!(classify(outcome, mode), want, "{outcome:?} {mode:?}");
        }
    }

    #[test]
    fn exchange_concurrency_text_is_throttling_whatever_the_status() {
        let body = b"You have reached the maximum number of concurrent requests per tenant. Please wait and try again";
        for code in [400, 500, 503] {
            let outcome = Outcome::Status {
                status: code,
                retry_after: None,
                body,
            };
            assert_eq!(
                classify(outcome, RetryMode::NotIdempotent),
                Verdict::Retry {
                    after: None,
                    throttled: true
                }
            );
        }
    }

    #[test]
    fn backoff_grows_exponentially_within_jitter_bounds_and_is_capped() {
        let p = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            ..RetryPolicy::default()
        };
        assert_eq!(
            p.backoff_bounds(1),
            (Duration::from_millis(50), Duration::from_millis(100))
        );
        assert_eq!(
            p.backoff_bounds(3),
            (Duration::from_millis(200), Duration::from_millis(400))
        );
        assert_eq!(
            p.backoff_bounds(10),
            (Duration::from_millis(500), Duration::from_secs(1))
        );
        assert_eq!(p.backoff_bounds(u32::MAX).1, Duration::from_secs(1));
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..200 {
            let d = p.backoff(3);
            assert!(
                d >= Duration::from_millis(200) && d <= Duration::from_millis(400),
                "{d:?}"
            );
            seen.insert(d);
        }
        assert!(seen.len() > 10, "jitter should vary the delay");
    }
}
