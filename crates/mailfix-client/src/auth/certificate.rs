//! A certificate credential: the X.509 certificate (for its thumbprints) and the RSA private key
//! that signs client assertions, loaded from PEM (certificate + key, one file or two) or from a
//! PFX/PKCS#12 file with a password.

use std::fmt;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use sha1::Digest as _;
use x509_parser::pem::Pem;
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::error::Error;
use crate::secret::Secret;

/// The signature algorithm of client assertions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AssertionAlgorithm {
    /// RSASSA-PSS with SHA-256, header `x5t#S256` (what Microsoft documents today).
    #[default]
    Ps256,
    /// RSASSA-PKCS1-v1_5 with SHA-256, header `x5t` (SHA-1 thumbprint; the older form).
    Rs256,
}

/// A certificate and its private key.
#[derive(Clone)]
pub struct ClientCertificate {
    cert_der: Vec<u8>,
    key: EncodingKey,
    /// Which algorithm assertions use first (the other is tried once if the first is refused).
    pub algorithm: AssertionAlgorithm,
}

impl fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCertificate")
            .field("sha1_thumbprint", &self.sha1_thumbprint_hex())
            .field("algorithm", &self.algorithm)
            .field("key", &"<redacted>")
            .finish()
    }
}

fn cert_error(what: impl Into<String>) -> Error {
    Error::config(what)
}

impl ClientCertificate {
    /// Loads a certificate file: `.pfx`/`.p12` with `password`, anything else as PEM holding
    /// both the certificate and the key.
    pub fn load(path: &Path, password: Option<&Secret>) -> Result<Self, Error> {
        let bytes = std::fs::read(path).map_err(|e| {
            cert_error(format!("cannot read certificate {}", path.display())).with_source(e)
        })?;
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("pfx" | "p12") => {
                let empty = Secret::new("");
                Self::from_pfx(&bytes, password.unwrap_or(&empty))
            }
            _ => Self::from_pem(&bytes),
        }
    }

    /// Loads a certificate PEM file and a separate key PEM file.
    pub fn load_pem_pair(cert: &Path, key: &Path) -> Result<Self, Error> {
        let read = |p: &Path| {
            std::fs::read(p)
                .map_err(|e| cert_error(format!("cannot read {}", p.display())).with_source(e))
        };
        let mut both = read(cert)?;
        both.push(b'\n');
        both.extend(read(key)?);
        Self::from_pem(&both)
    }

    /// Parses PEM text holding a `CERTIFICATE` and a `PRIVATE KEY` (PKCS#8) or
    /// `RSA PRIVATE KEY` (PKCS#1) block.
    pub fn from_pem(pem: &[u8]) -> Result<Self, Error> {
        let mut cert = None;
        let mut key = None;
        for block in Pem::iter_from_buffer(pem) {
            let block = block
                .map_err(|e| cert_error(format!("the certificate file is not valid PEM: {e}")))?;
            match block.label.as_str() {
                "CERTIFICATE" if cert.is_none() => cert = Some(block.contents),
                "PRIVATE KEY" | "RSA PRIVATE KEY" => key = Some(block),
                "ENCRYPTED PRIVATE KEY" => {
                    return Err(cert_error(
                        "the PEM private key is encrypted; use an unencrypted key or a PFX file \
                         with its password in MAILFIX_CERTIFICATE_PASSWORD",
                    ));
                }
                _ => {}
            }
        }
        let cert = cert.ok_or_else(|| cert_error("no CERTIFICATE block in the PEM input"))?;
        let key = key.ok_or_else(|| cert_error("no PRIVATE KEY block in the PEM input"))?;
        Self::from_parts(cert, &to_pem(&key.label, &key.contents))
    }

    /// Parses a PFX/PKCS#12 archive.
    pub fn from_pfx(der: &[u8], password: &Secret) -> Result<Self, Error> {
        let store = p12_keystore::KeyStore::from_pkcs12(
            der,
            password.expose(),
            p12_keystore::Pkcs12ImportPolicy::Relaxed,
        )
        .map_err(|e| {
            cert_error(format!(
                "cannot open the PFX file (wrong password, or not PKCS#12): {e}"
            ))
        })?;
        let (_, chain) = store
            .private_key_chain()
            .ok_or_else(|| cert_error("the PFX file holds no private key"))?;
        let cert = chain
            .certs()
            .first()
            .ok_or_else(|| cert_error("the PFX file holds no certificate for its key"))?;
        let key_pem = to_pem("PRIVATE KEY", chain.key().as_der());
        Self::from_parts(cert.as_der().to_vec(), &key_pem)
    }

    fn from_parts(cert_der: Vec<u8>, key_pem: &str) -> Result<Self, Error> {
        let (_, cert) = X509Certificate::from_der(&cert_der)
            .map_err(|e| cert_error(format!("the certificate is not valid X.509: {e}")))?;
        check_validity(&cert, chrono::Utc::now().timestamp())?;
        let key = EncodingKey::from_rsa_pem(key_pem.as_bytes()).map_err(|e| {
            cert_error(format!(
                "the private key is not a usable RSA key ({e}); Entra certificate credentials need RSA"
            ))
        })?;
        let this = Self {
            cert_der,
            key,
            algorithm: AssertionAlgorithm::default(),
        };
        this.check_key_matches()?;
        Ok(this)
    }

    /// Signs a probe with the key and verifies it with the certificate, so that a mismatched
    /// certificate and key fail here rather than as an opaque sign-in error.
    fn check_key_matches(&self) -> Result<(), Error> {
        let probe = jsonwebtoken::encode(
            &Header::new(Algorithm::RS256),
            &serde_json::json!({"probe": 1}),
            &self.key,
        )
        .map_err(|e| cert_error(format!("the private key cannot sign: {e}")))?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        jsonwebtoken::decode::<serde_json::Value>(&probe, &self.decoding_key()?, &validation)
            .map(|_| ())
            .map_err(|_| cert_error("the private key does not belong to the certificate"))
    }

    /// A verification key from the certificate's public key.
    pub fn decoding_key(&self) -> Result<DecodingKey, Error> {
        let (_, cert) = X509Certificate::from_der(&self.cert_der)
            .map_err(|e| cert_error(format!("the certificate is not valid X.509: {e}")))?;
        let spki = cert.public_key();
        Ok(DecodingKey::from_rsa_der(&spki.subject_public_key.data))
    }

    /// Uses `algorithm` for assertions.
    pub fn with_algorithm(mut self, algorithm: AssertionAlgorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// The certificate in DER.
    pub fn der(&self) -> &[u8] {
        &self.cert_der
    }

    /// `x5t`: base64url SHA-1 of the DER certificate.
    pub fn x5t(&self) -> String {
        URL_SAFE_NO_PAD.encode(sha1::Sha1::digest(&self.cert_der))
    }

    /// `x5t#S256`: base64url SHA-256 of the DER certificate.
    pub fn x5t_s256(&self) -> String {
        URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(&self.cert_der))
    }

    /// The SHA-1 thumbprint in upper-case hex, as the Entra portal shows it.
    pub fn sha1_thumbprint_hex(&self) -> String {
        sha1::Sha1::digest(&self.cert_der)
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect()
    }

    pub(crate) fn key(&self) -> &EncodingKey {
        &self.key
    }
}

/// A certificate outside its validity period is refused before any request: the identity platform
/// would only say that no key matches.
fn check_validity(cert: &X509Certificate<'_>, now: i64) -> Result<(), Error> {
    let validity = cert.validity();
    let (from, to) = (
        validity.not_before.timestamp(),
        validity.not_after.timestamp(),
    );
    let day = |t: i64| {
        chrono::DateTime::<chrono::Utc>::from_timestamp(t, 0).map_or_else(
            || t.to_string(),
            |d| d.format("%Y-%m-%d %H:%M UTC").to_string(),
        )
    };
    let period = format!("valid from {} to {}", day(from), day(to));
    if now > to {
        return Err(
            cert_error(format!("the certificate expired on {} ({period})", day(to))).with_hint(
                "make a new certificate, upload its public key to the app registration \
             (Certificates & secrets) and pass it with --certificate",
            ),
        );
    }
    if now < from {
        return Err(
            cert_error(format!("the certificate is not valid yet ({period})")).with_hint(
                "check this machine's clock and time zone, or use a certificate valid now",
            ),
        );
    }
    Ok(())
}

fn to_pem(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in body.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}
