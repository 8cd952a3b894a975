//! What guard tells people after a cycle that found something: one [`Notice`] per cycle, rendered
//! for where it goes ([`Format`]: a Microsoft Teams Adaptive Card, Slack Block Kit, or a plain JSON
//! document), and the [`Notifier`] that delivers it.

mod document;
mod notice;
mod slack;
mod teams;

pub use document::document;
pub use notice::{FixLine, Notice, NoticeFixes};
pub use slack::slack;
pub use teams::teams;

use futures::future::BoxFuture;
use serde::Serialize;

/// How many users a message lists per section before it says "and N more".
pub const LIST_LIMIT: usize = 15;

/// The payload format of a webhook.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// A Teams workflow or incoming webhook: a message with one Adaptive Card (1.5).
    Teams,
    /// A Slack incoming webhook: Block Kit blocks with a `text` fallback.
    Slack,
    /// Anything else: the notice as one JSON document.
    Json,
}

impl Format {
    /// The format a webhook URL's host calls for: Teams for `*.webhook.office.com`,
    /// `*.logic.azure.com` and `*.powerplatform.com` (workflows), Slack for `hooks.slack.com`,
    /// JSON otherwise.
    pub fn for_host(host: &str) -> Format {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let under = |domain: &str| host == domain || host.ends_with(&format!(".{domain}"));
        if ["webhook.office.com", "logic.azure.com", "powerplatform.com"]
            .iter()
            .any(|d| under(d))
        {
            Format::Teams
        } else if under("hooks.slack.com") {
            Format::Slack
        } else {
            Format::Json
        }
    }

    /// The payload for `notice`.
    pub fn render(self, notice: &Notice) -> serde_json::Value {
        match self {
            Format::Teams => teams(notice),
            Format::Slack => slack(notice),
            Format::Json => document(notice),
        }
    }
}

/// Delivers notices. Implementations retry and log their own failures: a notice that cannot be
/// delivered never stops the guard, so `send` has no error to return.
pub trait Notifier: Send + Sync {
    /// Sends one notice.
    fn send<'a>(&'a self, notice: &'a Notice) -> BoxFuture<'a, ()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_decides_the_format() {
        for (host, format) in [
            ("prod-12.westus.logic.azure.com", Format::Teams),
            ("contoso.webhook.office.com", Format::Teams),
            (
                "default123.environment.api.powerplatform.com",
                Format::Teams,
            ),
            ("hooks.slack.com", Format::Slack),
            ("HOOKS.SLACK.COM.", Format::Slack),
            ("notslack.com", Format::Json),
            ("hooks.slack.com.evil.example", Format::Json),
            ("127.0.0.1", Format::Json),
        ] {
            assert_eq!(Format::for_host(host), format, "{host}");
        }
    }
}
