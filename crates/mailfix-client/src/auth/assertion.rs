//! The client assertion JWT that proves possession of a certificate (docs/protocol.md §5.2):
//! `aud` = the token endpoint, `iss` = `sub` = client id, a fresh `jti`, `nbf`/`iat` now and `exp`
//! ten minutes later; PS256 with `x5t#S256`, or RS256 with `x5t`.

use jsonwebtoken::{Algorithm, Header};
use serde::{Deserialize, Serialize};

use super::certificate::{AssertionAlgorithm, ClientCertificate};
use crate::error::Error;

/// Lifetime of an assertion (MSAL uses 600 s).
const LIFETIME_S: i64 = 600;

/// The claims of a client assertion.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssertionClaims {
    /// The token endpoint URL.
    pub aud: String,
    /// The client id.
    pub iss: String,
    /// The client id.
    pub sub: String,
    /// A fresh GUID.
    pub jti: String,
    /// Not before (Unix seconds).
    pub nbf: i64,
    /// Issued at (Unix seconds).
    pub iat: i64,
    /// Expiry (Unix seconds).
    pub exp: i64,
}

/// Builds and signs a client assertion at Unix time `now`.
pub fn client_assertion(
    cert: &ClientCertificate,
    algorithm: AssertionAlgorithm,
    client_id: &str,
    token_url: &str,
    now: i64,
) -> Result<String, Error> {
    let mut header = match algorithm {
        AssertionAlgorithm::Ps256 => {
            let mut h = Header::new(Algorithm::PS256);
            h.x5t_s256 = Some(cert.x5t_s256());
            h
        }
        AssertionAlgorithm::Rs256 => {
            let mut h = Header::new(Algorithm::RS256);
            h.x5t = Some(cert.x5t());
            h
        }
    };
    header.typ = Some("JWT".to_owned());
    let claims = AssertionClaims {
        aud: token_url.to_owned(),
        iss: client_id.to_owned(),
        sub: client_id.to_owned(),
        jti: uuid::Uuid::new_v4().to_string(),
        nbf: now,
        iat: now,
        exp: now + LIFETIME_S,
    };
    jsonwebtoken::encode(&header, &claims, cert.key())
        .map_err(|e| Error::config(format!("cannot sign the client assertion: {e}")))
}

#[cfg(test)]
mod tests {
    use jsonwebtoken::Validation;

    use super::*;
    use crate::auth::test_cert;

    fn verify(cert: &ClientCertificate, jwt: &str, alg: Algorithm) -> AssertionClaims {
        let mut v = Validation::new(alg);
        v.set_audience(&["https://login.example/t1/oauth2/v2.0/token"]);
        v.set_issuer(&["app-1"]);
        v.validate_nbf = true;
        let key = cert.decoding_key().unwrap();
        jsonwebtoken::decode::<AssertionClaims>(jwt, &key, &v)
            .unwrap()
            .claims
    }

    #[test]
    fn ps256_assertion_carries_x5t_s256_and_the_documented_claims() {
        let (cert, _, _) = test_cert::pem_certificate();
        let now = chrono::Utc::now().timestamp();
        let url = "https://login.example/t1/oauth2/v2.0/token";
        let jwt = client_assertion(&cert, AssertionAlgorithm::Ps256, "app-1", url, now).unwrap();
        let header = jsonwebtoken::decode_header(&jwt).unwrap();
        assert_eq!(header.alg, Algorithm::PS256);
        assert_eq!(header.typ.as_deref(), Some("JWT"));
        assert_eq!(header.x5t_s256, Some(cert.x5t_s256()));
        assert_eq!(header.x5t, None);
        let c = verify(&cert, &jwt, Algorithm::PS256);
        assert_eq!(
            (c.aud.as_str(), c.iss.as_str(), c.sub.as_str()),
            (url, "app-1", "app-1")
        );
        assert_eq!((c.nbf, c.iat, c.exp), (now, now, now + 600));
        assert!(uuid::Uuid::parse_str(&c.jti).is_ok());
        let again = client_assertion(&cert, AssertionAlgorithm::Ps256, "app-1", url, now).unwrap();
        assert_ne!(
            verify(&cert, &again, Algorithm::PS256).jti,
            c.jti,
            "jti is fresh"
        );
    }

    #[test]
    fn rs256_assertion_carries_sha1_x5t() {
        let (cert, _, _) = test_cert::pem_certificate();
        let now = chrono::Utc::now().timestamp();
        let url = "https://login.example/t1/oauth2/v2.0/token";
        let jwt = client_assertion(&cert, AssertionAlgorithm::Rs256, "app-1", url, now).unwrap();
        let header = jsonwebtoken::decode_header(&jwt).unwrap();
        assert_eq!(header.alg, Algorithm::RS256);
        assert_eq!(header.x5t, Some(cert.x5t()));
        assert_eq!(header.x5t_s256, None);
        verify(&cert, &jwt, Algorithm::RS256);
    }

    // PFX loading is tested with the simulator's certificate in `tests/it/sim_signin.rs`.

    #[test]
    fn bad_pem_inputs_are_explained() {
        let (_, cert_pem, key_pem) = test_cert::pem_certificate();
        let no_key = ClientCertificate::from_pem(cert_pem.as_bytes()).unwrap_err();
        assert!(no_key.message().contains("PRIVATE KEY"), "{no_key}");
        let no_cert = ClientCertificate::from_pem(key_pem.as_bytes()).unwrap_err();
        assert!(no_cert.message().contains("CERTIFICATE"), "{no_cert}");
        let (_, _, other_key) = test_cert::pem_certificate();
        let mismatched = format!("{cert_pem}\n{other_key}");
        let err = ClientCertificate::from_pem(mismatched.as_bytes()).unwrap_err();
        assert!(err.message().contains("does not belong"), "{err}");
    }
}
