//! The TOML config file: `[defaults]`, named `[profiles.NAME]`, and `default_profile`. Unknown keys are
//! errors that name the key and the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::CliError;

/// The config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Profile used when neither `--profile` nor `MAILFIX_PROFILE` names one.
    pub default_profile: Option<String>,
    /// Settings shared by every profile.
    #[serde(default)]
    pub defaults: Profile,
    /// Named profiles.
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
    /// Refused with a hint: secrets do not belong in the config file.
    client_secret: Option<toml::Value>,
}

/// One profile's settings. Secrets are never stored here: only the path of a file holding one.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// `global`, `usgov-high`, `usgov-dod`, `china`.
    pub cloud: Option<String>,
    /// Tenant id or domain.
    pub tenant: Option<String>,
    /// App (client) id.
    pub client_id: Option<String>,
    /// File holding the client secret.
    pub client_secret_file: Option<PathBuf>,
    /// Certificate (PEM or PFX).
    pub certificate: Option<PathBuf>,
    /// Separate key PEM.
    pub certificate_key: Option<PathBuf>,
    /// `app` (default) or `device-code`.
    pub auth: Option<String>,
    /// Sign-in authority host override.
    pub login_url: Option<String>,
    /// Graph base URL override.
    pub graph_url: Option<String>,
    /// Exchange base URL override.
    pub exo_url: Option<String>,
    /// Extra trusted root CA.
    pub ca_file: Option<PathBuf>,
    /// Journal path.
    pub journal: Option<PathBuf>,
    /// Pacing window of Graph reports and audit logs (`10s`; shorter only against a simulator
    /// whose time runs faster).
    pub reports_window: Option<String>,
    /// How long one request may keep retrying (`90s`, `5m`; default 15m).
    pub retry_max_elapsed: Option<String>,
    /// Exchange requests `fix` and `cleanup` send at once (default 3).
    pub concurrency: Option<i64>,
    /// Service plan ids that give a mailbox, beyond mailfix's table (plans it does not know yet).
    pub mailbox_plans: Option<Vec<String>>,
    /// How long `fix` waits before adding an address again after Exchange's dual-write conflict
    /// (`2m`; shorter only against a simulator whose time runs faster).
    pub dual_write_retry: Option<String>,
    /// File holding guard's webhook URL (the URL is a secret: never in the config itself).
    pub webhook_url_file: Option<PathBuf>,
    /// Guard's webhook payload: `teams`, `slack` or `json` (default: by the URL's host).
    pub webhook_format: Option<String>,
    /// Let `guard --mode remediate` change the tenant without a terminal, as `--yes` does.
    pub unattended: Option<bool>,
    /// Refused with a hint: secrets do not belong in the config file.
    client_secret: Option<toml::Value>,
}

impl Profile {
    /// `self` with unset keys taken from `base`.
    fn over(self, base: &Profile) -> Profile {
        macro_rules! pick {
            ($($field:ident),*) => { Profile { $($field: self.$field.or_else(|| base.$field.clone()),)* } };
        }
        pick!(
            cloud,
            tenant,
            client_id,
            client_secret_file,
            certificate,
            certificate_key,
            auth,
            login_url,
            graph_url,
            exo_url,
            ca_file,
            journal,
            reports_window,
            retry_max_elapsed,
            concurrency,
            mailbox_plans,
            dual_write_retry,
            webhook_url_file,
            webhook_format,
            unattended,
            client_secret
        )
    }
}

/// Reads the config file: the explicit one (which must exist), else the default path if it exists.
pub fn load(
    explicit: Option<&PathBuf>,
    default: Option<PathBuf>,
) -> Result<(ConfigFile, Option<PathBuf>), CliError> {
    let path = match explicit {
        Some(path) => path.clone(),
        None => match default.filter(|p| p.exists()) {
            Some(path) => path,
            None => return Ok((ConfigFile::default(), None)),
        },
    };
    let text = std::fs::read_to_string(&path).map_err(|e| {
        CliError::usage(format!("cannot read config file {}", path.display()))
            .cause(e)
            .hint("check the path given by --config or MAILFIX_CONFIG")
    })?;
    let config: ConfigFile = toml::from_str(&text).map_err(|e| {
        let error = CliError::usage(format!("config file {} is invalid", path.display()))
            .cause(e.message())
            .cause(location(&text, e.span()));
        if text.parse::<toml::Table>().is_err() {
            error.hint("fix the TOML syntax there: key = \"text\" with both quotes, one key per line, tables as [defaults] or [profiles.NAME]")
        } else {
            error.hint(KNOWN_KEYS)
        }
    })?;
    config.refuse_secrets(&path)?;
    Ok((config, Some(path)))
}

const KNOWN_KEYS: &str = "known keys: default_profile, [defaults], [profiles.NAME] with cloud, tenant, client_id, client_secret_file, certificate, certificate_key, auth, login_url, graph_url, exo_url, ca_file, journal, reports_window, retry_max_elapsed, mailbox_plans, dual_write_retry, webhook_url_file, webhook_format, unattended, concurrency";

/// A duration setting (`90s`, `5m`) from wherever it came.
pub fn duration_setting(
    name: &str,
    s: super::Sourced<String>,
) -> Result<super::Sourced<std::time::Duration>, CliError> {
    let value = mailfix_engine::duration::parse_duration(&s.value).map_err(|e| {
        CliError::usage(format!(
            "{name} '{}' (from {}) is not a duration",
            s.value, s.source
        ))
        .cause(e)
        .hint("use a number with a unit: 90s, 5m, 2h")
    })?;
    Ok(super::Sourced {
        value,
        source: s.source,
    })
}

fn location(text: &str, span: Option<std::ops::Range<usize>>) -> String {
    match span {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!("at line {line}")
        }
        None => "at an unknown position".to_owned(),
    }
}

impl ConfigFile {
    /// The profile to use, merged over `[defaults]`.
    pub fn select(
        &self,
        wanted: Option<&str>,
        path: Option<&Path>,
    ) -> Result<(Option<String>, Profile), CliError> {
        let name = wanted
            .map(str::to_owned)
            .or_else(|| self.default_profile.clone());
        let profile = match &name {
            None => self.defaults.clone(),
            Some(name) => match self.profiles.get(name) {
                Some(p) => p.clone().over(&self.defaults),
                None => {
                    let known: Vec<&str> = self.profiles.keys().map(String::as_str).collect();
                    let file =
                        path.map_or("no config file".to_owned(), |p| p.display().to_string());
                    return Err(CliError::usage(format!(
                        "profile '{name}' is not defined ({file})"
                    ))
                    .hint(if known.is_empty() {
                        "add a [profiles.NAME] table to the config file".to_owned()
                    } else {
                        format!("defined profiles: {}", known.join(", "))
                    }));
                }
            },
        };
        Ok((name, profile))
    }

    /// Refuses a config file holding a client secret anywhere (top level, `[defaults]`, any
    /// profile), naming where but never the value.
    fn refuse_secrets(&self, path: &Path) -> Result<(), CliError> {
        let mut places = Vec::new();
        if self.client_secret.is_some() {
            places.push("at the top level".to_owned());
        }
        if self.defaults.client_secret.is_some() {
            places.push("in [defaults]".to_owned());
        }
        for (name, profile) in &self.profiles {
            if profile.client_secret.is_some() {
                places.push(format!("in [profiles.{name}]"));
            }
        }
        if places.is_empty() {
            return Ok(());
        }
        Err(CliError::usage(format!(
            "config file {} holds a client secret (client_secret {})",
            path.display(),
            places.join(", ")
        ))
        .hint("remove it; put the secret in a file named by client_secret_file (mode 0600) or in MAILFIX_CLIENT_SECRET"))
    }
}
