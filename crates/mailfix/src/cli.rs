//! The command line as clap parses it: global connection options, the scope options shared by
//! `scan`, `fix`, `cleanup`, `seed` and `audit`, and one argument struct per subcommand. Nothing here
//! is interpreted: `settings/` resolves these raw values (with env, config file and defaults).
//!
//! Help layout: a command's own options come first, then its scope, then the connection options
//! and the global options under their own headings; every default is shown; each command's help
//! ends with its exit codes.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Find and fix Microsoft 365 accounts that cannot finish SSPR/MFA registration.
#[derive(Debug, Parser)]
#[command(name = "mailfix", version, about, long_about = None, propagate_version = true,
          after_help = crate::exit::help::GENERAL)]
pub struct Cli {
    /// Options that say how to connect and how to print.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Connection and output options, valid for every command that signs in (`sim` and `demo` refuse
/// them: they bring their own tenant).
#[derive(Debug, Default, Args)]
pub struct GlobalArgs {
    /// Named profile of the config file [env: MAILFIX_PROFILE] [default: the file's
    /// default_profile, else its [defaults]].
    #[arg(long, global = true, value_name = "NAME", help_heading = CONNECTION)]
    pub profile: Option<String>,
    /// Config file (TOML) [env: MAILFIX_CONFIG] [default: $XDG_CONFIG_HOME/mailfix/config.toml].
    #[arg(long, global = true, value_name = "PATH", help_heading = CONNECTION)]
    pub config: Option<PathBuf>,
    /// Microsoft cloud: global, usgov-high, usgov-dod, china [env: MAILFIX_CLOUD] [default: global].
    #[arg(long, global = true, value_name = "CLOUD", help_heading = CONNECTION)]
    pub cloud: Option<String>,
    /// Tenant id or domain [env: MAILFIX_TENANT].
    #[arg(long, global = true, value_name = "TENANT", help_heading = CONNECTION)]
    pub tenant: Option<String>,
    /// App (client) id [env: MAILFIX_CLIENT_ID].
    #[arg(long, global = true, value_name = "ID", help_heading = CONNECTION)]
    pub client_id: Option<String>,
    /// File holding the client secret (the secret itself comes from MAILFIX_CLIENT_SECRET or a file,
    /// never from the command line) [default: MAILFIX_CLIENT_SECRET].
    #[arg(long, global = true, value_name = "PATH", help_heading = CONNECTION)]
    pub client_secret_file: Option<PathBuf>,
    /// Certificate for sign-in: PEM (certificate and key) or PFX [env: MAILFIX_CERTIFICATE]; a PFX
    /// password comes from MAILFIX_CERTIFICATE_PASSWORD.
    #[arg(long, global = true, value_name = "PATH", help_heading = CONNECTION)]
    pub certificate: Option<PathBuf>,
    /// Private key PEM when it is not in the certificate file.
    #[arg(long, global = true, value_name = "PATH", help_heading = CONNECTION)]
    pub certificate_key: Option<PathBuf>,
    /// Sign-in authority host override [env: MAILFIX_LOGIN_URL] [default: the cloud's].
    #[arg(long, global = true, value_name = "URL", help_heading = CONNECTION)]
    pub login_url: Option<String>,
    /// Graph base URL override [env: MAILFIX_GRAPH_URL] [default: the cloud's].
    #[arg(long, global = true, value_name = "URL", help_heading = CONNECTION)]
    pub graph_url: Option<String>,
    /// Exchange admin API base URL override [env: MAILFIX_EXO_URL] [default: the cloud's].
    #[arg(long, global = true, value_name = "URL", help_heading = CONNECTION)]
    pub exo_url: Option<String>,
    /// Extra trusted root CA (PEM), e.g. the simulator's [env: MAILFIX_CA_FILE] [default: the
    /// system's roots only].
    #[arg(long, global = true, value_name = "PATH", help_heading = CONNECTION)]
    pub ca_file: Option<PathBuf>,
    /// How long one request may keep retrying (network failures, throttling), e.g. 30s, 5m
    /// [env: MAILFIX_RETRY_MAX_ELAPSED] [default: 15m].
    #[arg(long, global = true, value_name = "DURATION", help_heading = CONNECTION)]
    pub retry_max_elapsed: Option<String>,
    /// Journal database [env: MAILFIX_JOURNAL] [default: $XDG_STATE_HOME/mailfix/journal.db].
    #[arg(long, global = true, value_name = "PATH", help_heading = GLOBAL)]
    pub journal: Option<PathBuf>,
    /// Output format [default: table on a terminal, json otherwise].
    #[arg(short = 'o', long, global = true, value_enum, value_name = "FORMAT", help_heading = GLOBAL)]
    pub output: Option<OutputFormat>,
    /// No progress display and no status lines (errors and warnings still go to stderr).
    #[arg(short, long, global = true, help_heading = GLOBAL)]
    pub quiet: bool,
    /// Log to stderr: -v each request (method, path, status, duration, request id) and retry;
    /// -vv also each connection opened or reused; -vvv also each HTTP/2 frame (never header values
    /// or bodies) and the TLS set-up.
    #[arg(short, long, global = true, action = clap::ArgAction::Count, help_heading = GLOBAL)]
    pub verbose: u8,
    /// Write every request and answer to a HAR file (readable only by you) to attach to a bug
    /// report: tokens, secrets and assertions redacted, phone numbers and personal emails masked
    /// [default: no trace].
    #[arg(long, global = true, value_name = "PATH", help_heading = GLOBAL)]
    pub trace: Option<PathBuf>,
    /// With --trace: keep phone numbers and personal email addresses as they were sent.
    #[arg(long, global = true, requires = "trace", help_heading = GLOBAL)]
    pub trace_unmasked: bool,
}

/// The help heading of the connection options.
pub const CONNECTION: &str = "Connection options";
/// The help heading of the journal and output options.
pub const GLOBAL: &str = "Global options";
/// The help heading of the scope options.
pub const SCOPE: &str = "Scope";

/// Output formats for data on stdout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// A human-readable table and summary.
    Table,
    /// One JSON document.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// Comma-separated values with a header row.
    Csv,
}

impl OutputFormat {
    /// The format for the `-o` flag: the flag's, else a table on a terminal and JSON off one.
    pub fn or_default(flag: Option<Self>, stdout_is_terminal: bool) -> Self {
        flag.unwrap_or(match stdout_is_terminal {
            true => Self::Table,
            false => Self::Json,
        })
    }
}

/// Whom to look at.
#[derive(Debug, Default, Clone, Args)]
pub struct ScopeArgs {
    /// A group by display name or id; members are resolved transitively (repeatable).
    #[arg(long = "group", value_name = "NAME|ID", help_heading = SCOPE)]
    pub groups: Vec<String>,
    /// Every user of the tenant.
    #[arg(long, help_heading = SCOPE)]
    pub all_users: bool,
    /// A user by UPN or id (repeatable).
    #[arg(long = "user", value_name = "UPN|ID", help_heading = SCOPE)]
    pub users: Vec<String>,
    /// A file with one UPN or id per line (`-` reads standard input).
    #[arg(long, value_name = "PATH", help_heading = SCOPE)]
    pub users_file: Option<PathBuf>,
    /// Include disabled accounts.
    #[arg(long, help_heading = SCOPE)]
    pub include_disabled: bool,
    /// Include guests.
    #[arg(long, help_heading = SCOPE)]
    pub include_guests: bool,
}

impl ScopeArgs {
    /// The engine's scope request (field by field; resolution happens in the engine).
    pub fn to_spec(&self) -> mailfix_engine::scope::ScopeSpec {
        mailfix_engine::scope::ScopeSpec {
            groups: self.groups.clone(),
            all_users: self.all_users,
            users: self.users.clone(),
            users_file: self.users_file.clone(),
            include_disabled: self.include_disabled,
            include_guests: self.include_guests,
        }
    }
}

/// `--html PATH`: the report as one self-contained HTML file.
#[derive(Debug, Default, Clone, Args)]
pub struct HtmlArgs {
    /// Also write the report as one self-contained HTML file (charts, tables, links to the Entra
    /// admin center; it names users, so it is written readable by you only) [default: none].
    #[arg(long = "html", value_name = "PATH")]
    pub path: Option<PathBuf>,
}

/// Confirmation and limits for commands that write.
#[derive(Debug, Default, Clone, Args)]
pub struct WriteArgs {
    /// Show the plan and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask for confirmation (required without a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Refuse plans with more changes than this [default: no limit].
    #[arg(long, value_name = "N")]
    pub max_changes: Option<usize>,
    /// How many changes run at once [default: 3 for fix and cleanup, 8 for seed].
    #[arg(long, value_name = "N")]
    pub concurrency: Option<usize>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Find users who cannot complete SSPR/MFA registration, and say why and how to fix each.
    #[command(after_help = crate::exit::help::SCAN)]
    Scan(ScanArgs),
    /// Force Exchange to write `mail` back for affected users, watch, and remove the temporary alias.
    #[command(after_help = crate::exit::help::FIX)]
    Fix(FixArgs),
    /// Remove temporary aliases left behind by earlier runs (and by the original script).
    #[command(after_help = crate::exit::help::CLEANUP)]
    Cleanup(CleanupArgs),
    /// List runs recorded in the journal, or show one.
    #[command(after_help = crate::exit::help::RUNS)]
    Runs(RunsArgs),
    /// Pre-seed SSPR authentication methods (mobile phone, alternate email) from an HR export.
    #[command(after_help = crate::exit::help::SEED)]
    Seed(SeedArgs),
    /// Explain registration failures from the directory audit log, correlated with `mail`.
    #[command(after_help = crate::exit::help::AUDIT)]
    Audit(AuditArgs),
    /// Check or establish the identity mailfix signs in with.
    #[command(subcommand, after_help = crate::exit::help::AUTH)]
    Auth(AuthCommand),
    /// Keep a scope healthy continuously: detect new and changed users with delta queries, and
    /// report, alert or remediate.
    Guard(crate::commands::guard::GuardArgs),
    /// Run the local Microsoft 365 simulator (sign-in, Graph, Exchange admin API).
    #[command(after_help = crate::exit::help::SIM)]
    Sim(crate::commands::sim::SimArgs),
    /// The whole story end to end against an embedded simulator.
    #[command(after_help = crate::exit::help::DEMO)]
    Demo(DemoArgs),
}

/// `mailfix scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Whom to scan.
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// Also read authentication methods (MF006).
    #[arg(long)]
    pub methods: bool,
    /// Also read the registration report (MF007).
    #[arg(long)]
    pub registration: bool,
    /// Exit 3 when findings of this severity or worse exist.
    #[arg(long, value_enum, value_name = "LEVEL", default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// The HTML report.
    #[command(flatten)]
    pub html: HtmlArgs,
}

/// Severity threshold for `scan`'s exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Exit 3 on error findings.
    Error,
    /// Exit 3 on warning or error findings.
    Warning,
    /// Never exit 3.
    Never,
}

/// `mailfix fix`.
#[derive(Debug, Args)]
#[command(mut_arg("concurrency", |a| a.help("How many changes run at once [default: 3]")))]
pub struct FixArgs {
    /// Whom to fix.
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// Confirmation and limits.
    #[command(flatten)]
    pub write: WriteArgs,
    /// Temporary address template: {alias}, {run}, {domain}, {upn_local}
    /// [default: {alias}.mailfix-{run}@{domain}].
    #[arg(long, value_name = "TEMPLATE")]
    pub alias_template: Option<String>,
    /// Domain of the temporary address [default: the tenant's initial *.onmicrosoft.com domain].
    #[arg(long, value_name = "DOMAIN")]
    pub alias_domain: Option<String>,
    /// How often to poll pending users, at least 5s (scaled by MAILFIX_REPORTS_WINDOW against a
    /// simulator with a faster clock) [default: 30s].
    #[arg(long, value_name = "DURATION")]
    pub poll_interval: Option<String>,
    /// Give up watching after this long [default: 30m].
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,
    /// What to do with aliases of users still pending at the timeout [default: remove].
    #[arg(long, value_enum, value_name = "ACTION")]
    pub on_timeout: Option<OnTimeout>,
    /// Leave the temporary aliases in place after write-back.
    #[arg(long)]
    pub keep_aliases: bool,
    /// Resume a run with the options it recorded (its --yes included) [default: the latest
    /// unfinished one].
    #[arg(long, value_name = "RUN", num_args = 0..=1, default_missing_value = "")]
    pub resume: Option<String>,
    /// The HTML report.
    #[command(flatten)]
    pub html: HtmlArgs,
}

/// What `fix` does with users still pending at its timeout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OnTimeout {
    /// Remove their temporary aliases.
    Remove,
    /// Keep them for a later `fix --resume`.
    Keep,
}

/// `mailfix cleanup`.
#[derive(Debug, Args)]
#[command(mut_arg("concurrency", |a| a.help("How many changes run at once [default: 3]")))]
pub struct CleanupArgs {
    /// Where `--sweep` searches.
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// Confirmation and limits.
    #[command(flatten)]
    pub write: WriteArgs,
    /// Only this run's aliases [default: every run].
    #[arg(long, value_name = "RUN")]
    pub run: Option<String>,
    /// Also remove temporary aliases found in the scope that the journal does not know (mailfix's
    /// marker followed by a run id, and the original script's .forcemailwriteback@ ones).
    #[arg(long)]
    pub sweep: bool,
    /// The HTML report.
    #[command(flatten)]
    pub html: HtmlArgs,
}

/// `mailfix runs`.
#[derive(Debug, Args)]
pub struct RunsArgs {
    /// `show ID` for one run.
    #[command(subcommand)]
    pub show: Option<RunsCommand>,
}

/// `mailfix runs show`.
#[derive(Debug, Subcommand)]
pub enum RunsCommand {
    /// One run's items and timings.
    #[command(after_help = crate::exit::help::RUNS)]
    Show {
        /// The run id.
        run: String,
        /// The HTML report.
        #[command(flatten)]
        html: HtmlArgs,
    },
}

/// `mailfix seed`.
#[derive(Debug, Args)]
#[command(mut_arg("concurrency", |a| a.help("How many changes run at once [default: 8]")))]
pub struct SeedArgs {
    /// The HR export (CSV with a header row). With --resume: the run's file (default: the path it
    /// recorded).
    #[arg(required_unless_present = "resume")]
    pub file: Option<PathBuf>,
    /// Column mapping, e.g. `upn=Email,mobile=Mobile,email=PersonalEmail` (fields: upn, mobile,
    /// alternate_mobile, email) [default: found by header name].
    #[arg(long, value_name = "MAP")]
    pub map: Option<String>,
    /// Field delimiter: one character, or `tab` [default: detected: `,`, `;` or tab].
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<String>,
    /// Region for national phone numbers, e.g. AU [default: none: numbers need a country code].
    #[arg(long, value_name = "REGION")]
    pub default_region: Option<String>,
    /// Update methods whose value differs (otherwise reported as conflicts).
    #[arg(long)]
    pub update: bool,
    /// Write one line per input row with its outcome (CSV).
    #[arg(long, value_name = "PATH")]
    pub report: Option<PathBuf>,
    /// Resume a run with the options it recorded (its --yes included) [default: the latest
    /// unfinished one].
    #[arg(long, value_name = "RUN", num_args = 0..=1, default_missing_value = "",
          conflicts_with_all = ["map", "delimiter", "default_region", "update"])]
    pub resume: Option<String>,
    /// Confirmation and limits.
    #[command(flatten)]
    pub write: WriteArgs,
    /// The HTML report.
    #[command(flatten)]
    pub html: HtmlArgs,
}

/// `mailfix audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Limit to a scope; its users without attempts count as `no-attempt` (default: every user
    /// the events name).
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// How far back to read, e.g. 14d, 36h [default: 14d; a --from-file is read whole].
    #[arg(long, value_name = "DURATION", conflicts_with = "from")]
    pub since: Option<String>,
    /// Start of the period (ISO 8601: 2024-05-01 or 2024-05-01T08:00:00Z) [default: --since].
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,
    /// End of the period (ISO 8601) [default: now].
    #[arg(long, value_name = "TIME")]
    pub to: Option<String>,
    /// Read the portal's audit log download (JSON or CSV) instead of the API.
    #[arg(long, value_name = "PATH")]
    pub from_file: Option<PathBuf>,
    /// Write the failing users' UPNs, one per line, for `fix --users-file`.
    #[arg(long, value_name = "PATH")]
    pub failing_users_file: Option<PathBuf>,
    /// The HTML report.
    #[command(flatten)]
    pub html: HtmlArgs,
}

/// `mailfix auth`.
#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Show the resolved settings and identity, the permissions each token carries, and which commands
    /// they allow.
    #[command(after_help = crate::exit::help::AUTH_CHECK)]
    Check(AuthCheckArgs),
    /// Sign in as a user with the device code flow and cache the refresh token (needs an app
    /// registration that allows public client flows).
    #[command(after_help = crate::exit::help::AUTH)]
    Login,
}

/// `mailfix auth check`.
#[derive(Debug, Default, Args)]
pub struct AuthCheckArgs {
    /// Exit 1 unless this command can run with the app's permissions (repeatable) [default: none:
    /// every command is reported and the exit is 0 when sign-in works].
    #[arg(long = "for", value_enum, value_name = "COMMAND")]
    pub commands: Vec<CheckedCommand>,
}

/// A command `auth check --for` asks about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CheckedCommand {
    /// `scan`.
    Scan,
    /// `scan --methods`.
    ScanMethods,
    /// `scan --registration`.
    ScanRegistration,
    /// `fix`.
    Fix,
    /// `cleanup`.
    Cleanup,
    /// `seed`.
    Seed,
    /// `audit`.
    Audit,
}

/// `mailfix demo`: it brings its own simulator, credentials and temporary journal, so the
/// connection options, `--journal` and `-o` do not apply (they are refused).
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Leave the simulator running afterwards and print how to connect, until Ctrl-C.
    #[arg(long)]
    pub keep: bool,
}
