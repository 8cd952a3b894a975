//! The settings a command runs with and their resolution from the layers, with where each value
//! came from.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use mailfix_engine::duration::format_duration;

use super::config::{self, Profile};
use super::mailbox_plans::mailbox_plans;
use super::paths::{self, Locations};
use crate::cli::{GlobalArgs, OutputFormat};
use crate::error::CliError;

/// Where a setting's value came from, shown by `mailfix auth check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// A command-line flag.
    Flag,
    /// An environment variable.
    Env,
    /// The config file.
    Config,
    /// The built-in default.
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Source::Flag => "flag",
            Source::Env => "env",
            Source::Config => "config",
            Source::Default => "default",
        })
    }
}

/// A value and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sourced<T> {
    /// The value.
    pub value: T,
    /// Its origin.
    pub source: Source,
}

/// The Microsoft cloud to talk to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloudName {
    /// Commercial and GCC.
    Global,
    /// GCC High.
    UsGovHigh,
    /// DoD.
    UsGovDod,
    /// 21Vianet.
    China,
}

impl CloudName {
    fn parse(text: &str) -> Option<Self> {
        match text.to_ascii_lowercase().as_str() {
            "global" | "public" | "commercial" => Some(Self::Global),
            "usgov-high" | "gcc-high" => Some(Self::UsGovHigh),
            "usgov-dod" | "dod" => Some(Self::UsGovDod),
            "china" => Some(Self::China),
            _ => None,
        }
    }

    /// The name as the `--cloud` flag spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Global => "global",
            Self::UsGovHigh => "usgov-high",
            Self::UsGovDod => "usgov-dod",
            Self::China => "china",
        }
    }
}

/// How mailfix proves who it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CredentialSetting {
    /// A client secret from `MAILFIX_CLIENT_SECRET`.
    SecretFromEnv,
    /// A client secret read from a file.
    SecretFile(Sourced<PathBuf>),
    /// A certificate (PEM or PFX) and optionally a separate key; a PFX password comes from
    /// `MAILFIX_CERTIFICATE_PASSWORD`.
    Certificate {
        /// The certificate file.
        path: Sourced<PathBuf>,
        /// The key file, when separate.
        key: Option<PathBuf>,
    },
    /// Delegated sign-in with the refresh token cached by `mailfix auth login`.
    DeviceCode,
    /// A client secret held in memory only: the embedded simulator's, for `mailfix demo` (never
    /// from flags, the environment or a file).
    Inline(mailfix_client::Secret),
    /// `MAILFIX_CLIENT_SECRET` is set but empty (or blank), and no other credential is configured.
    EmptySecretEnv,
    /// Nothing configured.
    None,
}

/// Everything a command needs to connect and print.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The profile in use.
    pub profile: Option<String>,
    /// The config file that was read, if any.
    pub config_path: Option<PathBuf>,
    /// Cloud preset.
    pub cloud: Sourced<CloudName>,
    /// Tenant id or domain.
    pub tenant: Option<Sourced<String>>,
    /// App (client) id.
    pub client_id: Option<Sourced<String>>,
    /// Credential.
    pub credential: CredentialSetting,
    /// Endpoint overrides.
    pub login_url: Option<Sourced<String>>,
    /// Graph base URL override.
    pub graph_url: Option<Sourced<String>>,
    /// Exchange base URL override.
    pub exo_url: Option<Sourced<String>>,
    /// Extra trusted root CA.
    pub ca_file: Option<Sourced<PathBuf>>,
    /// Journal database path.
    pub journal: Sourced<PathBuf>,
    /// The client's pacing window for Graph reports and audit logs (5 requests per window), when
    /// not the service's 10 s: against a simulator whose time runs N times faster, 10 s / N.
    pub reports_window: Option<Sourced<Duration>>,
    /// Where the device-code refresh token is cached.
    pub token_cache: PathBuf,
    /// How long one request may keep retrying (network failures, throttling); the client's
    /// default (15 minutes) when unset.
    pub retry_max_elapsed: Option<Sourced<Duration>>,
    /// Exchange requests `fix` and `cleanup` send at once, from `MAILFIX_CONCURRENCY` or the
    /// config (their `--concurrency` flag comes first).
    pub concurrency: Option<Sourced<usize>>,
    /// Service plan ids that give a mailbox beyond mailfix's table (`mailbox_plans`, each a GUID).
    pub mailbox_plans: Option<Sourced<Vec<String>>>,
    /// How long `fix` waits before adding an address again after a dual-write conflict.
    pub dual_write_retry: Option<Sourced<Duration>>,
    /// `--trace`: the HAR file every request is recorded in.
    pub trace: Option<PathBuf>,
    /// `--trace-unmasked`: phone numbers and personal emails kept in the trace.
    pub trace_unmasked: bool,
    /// Output format.
    pub output: OutputFormat,
    /// `-v` count.
    pub verbose: u8,
    /// What only `guard` reads (webhook, `unattended`).
    pub guard: super::GuardSettings,
}

/// Reads environment variables (injectable for tests).
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

impl Settings {
    /// How long to wait before adding an address again after a dual-write conflict: the setting,
    /// else the engine's default.
    pub fn dual_write_retry(&self) -> std::time::Duration {
        self.dual_write_retry
            .as_ref()
            .map_or(mailfix_engine::aliases::DUAL_WRITE_RETRY, |d| d.value)
    }

    /// Resolves settings from flags, the environment, the config file and defaults.
    pub fn resolve(
        args: &GlobalArgs,
        env: EnvLookup<'_>,
        stdout_is_terminal: bool,
    ) -> Result<Self, CliError> {
        let env_nonempty = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        let config_path = pick_path(args.config.clone(), env_nonempty("MAILFIX_CONFIG"));
        let (config, config_path) = config::load(config_path.as_ref(), default_config_path())?;
        let profile_name = args
            .profile
            .clone()
            .or_else(|| env_nonempty("MAILFIX_PROFILE"));
        let (profile_name, profile) =
            config.select(profile_name.as_deref(), config_path.as_deref())?;
        let layered = |flag: &Option<String>, var: &str, file: &Option<String>| {
            layer(flag.clone(), env_nonempty(var), file.clone())
        };
        let cloud = match layered(&args.cloud, "MAILFIX_CLOUD", &profile.cloud) {
            Some(s) => Sourced {
                value: CloudName::parse(&s.value).ok_or_else(|| {
                    CliError::usage(format!("unknown cloud '{}' (from {})", s.value, s.source))
                        .hint("use one of: global, usgov-high, usgov-dod, china")
                })?,
                source: s.source,
            },
            None => Sourced {
                value: CloudName::Global,
                source: Source::Default,
            },
        };
        let paths = |flag: &Option<PathBuf>, var: &str, file: &Option<PathBuf>| {
            layer(
                flag.clone(),
                env_nonempty(var).map(PathBuf::from),
                file.clone(),
            )
        };
        let journal =
            paths(&args.journal, "MAILFIX_JOURNAL", &profile.journal).unwrap_or_else(|| Sourced {
                value: default_journal_path(),
                source: Source::Default,
            });
        let token_cache = paths::token_cache(&journal.value);
        let credential = credential(args, &profile, env)?;
        let reports_window = reports_window(layer(
            None,
            env_nonempty("MAILFIX_REPORTS_WINDOW"),
            profile.reports_window.clone(),
        ))?;
        let retry_max_elapsed = layer(
            args.retry_max_elapsed.clone(),
            env_nonempty("MAILFIX_RETRY_MAX_ELAPSED"),
            profile.retry_max_elapsed.clone(),
        )
        .map(|r| config::duration_setting("retry_max_elapsed", r))
        .transpose()?;
        let concurrency = concurrency(layer(
            None,
            env_nonempty("MAILFIX_CONCURRENCY"),
            profile.concurrency.map(|n| n.to_string()),
        ))?;
        let mailbox_plans = mailbox_plans(layer(
            None,
            env_nonempty("MAILFIX_MAILBOX_PLANS")
                .map(|v| v.split(',').map(|p| p.trim().to_owned()).collect()),
            profile.mailbox_plans.clone(),
        ))?;
        let dual_write_retry = layer(
            None,
            env_nonempty("MAILFIX_DUAL_WRITE_RETRY"),
            profile.dual_write_retry.clone(),
        )
        .map(|r| config::duration_setting("dual_write_retry", r))
        .transpose()?;
        Ok(Self {
            profile: profile_name,
            config_path,
            cloud,
            tenant: layered(&args.tenant, "MAILFIX_TENANT", &profile.tenant),
            client_id: layered(&args.client_id, "MAILFIX_CLIENT_ID", &profile.client_id),
            credential,
            login_url: layered(&args.login_url, "MAILFIX_LOGIN_URL", &profile.login_url),
            graph_url: layered(&args.graph_url, "MAILFIX_GRAPH_URL", &profile.graph_url),
            exo_url: layered(&args.exo_url, "MAILFIX_EXO_URL", &profile.exo_url),
            ca_file: paths(&args.ca_file, "MAILFIX_CA_FILE", &profile.ca_file),
            journal,
            reports_window,
            token_cache,
            retry_max_elapsed,
            concurrency,
            mailbox_plans,
            dual_write_retry,
            trace: args.trace.clone(),
            trace_unmasked: args.trace_unmasked,
            output: OutputFormat::or_default(args.output, stdout_is_terminal),
            verbose: args.verbose,
            guard: super::guard::resolve(&profile, env)?,
        })
    }

    /// The resolved settings as `(name, value, source)` rows, secrets redacted.
    pub fn describe(&self) -> Vec<(String, String, String)> {
        let mut rows: BTreeMap<&str, (String, String)> = BTreeMap::new();
        let mut put = |name: &'static str, value: String, source: String| {
            rows.insert(name, (value, source));
        };
        put(
            "cloud",
            self.cloud.value.as_str().to_owned(),
            self.cloud.source.to_string(),
        );
        let opt = |v: &Option<Sourced<String>>| match v {
            Some(s) => (s.value.clone(), s.source.to_string()),
            None => ("(not set)".to_owned(), "-".to_owned()),
        };
        for (name, value) in [
            ("tenant", &self.tenant),
            ("client_id", &self.client_id),
            ("login_url", &self.login_url),
            ("graph_url", &self.graph_url),
            ("exo_url", &self.exo_url),
        ] {
            let (v, s) = opt(value);
            put(name, v, s);
        }
        let (cred, source) = match &self.credential {
            CredentialSetting::SecretFromEnv => (
                "client secret from MAILFIX_CLIENT_SECRET (redacted)".to_owned(),
                "env".to_owned(),
            ),
            CredentialSetting::SecretFile(p) => (secret_file_shown(&p.value), p.source.to_string()),
            CredentialSetting::Certificate { path, .. } => (
                format!("certificate {}", path.value.display()),
                path.source.to_string(),
            ),
            CredentialSetting::DeviceCode => (
                "delegated (device code, cached refresh token)".to_owned(),
                "config".to_owned(),
            ),
            CredentialSetting::Inline(_) => (
                "client secret in memory (redacted)".to_owned(),
                "default".to_owned(),
            ),
            CredentialSetting::EmptySecretEnv => (
                "(none: MAILFIX_CLIENT_SECRET is empty)".to_owned(),
                "env".to_owned(),
            ),
            CredentialSetting::None => ("(none)".to_owned(), "-".to_owned()),
        };
        put("credential", cred, source);
        if let Some(ca) = &self.ca_file {
            put(
                "ca_file",
                ca.value.display().to_string(),
                ca.source.to_string(),
            );
        }
        put(
            "journal",
            self.journal.value.display().to_string(),
            self.journal.source.to_string(),
        );
        if let Some(profile) = &self.profile {
            put("profile", profile.clone(), "-".to_owned());
        }
        if let Some(window) = &self.reports_window {
            put(
                "reports_window",
                format_duration(window.value),
                window.source.to_string(),
            );
        }
        let config = match &self.config_path {
            Some(path) => path.display().to_string(),
            None => "(none)".to_owned(),
        };
        put("config_file", config, "-".to_owned());
        if let Some(r) = &self.retry_max_elapsed {
            put(
                "retry_max_elapsed",
                format_duration(r.value),
                r.source.to_string(),
            );
        }
        if let Some(n) = &self.concurrency {
            put("concurrency", n.value.to_string(), n.source.to_string());
        }
        if let Some(plans) = &self.mailbox_plans {
            put(
                "mailbox_plans",
                plans.value.join(", "),
                plans.source.to_string(),
            );
        }
        if let Some(r) = &self.dual_write_retry {
            put(
                "dual_write_retry",
                format_duration(r.value),
                r.source.to_string(),
            );
        }
        rows.into_iter()
            .map(|(k, (v, s))| (k.to_owned(), v, s))
            .collect()
    }
}

/// The secret file setting as `auth check` shows it; a "path" that names no file and looks like a
/// secret pasted in its place is not shown.
fn secret_file_shown(path: &Path) -> String {
    if !path.exists() && mailfix_client::secret::looks_like_secret(path) {
        return "client secret from a file whose path looks like a secret (not shown)".to_owned();
    }
    format!("client secret from file {} (redacted)", path.display())
}

fn layer<T>(flag: Option<T>, env: Option<T>, file: Option<T>) -> Option<Sourced<T>> {
    flag.map(|value| Sourced {
        value,
        source: Source::Flag,
    })
    .or_else(|| {
        env.map(|value| Sourced {
            value,
            source: Source::Env,
        })
    })
    .or_else(|| {
        file.map(|value| Sourced {
            value,
            source: Source::Config,
        })
    })
}

/// The most Exchange requests at once a user may ask for: more only earns push-backs.
pub const MAX_CONCURRENCY: usize = 50;

/// A number of Exchange requests at once, 1 to [`MAX_CONCURRENCY`], from wherever it came.
fn concurrency_setting(text: &str, source: &str) -> Result<usize, CliError> {
    let n: usize = text.trim().parse().map_err(|_| {
        CliError::usage(format!("concurrency '{text}' (from {source}) is not a whole number"))
            .hint("write how many Exchange requests fix and cleanup send at once, e.g. 3 (the default) or 10")
    })?;
    if n == 0 || n > MAX_CONCURRENCY {
        return Err(CliError::usage(format!(
            "concurrency {n} (from {source}) must be between 1 and {MAX_CONCURRENCY}"
        ))
        .hint("3 is the default; Exchange pushes back above what it accepts, and mailfix then lowers it by itself"));
    }
    Ok(n)
}

/// `MAILFIX_CONCURRENCY` / `concurrency`.
fn concurrency(raw: Option<Sourced<String>>) -> Result<Option<Sourced<usize>>, CliError> {
    raw.map(|r| {
        Ok(Sourced {
            value: concurrency_setting(&r.value, &r.source.to_string())?,
            source: r.source,
        })
    })
    .transpose()
}

/// `MAILFIX_REPORTS_WINDOW` / `reports_window`: a duration above zero (`10s`, `100ms`).
fn reports_window(raw: Option<Sourced<String>>) -> Result<Option<Sourced<Duration>>, CliError> {
    let Some(window) = raw
        .map(|r| config::duration_setting("reports window", r))
        .transpose()?
    else {
        return Ok(None);
    };
    if window.value.is_zero() {
        return Err(CliError::usage(format!(
            "the reports window (from {}) must be above zero",
            window.source
        ))
        .hint(
            "write e.g. 10s (the service's window) or 100ms for a simulator at --time-scale 100",
        ));
    }
    Ok(Some(window))
}

fn pick_path(flag: Option<PathBuf>, env: Option<String>) -> Option<PathBuf> {
    flag.or_else(|| env.map(PathBuf::from))
}

fn credential(
    args: &GlobalArgs,
    profile: &Profile,
    env: EnvLookup<'_>,
) -> Result<CredentialSetting, CliError> {
    let cert = layer(
        args.certificate.clone(),
        env("MAILFIX_CERTIFICATE")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from),
        profile.certificate.clone(),
    );
    let secret_file = layer(
        args.client_secret_file.clone(),
        None,
        profile.client_secret_file.clone(),
    );
    let secret_var = env("MAILFIX_CLIENT_SECRET");
    let secret_env = secret_var.as_ref().is_some_and(|v| !v.trim().is_empty());
    if profile.auth.as_deref() == Some("device-code")
        && cert.is_none()
        && secret_file.is_none()
        && !secret_env
    {
        return Ok(CredentialSetting::DeviceCode);
    }
    if let Some(auth) = profile
        .auth
        .as_deref()
        .filter(|a| *a != "app" && *a != "device-code")
    {
        return Err(
            CliError::usage(format!("config key auth = \"{auth}\" is not understood")).hint(
                "use auth = \"app\" (client secret or certificate) or auth = \"device-code\"",
            ),
        );
    }
    Ok(match (cert, secret_file) {
        (Some(path), _) if path.source == Source::Flag => CredentialSetting::Certificate {
            path,
            key: args
                .certificate_key
                .clone()
                .or_else(|| profile.certificate_key.clone()),
        },
        (_, Some(file)) if file.source == Source::Flag => CredentialSetting::SecretFile(file),
        _ if secret_env => CredentialSetting::SecretFromEnv,
        (Some(path), _) => CredentialSetting::Certificate {
            path,
            key: args
                .certificate_key
                .clone()
                .or_else(|| profile.certificate_key.clone()),
        },
        (None, Some(file)) => CredentialSetting::SecretFile(file),
        (None, None) if secret_var.is_some() => CredentialSetting::EmptySecretEnv,
        (None, None) => CredentialSetting::None,
    })
}

fn default_config_path() -> Option<PathBuf> {
    Locations::current().map(|l| l.config_file())
}

/// The platform's journal (see `paths.rs`), else `mailfix/journal.db` in the current directory.
pub fn default_journal_path() -> PathBuf {
    Locations::current()
        .map(|l| l.journal())
        .unwrap_or_else(|| PathBuf::from(".").join("mailfix").join("journal.db"))
}
