//! The flags of `mailfix guard`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::cli::{FailOn, ScopeArgs};

/// What guard does with what it finds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    /// Log findings.
    Report,
    /// Log, and send one notification per cycle that found something.
    Alert,
    /// Alert, and fix MF001 users through the journal (needs --yes without a terminal).
    Remediate,
}

/// The payload format of the webhook.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum WebhookFormatArg {
    /// A Teams workflow or incoming webhook (Adaptive Card).
    Teams,
    /// A Slack incoming webhook (Block Kit).
    Slack,
    /// A JSON document.
    Json,
}

/// `mailfix guard`.
#[derive(Debug, Args)]
pub struct GuardArgs {
    /// Whom to watch.
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// What to do with findings.
    #[arg(long, value_enum, default_value_t = ModeArg::Report)]
    pub mode: ModeArg,
    /// Time between the starts of two cycles [default: 5m].
    #[arg(long, value_name = "DURATION", conflicts_with = "once")]
    pub interval: Option<String>,
    /// Run one cycle and exit (for cron, Task Scheduler, CI or a Kubernetes CronJob).
    #[arg(long)]
    pub once: bool,
    /// MF001 users one cycle may start fixing; the rest wait for the next cycle.
    #[arg(long, value_name = "N", default_value_t = mailfix_engine::guard::DEFAULT_MAX_CHANGES_PER_CYCLE)]
    pub max_changes_per_cycle: usize,
    /// Let --mode remediate change the tenant without asking (required without a terminal; the
    /// config's `unattended = true` does the same).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// With --once: exit 3 when findings of this severity or worse are open at the end.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// Read the whole scope at least this often, to see users added to a scope group without a
    /// change of their own [default: 24h; `never` to read it only at the first cycle].
    #[arg(long, value_name = "DURATION")]
    pub full_scan_every: Option<String>,
    /// Serve /healthz and /metrics on this address (loopback only unless --listen-allow-remote).
    #[arg(long, value_name = "IP:PORT")]
    pub listen: Option<String>,
    /// Allow --listen on a non-loopback address (the endpoints have no authentication).
    #[arg(long, requires = "listen")]
    pub listen_allow_remote: bool,
    /// The webhook's payload format [default: by the URL's host: Teams, Slack, else JSON]
    /// [env: MAILFIX_WEBHOOK_FORMAT].
    #[arg(long, value_enum)]
    pub webhook_format: Option<WebhookFormatArg>,
    /// Temporary address template of remediation: {alias}, {run}, {domain}, {upn_local}.
    #[arg(long, value_name = "TEMPLATE")]
    pub alias_template: Option<String>,
    /// Domain of the temporary address [default: the tenant's initial *.onmicrosoft.com domain].
    #[arg(long, value_name = "DOMAIN")]
    pub alias_domain: Option<String>,
    /// How often remediation polls users waiting for their write-back [default: 30s].
    #[arg(long, value_name = "DURATION")]
    pub poll_interval: Option<String>,
    /// How long remediation waits for a write-back before the user is stuck [default: 15m].
    #[arg(long, value_name = "DURATION")]
    pub fix_timeout: Option<String>,
    /// Exchange changes at once during remediation [default: 3].
    #[arg(long, value_name = "N")]
    pub concurrency: Option<usize>,
    /// Also write each cycle's report as one self-contained HTML file (it names users: readable by
    /// you only). `{cycle}` in PATH is the cycle's number, one file per cycle; without it, the
    /// file is replaced every cycle.
    #[arg(long, value_name = "PATH")]
    pub html: Option<PathBuf>,
}
