//! The settings only `mailfix guard` reads: its webhook (the URL from `MAILFIX_WEBHOOK_URL`, or
//! from the file `webhook_url_file` names; never from a flag or the config itself, since whoever
//! has the URL can post to the channel), the webhook's payload format, and `unattended`, the
//! config's equivalent of `--yes` for `--mode remediate`.

use std::fmt;

use mailfix_engine::guard::notify::Format;

use super::config::Profile;
use super::resolution::{EnvLookup, Source, Sourced};
use crate::error::CliError;

/// A webhook URL. Its `Debug` and `Display` show the host only.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookUrl(String);

impl WebhookUrl {
    /// The URL itself, for the one place that sends to it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    fn host(&self) -> &str {
        let rest = self.0.split_once("://").map_or(self.0.as_str(), |(_, r)| r);
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        authority.rsplit('@').next().unwrap_or("")
    }
}

impl fmt::Debug for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WebhookUrl(https://{}/… redacted)", self.host())
    }
}

impl fmt::Display for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a webhook at {} (URL redacted)", self.host())
    }
}

/// Guard's settings.
#[derive(Clone, Debug, Default)]
pub struct GuardSettings {
    /// Where notices go.
    pub webhook_url: Option<Sourced<WebhookUrl>>,
    /// The payload format, when set.
    pub webhook_format: Option<Sourced<Format>>,
    /// `unattended = true`.
    pub unattended: Option<Sourced<bool>>,
}

/// Resolves guard's settings from the environment and the profile.
pub fn resolve(profile: &Profile, env: EnvLookup<'_>) -> Result<GuardSettings, CliError> {
    let nonempty = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    let webhook_url = match (nonempty("MAILFIX_WEBHOOK_URL"), &profile.webhook_url_file) {
        (Some(url), _) => Some(Sourced {
            value: WebhookUrl(url.trim().to_owned()),
            source: Source::Env,
        }),
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                CliError::usage(format!("cannot read the webhook URL file {}", path.display()))
                    .cause(e)
                    .hint("webhook_url_file in the config profile names a file holding the webhook URL (mode 0600), or set MAILFIX_WEBHOOK_URL")
            })?;
            Some(Sourced {
                value: WebhookUrl(text.trim().to_owned()),
                source: Source::Config,
            })
        }
        (None, None) => None,
    };
    let format = match (nonempty("MAILFIX_WEBHOOK_FORMAT"), &profile.webhook_format) {
        (Some(f), _) => Some((f, Source::Env)),
        (None, Some(f)) => Some((f.clone(), Source::Config)),
        (None, None) => None,
    };
    let webhook_format = format
        .map(|(text, source)| {
            let value = match text.trim().to_ascii_lowercase().as_str() {
                "teams" => Format::Teams,
                "slack" => Format::Slack,
                "json" => Format::Json,
                _ => {
                    return Err(CliError::usage(format!(
                        "unknown webhook format '{text}' (from {source})"
                    ))
                    .hint("use one of: teams, slack, json"));
                }
            };
            Ok(Sourced { value, source })
        })
        .transpose()?;
    Ok(GuardSettings {
        webhook_url,
        webhook_format,
        unattended: profile.unattended.map(|value| Sourced {
            value,
            source: Source::Config,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_is_never_shown_whole() {
        let url = WebhookUrl(
            "https://contoso.webhook.office.com/webhookb2/abc@def/IncomingWebhook/SECRET?sig=XYZ"
                .into(),
        );
        for shown in [format!("{url:?}"), url.to_string()] {
            assert!(shown.contains("contoso.webhook.office.com"), "{shown}");
            assert!(
                !shown.contains("SECRET") && !shown.contains("XYZ"),
                "{shown}"
            );
        }
    }

    #[test]
    fn env_then_config_and_a_bad_format_names_its_source() {
        let profile = Profile::default();
        let env = |name: &str| match name {
            "MAILFIX_WEBHOOK_URL" => Some("https://hooks.slack.com/services/T/B/X".to_owned()),
            "MAILFIX_WEBHOOK_FORMAT" => Some("carrier-pigeon".to_owned()),
            _ => None,
        };
        let err = resolve(&profile, &env).unwrap_err();
        assert!(err.to_string().contains("carrier-pigeon"), "{err}");
        assert!(err.to_string().contains("env"), "{err}");
        let env =
            |name: &str| (name == "MAILFIX_WEBHOOK_URL").then(|| "https://x.example/h".to_owned());
        let settings = resolve(&profile, &env).unwrap();
        assert_eq!(
            settings.webhook_url.unwrap().value.expose(),
            "https://x.example/h"
        );
        assert!(settings.webhook_format.is_none());
    }
}
