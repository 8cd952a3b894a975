//! Local TLS and certificate material: a CA generated at start, the server certificate it signs for
//! `127.0.0.1`, `::1` and `localhost`, HTTPS serving with axum-server, and the key pairs and
//! certificates of scenario apps that sign in with a certificate credential. Everything is written as
//! PEM files into the state directory (private keys with mode 0600).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use chrono::{Datelike, Utc};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use tokio::sync::oneshot;

use crate::model::{AppRegistration, CertificateCredential};
use crate::scenario::Scenario;

/// Why TLS or certificate material could not be made.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// Key or certificate generation failed.
    #[error("cannot generate {what}: {reason}")]
    Generate {
        /// What was being generated.
        what: &'static str,
        /// The cause.
        reason: String,
    },
    /// A PEM file or the state directory could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

fn generate_error(what: &'static str) -> impl FnOnce(rcgen::Error) -> TlsError {
    move |e| TlsError::Generate {
        what,
        reason: e.to_string(),
    }
}

/// Where the simulator writes its PEM files: the configured state directory, or a temporary directory
/// that lives as long as this value (the running simulator keeps it).
#[derive(Debug)]
pub struct StateDir {
    path: PathBuf,
    _temp: Option<tempfile::TempDir>,
}

impl StateDir {
    /// Uses `dir` (created if missing), or a fresh temporary directory when `None`.
    pub fn open(dir: Option<&Path>) -> Result<Self, TlsError> {
        match dir {
            Some(dir) => {
                std::fs::create_dir_all(dir).map_err(|source| TlsError::Write {
                    path: dir.to_owned(),
                    source,
                })?;
                Ok(Self {
                    path: dir.to_owned(),
                    _temp: None,
                })
            }
            None => {
                let temp = tempfile::Builder::new()
                    .prefix("mailfix-sim-")
                    .tempdir()
                    .map_err(|source| TlsError::Write {
                        path: std::env::temp_dir(),
                        source,
                    })?;
                Ok(Self {
                    path: temp.path().to_owned(),
                    _temp: Some(temp),
                })
            }
        }
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes a public file (certificates).
    pub fn write_public(&self, name: &str, contents: &str) -> Result<PathBuf, TlsError> {
        self.write(name, contents, 0o644)
    }

    /// Writes a private file (keys), readable by the owner only.
    pub fn write_private(&self, name: &str, contents: &str) -> Result<PathBuf, TlsError> {
        self.write(name, contents, 0o600)
    }

    fn write(&self, name: &str, contents: &str, mode: u32) -> Result<PathBuf, TlsError> {
        let path = self.path.join(name);
        let error = |source| TlsError::Write {
            path: path.clone(),
            source,
        };
        // Remove a file left by an earlier run first: its mode would survive a truncating open.
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(error(e)),
            _ => {}
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
        #[cfg(not(unix))]
        let _ = mode;
        let mut file = options.open(&path).map_err(error)?;
        file.write_all(contents.as_bytes()).map_err(error)?;
        Ok(path)
    }
}

/// Certificate validity: from the start of last year to two years ahead, so that client clocks a
/// little off still accept it.
fn validity(params: &mut CertificateParams) {
    let year = Utc::now().year();
    params.not_before = rcgen::date_time_ymd(year - 1, 1, 1);
    params.not_after = rcgen::date_time_ymd(year + 2, 1, 1);
}

fn name(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    dn.push(DnType::OrganizationName, "mailfix simulator");
    dn
}

/// The simulator's HTTPS material: the CA certificate (written to `ca.pem`) and the server
/// certificate and key it signed.
pub struct ServerTls {
    /// Path of the CA certificate PEM.
    pub ca_file: PathBuf,
    /// The CA certificate PEM.
    pub ca_pem: String,
    cert_der: Vec<u8>,
    key_der: Vec<u8>,
}

impl std::fmt::Debug for ServerTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerTls")
            .field("ca_file", &self.ca_file)
            .finish_non_exhaustive()
    }
}

impl ServerTls {
    /// Generates a CA and a server certificate for `127.0.0.1`, `::1`, `localhost` and the tenant
    /// host the Exchange front door may redirect to (`nam13b.localhost`), and writes the CA PEM to
    /// `dir/ca.pem`.
    pub fn generate(dir: &StateDir) -> Result<Self, TlsError> {
        let ca_key = KeyPair::generate().map_err(generate_error("the CA key"))?;
        let mut ca_params = CertificateParams::default();
        ca_params.distinguished_name = name("mailfix simulator local CA");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        validity(&mut ca_params);
        let ca_cert = ca_params
            .self_signed(&ca_key)
            .map_err(generate_error("the CA certificate"))?;
        let issuer = Issuer::new(ca_params, ca_key);

        let server_key = KeyPair::generate().map_err(generate_error("the server key"))?;
        let hosts = [
            "127.0.0.1".to_owned(),
            "::1".to_owned(),
            "localhost".to_owned(),
            crate::routes::exo::discovery::tenant_host(),
        ];
        let mut params =
            CertificateParams::new(hosts.to_vec()).map_err(generate_error("the server names"))?;
        params.distinguished_name = name("127.0.0.1");
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        // Strict X.509 verification (Python >= 3.13's default) wants an authority key identifier.
        params.use_authority_key_identifier_extension = true;
        validity(&mut params);
        let server_cert = params
            .signed_by(&server_key, &issuer)
            .map_err(generate_error("the server certificate"))?;

        let ca_pem = ca_cert.pem();
        let ca_file = dir.write_public("ca.pem", &ca_pem)?;
        Ok(Self {
            ca_file,
            ca_pem,
            cert_der: server_cert.der().to_vec(),
            key_der: server_key.serialize_der(),
        })
    }

    /// A rustls server configuration (HTTP/2 and HTTP/1.1 over ALPN) with the aws-lc-rs provider.
    pub fn rustls_config(&self) -> Result<axum_server::tls_rustls::RustlsConfig, TlsError> {
        let error = |e: rustls::Error| TlsError::Generate {
            what: "the TLS configuration",
            reason: e.to_string(),
        };
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let key = rustls_pki_types::PrivateKeyDer::Pkcs8(self.key_der.clone().into());
        let chain = vec![rustls_pki_types::CertificateDer::from(
            self.cert_der.clone(),
        )];
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(error)?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(error)?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(axum_server::tls_rustls::RustlsConfig::from_config(
            Arc::new(config),
        ))
    }
}

/// Serves `app` over HTTPS on an already bound listener until `shutdown` fires.
pub fn serve_https(
    listener: tokio::net::TcpListener,
    app: Router,
    config: axum_server::tls_rustls::RustlsConfig,
    shutdown: oneshot::Receiver<()>,
) -> std::io::Result<tokio::task::JoinHandle<()>> {
    let listener = listener.into_std()?;
    let handle = axum_server::Handle::new();
    let server = axum_server::from_tcp_rustls(listener, config)?.handle(handle.clone());
    Ok(tokio::spawn(async move {
        tokio::spawn(async move {
            let _ = shutdown.await;
            handle.graceful_shutdown(Some(std::time::Duration::from_secs(1)));
        });
        let _ = server.serve(app.into_make_service()).await;
    }))
}

/// The PEM files of an app's certificate credential.
#[derive(Clone, Debug)]
pub struct CertificateFiles {
    /// The app's client id.
    pub client_id: String,
    /// Path of the certificate PEM.
    pub cert_pem: PathBuf,
    /// Path of the private key PEM (PKCS#8, mode 0600).
    pub key_pem: PathBuf,
    /// The certificate, DER-encoded (what is registered on the app).
    pub der: Vec<u8>,
}

/// For every scenario app with `certificate_credential: true`, generates an RSA key and a self-signed
/// certificate, registers the certificate on the tenant's app (`apps` are in scenario order), and
/// writes `cert-{client_id}.pem` and `key-{client_id}.pem` into `dir`.
pub fn provision_certificate_apps(
    scenario: &Scenario,
    apps: &mut [AppRegistration],
    dir: &StateDir,
) -> Result<Vec<CertificateFiles>, TlsError> {
    let mut files = Vec::new();
    for (spec, app) in scenario.apps.iter().zip(apps.iter_mut()) {
        if !spec.certificate_credential {
            continue;
        }
        let (cert_pem, key_pem, der) = app_certificate(&app.display_name)?;
        let cert_path = dir.write_public(&format!("cert-{}.pem", app.client_id), &cert_pem)?;
        let key_path = dir.write_private(&format!("key-{}.pem", app.client_id), &key_pem)?;
        app.certificates
            .push(CertificateCredential { der: der.clone() });
        files.push(CertificateFiles {
            client_id: app.client_id.clone(),
            cert_pem: cert_path,
            key_pem: key_path,
            der,
        });
    }
    Ok(files)
}

/// A 2048-bit RSA key and a self-signed certificate naming the app, as `New-SelfSignedCertificate`
/// or `openssl req -x509` would make for an app registration: (cert PEM, key PEM, cert DER).
pub fn app_certificate(display_name: &str) -> Result<(String, String, Vec<u8>), TlsError> {
    let key = KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_2048)
        .map_err(generate_error("an app key"))?;
    let mut params = CertificateParams::default();
    params.distinguished_name = name(display_name);
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    validity(&mut params);
    let cert = params
        .self_signed(&key)
        .map_err(generate_error("an app certificate"))?;
    Ok((cert.pem(), key.serialize_pem(), cert.der().to_vec()))
}

/// What `start` prepares before it binds: the state directory, the HTTPS material (unless plain
/// HTTP) and the certificate apps' files. Keep it alive as long as the simulator runs.
#[derive(Debug)]
pub struct Prepared {
    /// The state directory (a temporary one is deleted when this is dropped).
    pub dir: StateDir,
    /// HTTPS material; `None` for plain HTTP.
    pub server: Option<ServerTls>,
    /// One entry per app with a generated certificate credential.
    pub certificate_apps: Vec<CertificateFiles>,
}

/// Opens the state directory, generates the CA and server certificate unless `http`, and provisions
/// the scenario's certificate apps on `apps`.
pub fn prepare(
    scenario: &Scenario,
    apps: &mut [AppRegistration],
    state_dir: Option<&Path>,
    http: bool,
) -> Result<Prepared, TlsError> {
    let dir = StateDir::open(state_dir)?;
    let certificate_apps = provision_certificate_apps(scenario, apps, &dir)?;
    let server = if http {
        None
    } else {
        Some(ServerTls::generate(&dir)?)
    };
    Ok(Prepared {
        dir,
        server,
        certificate_apps,
    })
}
