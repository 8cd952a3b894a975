//! What every report says at its top: the tenant, the command, the scope, the run id, the mailfix
//! version and when the report was made.

use chrono::{DateTime, Utc};

use super::format::iso;
use crate::connect::Context;

/// The top of a report.
#[derive(Clone, Debug)]
pub struct Header {
    /// The page title, e.g. `mailfix fix: run rhkyz2`.
    pub title: String,
    /// Tenant id or domain.
    pub tenant: String,
    /// The command as typed, without its flags' values (e.g. `fix --resume`).
    pub command: String,
    /// Whom the command looked at.
    pub scope: String,
    /// The run id, when the command made or showed one.
    pub run: Option<String>,
    /// mailfix's version.
    pub version: &'static str,
    /// When the report was made (UTC, ISO 8601).
    pub generated: String,
}

impl Header {
    /// A header for `command` on `scope`, with the tenant from the settings.
    pub fn new(ctx: &Context, command: &str, scope: impl Into<String>) -> Self {
        let tenant = ctx.settings.tenant.as_ref().map(|t| t.value.clone());
        Header::at(Utc::now(), tenant, command, scope)
    }

    /// A header made at `now`.
    pub fn at(
        now: DateTime<Utc>,
        tenant: Option<String>,
        command: &str,
        scope: impl Into<String>,
    ) -> Self {
        Header {
            title: format!("mailfix {command}"),
            tenant: tenant.unwrap_or_else(|| "(not configured)".to_owned()),
            command: format!("mailfix {command}"),
            scope: scope.into(),
            run: None,
            version: env!("CARGO_PKG_VERSION"),
            generated: iso(now),
        }
    }

    /// The same header naming `run`.
    pub fn with_run(mut self, run: Option<impl ToString>) -> Self {
        self.run = run.map(|r| r.to_string());
        if let Some(run) = &self.run {
            self.title = format!("{}: run {run}", self.title);
        }
        self
    }
}
