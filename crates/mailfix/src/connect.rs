//! Turns resolved settings into a signed-in-ready `mailfix_client::Client` and an open journal.

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, Mutex};

use mailfix_client::{
    Client, ClientCertificate, ClientConfig, Cloud, ConnectRetry, Credential, DeviceCodeOptions,
    Endpoints, OnConnectRetry, Secret, Trace,
};
use mailfix_engine::journal::{ErrorKind as JournalErrorKind, Journal, JournalError, LockHolder};

use crate::error::CliError;
use crate::printer::Printer;
use crate::settings::{CloudName, CredentialSetting, Settings, Sourced};

/// What every command gets: its settings, the printer, and the `--trace` file every client
/// records into.
#[derive(Debug)]
pub struct Context {
    /// Resolved settings.
    pub settings: Settings,
    /// The terminal.
    pub printer: Arc<Printer>,
    /// The HAR trace (`--trace`), shared by every client of the command.
    pub trace: Option<Arc<Trace>>,
}

/// Starts the `--trace` file, when one is asked for.
pub fn start_trace(path: Option<&Path>, unmasked: bool) -> Result<Option<Arc<Trace>>, CliError> {
    path.map(|p| Trace::create(p, unmasked).map(Arc::new))
        .transpose()
        .map_err(|e| {
            let mut error = CliError::from(e);
            error.exit = crate::exit::Exit::Usage;
            error
        })
}

impl Context {
    /// A client for the configured tenant and credential. Sends nothing yet.
    pub fn client(&self) -> Result<Client, CliError> {
        self.client_with(&self.settings.credential)
    }

    /// A client for `fix` and `cleanup`, whose Exchange lane sends up to `concurrency` requests
    /// at once (fewer while Exchange pushes back).
    pub fn write_client(&self, concurrency: usize) -> Result<Client, CliError> {
        self.build_client(&self.settings.credential, Some(concurrency))
    }

    /// A client for the configured tenant signing in with `credential` instead of the configured
    /// one (`auth login` always uses the device code flow).
    pub fn client_with(&self, credential: &CredentialSetting) -> Result<Client, CliError> {
        self.build_client(credential, None)
    }

    fn build_client(
        &self,
        credential: &CredentialSetting,
        exchange_concurrency: Option<usize>,
    ) -> Result<Client, CliError> {
        let s = &self.settings;
        let tenant = s.tenant.as_ref().map(|t| t.value.clone()).ok_or_else(|| {
            CliError::usage("no tenant configured").hint(
                "pass --tenant ID|DOMAIN, set MAILFIX_TENANT, or add tenant to the config profile",
            )
        })?;
        let mut endpoints = Endpoints::for_cloud(cloud(s.cloud.value));
        if let Some(url) = &s.login_url {
            endpoints = endpoints.with_login(&url.value);
        }
        if let Some(url) = &s.graph_url {
            endpoints = endpoints.with_graph(&url.value);
        }
        if let Some(url) = &s.exo_url {
            endpoints = endpoints.with_exchange(&url.value);
        }
        let mut config = ClientConfig::new(tenant, self.credential(credential)?);
        config.endpoints = endpoints;
        config.extra_ca = s.ca_file.as_ref().map(|c| c.value.clone());
        config.trace = self.trace.clone();
        if let Some(window) = &s.reports_window {
            config.limits.reports_window = window.value;
        }
        if let Some(limit) = &s.retry_max_elapsed {
            config.retry.max_elapsed = limit.value;
        }
        if let Some(n) = exchange_concurrency {
            config.limits.exchange_concurrency = n;
        }
        config.on_connect_retry = Some(connect_retries_on_stderr(self.printer.clone()));
        Client::new(config).map_err(|e| {
            // The CA file is to blame when the error names it.
            let ca = (s.ca_file.as_ref())
                .filter(|ca| e.message().contains(&ca.value.display().to_string()));
            let error = CliError::from(e);
            match ca {
                Some(ca) => error.hint(format!(
                    "the CA file (from {}) must hold the PEM root certificate to trust, e.g. the \
                     simulator's ca.pem (--ca-file or MAILFIX_CA_FILE)",
                    ca.source
                )),
                None => error,
            }
        })
    }

    fn credential(&self, setting: &CredentialSetting) -> Result<Credential, CliError> {
        let s = &self.settings;
        let client_id = || {
            s.client_id.as_ref().map(|c| c.value.clone()).ok_or_else(|| {
                CliError::usage("no app (client) id configured").hint(
                    "pass --client-id, set MAILFIX_CLIENT_ID, or add client_id to the config profile",
                )
            })
        };
        Ok(match setting {
            CredentialSetting::SecretFromEnv => Credential::Secret {
                client_id: client_id()?,
                secret: Secret::from_env("MAILFIX_CLIENT_SECRET")?,
            },
            CredentialSetting::Inline(secret) => Credential::Secret {
                client_id: client_id()?,
                secret: secret.clone(),
            },
            CredentialSetting::SecretFile(path) => Credential::Secret {
                client_id: client_id()?,
                secret: Secret::from_file(&path.value).map_err(|e| {
                    with_default_hint(e, format!(
                        "check the client secret file (from {}: --client-secret-file or client_secret_file in the config profile); it holds the secret's Value on one line",
                        path.source
                    ))
                })?,
            },
            CredentialSetting::Certificate { path, key } => Credential::Certificate {
                client_id: client_id()?,
                certificate: load_certificate(path, key.as_deref())?,
            },
            CredentialSetting::DeviceCode => {
                let printer = self.printer.clone();
                Credential::DeviceCode(DeviceCodeOptions {
                    client_id: client_id()?,
                    cache_file: Some(s.token_cache.clone()),
                    prompt: Arc::new(move |prompt| {
                        let text = prompt.message.clone().unwrap_or_else(|| {
                            format!(
                                "To sign in, open {} and enter the code {}",
                                prompt.verification_uri, prompt.user_code
                            )
                        });
                        printer.notice(&text);
                    }),
                })
            }
            CredentialSetting::EmptySecretEnv => {
                return Err(CliError::usage("MAILFIX_CLIENT_SECRET is set but empty").hint(
                    "put the client secret's Value in MAILFIX_CLIENT_SECRET (or unset it and pass --client-secret-file or --certificate)",
                ));
            }
            CredentialSetting::None => {
                return Err(CliError::usage("no credential configured").hint(
                    "set MAILFIX_CLIENT_SECRET, pass --client-secret-file or --certificate, or run `mailfix auth login` with auth = \"device-code\" in the config profile",
                ));
            }
        })
    }

    /// The journal opened for reading (for `runs`).
    pub fn journal_read(&self) -> Result<Journal, CliError> {
        Journal::open_read(&self.settings.journal.value).map_err(|e| self.journal_error(e))
    }

    /// Whether a journal with a schema exists (an empty file has none); opening it writes nothing.
    pub fn journal_exists(&self) -> Result<bool, CliError> {
        match Journal::open_read(&self.settings.journal.value) {
            Ok(_) => Ok(true),
            Err(e) if e.is_missing() => Ok(false),
            Err(e) => Err(self.journal_error(e)),
        }
    }

    /// The journal opened for writing, holding the single-writer lock.
    pub fn journal_write(&self, command: &str) -> Result<Journal, CliError> {
        Journal::open_write(&self.settings.journal.value, LockHolder::current(command))
            .map_err(|e| self.journal_error(e))
    }

    /// A journal error as the user sees it: a damaged journal is named, and one that cannot be
    /// opened for a file-system reason is a configuration error whose hint names the setting the
    /// path came from.
    pub fn journal_error(&self, error: JournalError) -> CliError {
        let path = &self.settings.journal;
        let error = error.at(&path.value);
        let where_from = matches!(
            error.kind(),
            JournalErrorKind::Io { .. } | JournalErrorKind::NotAFile(_)
        );
        let directory = matches!(error.kind(), JournalErrorKind::NotAFile(_));
        let mut out = CliError::from(error);
        if directory {
            out = out.hint(format!(
                "the journal setting (from {}: --journal, MAILFIX_JOURNAL or journal in the config profile) names a directory; name a file in it, e.g. {}",
                path.source,
                path.value.join("journal.db").display()
            ));
        } else if where_from {
            out.exit = crate::exit::Exit::Usage;
            out = out.hint(format!(
                "check the journal path (from {}: --journal, MAILFIX_JOURNAL or journal in the config profile); its directory must be one mailfix can create and write",
                path.source
            ));
        }
        out
    }
}

/// Each retry of a connection that could not be opened, as a status line (`cannot reach HOST:
/// CAUSE; retrying (n/m)`); requests in flight to the same host report the same retry once.
fn connect_retries_on_stderr(printer: Arc<Printer>) -> OnConnectRetry {
    let said = Mutex::new(HashSet::new());
    OnConnectRetry(Arc::new(move |retry: &ConnectRetry| {
        let first = said
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert((retry.host.clone(), retry.retry));
        if first {
            printer.status(&retry.to_string());
        }
    }))
}

/// The configured certificate (PEM with its key, a PEM pair, or a PFX with
/// `MAILFIX_CERTIFICATE_PASSWORD`), with a hint naming the setting when it cannot be loaded.
fn load_certificate(
    path: &Sourced<std::path::PathBuf>,
    key: Option<&std::path::Path>,
) -> Result<ClientCertificate, CliError> {
    let loaded = match key {
        Some(key) => ClientCertificate::load_pem_pair(&path.value, key),
        None => {
            let password = Secret::from_env("MAILFIX_CERTIFICATE_PASSWORD").ok();
            ClientCertificate::load(&path.value, password.as_ref())
        }
    };
    loaded.map_err(|e| {
        with_default_hint(
            e,
            format!(
                "check the certificate (from {}: --certificate, MAILFIX_CERTIFICATE or certificate in the config profile); it must be a PEM file with the certificate and its private key (or --certificate-key), or a PFX file with its password in MAILFIX_CERTIFICATE_PASSWORD",
                path.source
            ),
        )
    })
}

/// The client error as a `CliError`, with `hint` when the client gave none.
fn with_default_hint(error: mailfix_client::Error, hint: String) -> CliError {
    let error = CliError::from(error);
    match error.hint {
        Some(_) => error,
        None => error.hint(hint),
    }
}

fn cloud(name: CloudName) -> Cloud {
    match name {
        CloudName::Global => Cloud::Global,
        CloudName::UsGovHigh => Cloud::UsGovHigh,
        CloudName::UsGovDod => Cloud::UsGovDod,
        CloudName::China => Cloud::China,
    }
}
