//! Client assertions (`client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`):
//! a JWT the app signs with its certificate's private key (docs/protocol.md §5.2). Checked like the real
//! service does: the header's `x5t#S256` (PS256) or `x5t` (RS256) thumbprint picks a certificate
//! registered on the app, the signature must verify with its key, `iss` = `sub` = client id, `aud` is
//! this token endpoint, the time window holds, and a `jti` is not accepted twice before it expires.
//!
//! Time is the wall clock, not the simulated clock: clients stamp assertions with their own clock, and
//! under `--time-scale` or `/_sim/clock/advance` simulated time runs ahead of it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, TimeZone as _, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use sha1::Digest as _;

use super::aadsts::AadError;
use super::tokens::rsa_components;

/// The `client_assertion_type` of a JWT client assertion.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Clock skew tolerated on `exp` and `nbf`, in seconds.
pub const SKEW_S: i64 = 300;

/// What an assertion is checked against.
#[derive(Clone, Debug)]
pub struct AssertionContext<'a> {
    /// The `client_id` of the request.
    pub client_id: &'a str,
    /// Accepted `aud` values: this token endpoint under the tenant id and each tenant domain.
    pub audiences: &'a [String],
    /// DER certificates registered on the app.
    pub certificates: &'a [Vec<u8>],
    /// Wall-clock time.
    pub now: DateTime<Utc>,
}

#[derive(Debug, Deserialize)]
struct AssertionClaims {
    #[serde(default)]
    aud: Option<serde_json::Value>,
    #[serde(default)]
    iss: Option<String>,
    #[serde(default)]
    sub: Option<String>,
    /// NumericDate: MSAL Python sends fractional seconds.
    #[serde(default)]
    exp: Option<f64>,
    #[serde(default)]
    nbf: Option<f64>,
    #[serde(default)]
    jti: Option<String>,
}

/// `jti`s seen, kept until their assertion expires.
#[derive(Debug)]
pub struct ReplayCache {
    seen: Mutex<HashMap<(String, String), i64>>,
    reject: AtomicBool,
}

impl Default for ReplayCache {
    fn default() -> Self {
        Self {
            seen: Mutex::new(HashMap::new()),
            reject: AtomicBool::new(true),
        }
    }
}

impl ReplayCache {
    /// Whether a replayed `jti` is refused (default true). MSAL reuses one assertion for up to nine
    /// minutes; whether the real service refuses that is UNCONFIRMED, so it can be switched off.
    pub fn set_reject(&self, reject: bool) {
        self.reject.store(reject, Ordering::Relaxed);
    }

    /// Whether replays are refused.
    pub fn rejects(&self) -> bool {
        self.reject.load(Ordering::Relaxed)
    }

    /// Records `jti` for `client_id` until `exp`; false if it was already there and unexpired.
    fn record(&self, client_id: &str, jti: &str, exp: i64, now: i64) -> bool {
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        seen.retain(|_, until| *until + SKEW_S >= now);
        let key = (client_id.to_owned(), jti.to_owned());
        if seen.contains_key(&key) && self.rejects() {
            return false;
        }
        seen.insert(key, exp);
        true
    }
}

/// Verifies a client assertion; `Ok` means the client is authenticated.
pub fn verify(
    assertion: &str,
    ctx: &AssertionContext<'_>,
    replays: &ReplayCache,
) -> Result<(), AadError> {
    let header = jsonwebtoken::decode_header(assertion)
        .map_err(|_| AadError::malformed_assertion("The client assertion is not a JWT."))?;
    if !matches!(header.alg, Algorithm::RS256 | Algorithm::PS256) {
        return Err(AadError::malformed_assertion(
            "The signing algorithm must be RS256 or PS256.",
        ));
    }
    let (der, shown) = find_certificate(&header, ctx)?;
    let key = decoding_key(der)
        .ok_or_else(|| AadError::malformed_assertion("The certificate key is not RSA."))?;
    let mut validation = Validation::new(header.alg);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let claims = match jsonwebtoken::decode::<AssertionClaims>(assertion, &key, &validation) {
        Ok(data) => data.claims,
        Err(e) if matches!(e.kind(), jsonwebtoken::errors::ErrorKind::InvalidSignature) => {
            return Err(AadError::assertion_bad_signature(&shown));
        }
        Err(_) => {
            return Err(AadError::malformed_assertion(
                "The client assertion payload cannot be read.",
            ));
        }
    };
    let (jti, exp) = check_claims(&claims, ctx)?;
    if !replays.record(ctx.client_id, jti, exp, ctx.now.timestamp()) {
        return Err(AadError::assertion_replayed(jti));
    }
    Ok(())
}

/// Checks issuer, subject, audience and time window; returns `jti` and `exp`.
fn check_claims<'c>(
    claims: &'c AssertionClaims,
    ctx: &AssertionContext<'_>,
) -> Result<(&'c str, i64), AadError> {
    let iss = claims.iss.as_deref().unwrap_or_default();
    if iss != ctx.client_id {
        return Err(AadError::assertion_wrong_issuer());
    }
    if claims.sub.as_deref() != Some(iss) {
        return Err(AadError::assertion_subject_mismatch());
    }
    let audiences: Vec<&str> = match &claims.aud {
        Some(serde_json::Value::String(a)) => vec![a.as_str()],
        Some(serde_json::Value::Array(list)) => list.iter().filter_map(|v| v.as_str()).collect(),
        _ => Vec::new(),
    };
    let accepted = |aud: &str| {
        let aud = aud.trim_end_matches('/');
        ctx.audiences.iter().any(|a| a.eq_ignore_ascii_case(aud))
    };
    if !audiences.iter().any(|a| accepted(a)) {
        return Err(AadError::malformed_assertion(&format!(
            "Invalid audience claim '{}'. The audience must be this token endpoint.",
            audiences.join(", ")
        )));
    }
    let seconds = |t: f64| t.floor() as i64;
    let (Some(exp), Some(jti)) = (claims.exp.map(seconds), claims.jti.as_deref()) else {
        return Err(AadError::malformed_assertion(
            "The 'jti' and 'exp' claims are required.",
        ));
    };
    let now = ctx.now.timestamp();
    let nbf = claims.nbf.map_or(i64::MIN, seconds);
    if now > exp + SKEW_S || nbf > now + SKEW_S {
        let at = |t: i64| Utc.timestamp_opt(t, 0).single().unwrap_or(ctx.now);
        let from = if claims.nbf.is_some() {
            at(nbf)
        } else {
            DateTime::<Utc>::UNIX_EPOCH
        };
        return Err(AadError::assertion_time_range(ctx.now, from, at(exp)));
    }
    Ok((jti, exp))
}

/// The registered certificate the header's thumbprint names, and the thumbprint as the service
/// prints it (hex, upper case).
fn find_certificate<'a>(
    header: &jsonwebtoken::Header,
    ctx: &AssertionContext<'a>,
) -> Result<(&'a [u8], String), AadError> {
    let wanted_s256 = header.x5t_s256.as_deref().map(normalise);
    let wanted_s1 = header.x5t.as_deref().map(normalise);
    let Some(shown) = wanted_s256.as_deref().or(wanted_s1.as_deref()).map(hex) else {
        return Err(AadError::malformed_assertion(
            "The 'x5t#S256' or 'x5t' header is required.",
        ));
    };
    let found = ctx.certificates.iter().find(|der| {
        let (s1, s256) = thumbprints(der);
        wanted_s256.as_deref() == Some(s256.as_str()) || wanted_s1.as_deref() == Some(s1.as_str())
    });
    match found {
        Some(der) => Ok((der.as_slice(), shown)),
        None => Err(AadError::assertion_key_not_found(&shown, ctx.client_id)),
    }
}

/// `x5t` (SHA-1) and `x5t#S256` (SHA-256) of a DER certificate, base64url without padding.
pub fn thumbprints(der: &[u8]) -> (String, String) {
    (
        URL_SAFE_NO_PAD.encode(sha1::Sha1::digest(der)),
        URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(der)),
    )
}

/// Thumbprints arrive padded (MSAL Python) or not, and now and then in standard base64.
fn normalise(thumbprint: &str) -> String {
    thumbprint
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_")
}

fn hex(thumbprint_b64: &str) -> String {
    match URL_SAFE_NO_PAD.decode(thumbprint_b64) {
        Ok(bytes) => bytes.iter().map(|b| format!("{b:02X}")).collect(),
        Err(_) => thumbprint_b64.to_owned(),
    }
}

fn decoding_key(der: &[u8]) -> Option<DecodingKey> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    let (n, e) = rsa_components(cert.tbs_certificate.subject_pki.raw)?;
    DecodingKey::from_rsa_components(&URL_SAFE_NO_PAD.encode(n), &URL_SAFE_NO_PAD.encode(e)).ok()
}
