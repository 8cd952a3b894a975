//! A webhook receiver for tests and for trying `mailfix guard` locally: what a Microsoft Teams
//! workflow, a Slack incoming webhook or any other HTTPS endpoint would receive. Deliveries are
//! kept per channel (the last path segment of `/_sim/webhooks/{channel}`) with the simulated time
//! they arrived; the next N deliveries of a channel can be told to fail, to try retries.

use std::collections::BTreeMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::Serialize;

/// One delivery as received.
#[derive(Clone, Debug, Serialize)]
pub struct Delivery {
    /// Simulated time of arrival.
    pub at: DateTime<Utc>,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The `User-Agent` header.
    pub user_agent: Option<String>,
    /// The body as JSON (`null` when it is not JSON; see `text`).
    pub json: serde_json::Value,
    /// The body as text.
    pub text: String,
    /// The status it was answered with.
    pub status: u16,
}

#[derive(Debug, Default)]
struct Channel {
    deliveries: Vec<Delivery>,
    /// Statuses for the next deliveries, in order.
    failures: Vec<u16>,
}

/// Every channel's deliveries and pending failures.
#[derive(Debug, Default)]
pub struct Webhooks {
    channels: Mutex<BTreeMap<String, Channel>>,
}

impl Webhooks {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Channel>> {
        self.channels
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records a delivery and decides its status: the next queued failure, else `ok`.
    pub fn receive(&self, channel: &str, mut delivery: Delivery, ok: u16) -> u16 {
        let mut channels = self.lock();
        let entry = channels.entry(channel.to_owned()).or_default();
        let status = match entry.failures.is_empty() {
            true => ok,
            false => entry.failures.remove(0),
        };
        delivery.status = status;
        entry.deliveries.push(delivery);
        status
    }

    /// Answers the next `count` deliveries of `channel` with `status`.
    pub fn fail_next(&self, channel: &str, count: usize, status: u16) {
        let mut channels = self.lock();
        let entry = channels.entry(channel.to_owned()).or_default();
        entry.failures.extend(std::iter::repeat_n(status, count));
    }

    /// The deliveries of `channel`, oldest first.
    pub fn deliveries(&self, channel: &str) -> Vec<Delivery> {
        self.lock()
            .get(channel)
            .map(|c| c.deliveries.clone())
            .unwrap_or_default()
    }

    /// Forgets every delivery and failure.
    pub fn clear(&self) {
        self.lock().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(text: &str) -> Delivery {
        Delivery {
            at: Utc::now(),
            content_type: None,
            user_agent: None,
            json: serde_json::Value::Null,
            text: text.to_owned(),
            status: 0,
        }
    }

    #[test]
    fn failures_answer_the_next_deliveries_then_ok() {
        let hooks = Webhooks::default();
        hooks.fail_next("teams", 2, 503);
        let statuses: Vec<u16> = (0..3)
            .map(|i| hooks.receive("teams", delivery(&i.to_string()), 202))
            .collect();
        assert_eq!(statuses, [503, 503, 202]);
        let kept = hooks.deliveries("teams");
        assert_eq!(kept.len(), 3);
        assert_eq!(kept[2].status, 202);
        assert!(hooks.deliveries("slack").is_empty());
        hooks.clear();
        assert!(hooks.deliveries("teams").is_empty());
    }
}
