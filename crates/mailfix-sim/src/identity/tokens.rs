//! Access tokens: RS256-signed JWTs with `aud`, `iss`, `tid`, `appid`, `roles`/`scp`, `iat`, `nbf`,
//! `exp`, verified on every Graph and Exchange request against the simulated clock.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use x509_parser::prelude::FromDer;
use x509_parser::public_key::PublicKey;
use x509_parser::x509::SubjectPublicKeyInfo;

use super::cloud::SimCloud;
use super::store::SignInStore;

/// The resource a token is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Microsoft Graph, `https://graph.microsoft.com`.
    Graph,
    /// Exchange Online, `https://outlook.office365.com`.
    Exchange,
}

impl Audience {
    /// The `aud` claim value in the global cloud, which is also the resource part of the
    /// `.default` scope.
    pub fn uri(self) -> &'static str {
        SimCloud::Global.resource(self)
    }

    /// The resource's application id, which scopes may name instead of the URI.
    pub fn app_id(self) -> &'static str {
        match self {
            Audience::Graph => "00000003-0000-0000-c000-000000000000",
            Audience::Exchange => "00000002-0000-0ff1-ce00-000000000000",
        }
    }

    /// The audience a `{resource}/.default` scope names in `cloud`, if it is one the simulator
    /// serves.
    pub fn from_scope(scope: &str, cloud: SimCloud) -> Option<Self> {
        Self::from_resource(scope.strip_suffix("/.default").unwrap_or(scope), cloud)
    }

    /// The audience a resource URI of `cloud` (`https://graph.microsoft.com`, trailing slashes
    /// allowed, as the real service allows) or resource application id names.
    pub fn from_resource(resource: &str, cloud: SimCloud) -> Option<Self> {
        let resource = resource.trim_end_matches('/');
        [Audience::Graph, Audience::Exchange].into_iter().find(|a| {
            cloud.resource(*a).eq_ignore_ascii_case(resource)
                || a.app_id().eq_ignore_ascii_case(resource)
        })
    }
}

/// Who called, as proven by a verified access token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// `appid` of the calling app.
    pub app_id: String,
    /// `tid`.
    pub tenant_id: String,
    /// Application permissions (`roles`), app-only tokens.
    pub roles: Vec<String>,
    /// Delegated permissions (`scp`), delegated tokens.
    pub scopes: Vec<String>,
    /// Directory roles by name, e.g. `Exchange Administrator` (`wids` carries their template ids).
    pub directory_roles: Vec<String>,
    /// The signed-in user's UPN for delegated tokens.
    pub upn: Option<String>,
}

impl Caller {
    /// Whether the caller holds `permission` as an application role or a delegated scope, or a
    /// broader permission that includes it (`X.ReadWrite.All` includes `X.Read.All`,
    /// `Directory.Read.All` includes the read permissions mailfix needs).
    pub fn has(&self, permission: &str) -> bool {
        let held = self.roles.iter().chain(&self.scopes);
        held.into_iter().any(|p| implies(p, permission))
    }
}

fn implies(held: &str, wanted: &str) -> bool {
    if held == wanted {
        return true;
    }
    if let Some(base) = wanted.strip_suffix(".Read.All")
        && held == format!("{base}.ReadWrite.All")
    {
        return true;
    }
    let directory_read = ["User.Read.All", "GroupMember.Read.All", "Group.Read.All"];
    (held == "Directory.Read.All" || held == "Directory.ReadWrite.All")
        && directory_read.contains(&wanted)
}

/// Why a bearer token was refused (rendered as 401 `InvalidAuthenticationToken` by the routes).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No `Authorization: Bearer` header.
    #[error("Access token is empty.")]
    Missing,
    /// Not a JWT, bad signature, or unknown key.
    #[error("Access token validation failure.")]
    Invalid,
    /// Token for another resource.
    #[error("Access token validation failure. Invalid audience.")]
    WrongAudience,
    /// Past `exp` or before `nbf` (simulated time).
    #[error("Access token has expired or is not yet valid.")]
    Expired,
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    aud: String,
    iss: String,
    iat: i64,
    nbf: i64,
    exp: i64,
    tid: String,
    appid: String,
    azp: String,
    oid: String,
    sub: String,
    ver: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scp: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    wids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    upn: Option<String>,
    uti: String,
}

/// What a token is issued for.
#[derive(Clone, Debug)]
pub struct TokenRequest<'a> {
    /// Tenant id (`tid`).
    pub tenant_id: &'a str,
    /// Calling app.
    pub app_id: &'a str,
    /// Resource.
    pub audience: Audience,
    /// Application permissions for this resource (app-only tokens).
    pub roles: &'a [String],
    /// Delegated scopes (delegated tokens).
    pub scopes: &'a [String],
    /// Directory roles of the caller.
    pub directory_roles: &'a [String],
    /// Signed-in user for delegated tokens.
    pub upn: Option<&'a str>,
    /// Issue time (simulated).
    pub now: DateTime<Utc>,
    /// Lifetime in simulated seconds.
    pub lifetime_s: i64,
}

/// The simulator's token authority: one RSA signing key, published in the JWKS, and the sign-in
/// state that outlives a tenant reset (certificates provisioned at start, used assertion ids,
/// device-code sign-ins, refresh tokens).
pub struct Identity {
    /// Sign-in state.
    pub sign_in: SignInStore,
    /// The cloud whose resources tokens are issued for and verified against.
    cloud: SimCloud,
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    modulus_b64: String,
    exponent_b64: String,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// Failure to create the signing key.
#[derive(Debug, thiserror::Error)]
#[error("cannot create the token signing key: {0}")]
pub struct KeyError(String);

impl Identity {
    /// Generates a fresh 2048-bit RSA signing key.
    pub fn generate() -> Result<Self, KeyError> {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256)
            .map_err(|e| KeyError(e.to_string()))?;
        let encoding = EncodingKey::from_rsa_pem(key.serialize_pem().as_bytes())
            .map_err(|e| KeyError(e.to_string()))?;
        let spki = rcgen::PublicKeyData::subject_public_key_info(&key);
        let (n, e) = rsa_components(&spki).ok_or_else(|| KeyError("not an RSA key".into()))?;
        let modulus_b64 = URL_SAFE_NO_PAD.encode(n);
        let exponent_b64 = URL_SAFE_NO_PAD.encode(e);
        let decoding = DecodingKey::from_rsa_components(&modulus_b64, &exponent_b64)
            .map_err(|e| KeyError(e.to_string()))?;
        let kid = URL_SAFE_NO_PAD.encode(&sha1_like(&spki)[..12]);
        Ok(Self {
            sign_in: SignInStore::default(),
            cloud: SimCloud::Global,
            kid,
            encoding,
            decoding,
            modulus_b64,
            exponent_b64,
        })
    }

    /// This authority playing `cloud`.
    pub fn with_cloud(mut self, cloud: SimCloud) -> Self {
        self.cloud = cloud;
        self
    }

    /// The cloud played.
    pub fn cloud(&self) -> SimCloud {
        self.cloud
    }

    /// The JWKS document (`{"keys":[...]}`) that publishes the signing key.
    pub fn jwks(&self) -> serde_json::Value {
        serde_json::json!({
            "keys": [{
                "kty": "RSA",
                "use": "sig",
                "kid": self.kid,
                "x5t": self.kid,
                "n": self.modulus_b64,
                "e": self.exponent_b64,
                "alg": "RS256",
            }]
        })
    }

    /// Issues a signed access token.
    pub fn issue(&self, req: &TokenRequest<'_>) -> String {
        let oid = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, req.app_id.as_bytes()).to_string();
        self.issue_with_oid(req, oid)
    }

    /// Issues a signed delegated access token for the user with object id `user_id`.
    pub fn issue_for_user(&self, req: &TokenRequest<'_>, user_id: &str) -> String {
        self.issue_with_oid(req, user_id.to_owned())
    }

    /// Signs any claims with the token signing key (RS256, with `kid`), e.g. an `id_token`.
    pub fn sign<T: Serialize>(&self, claims: &T) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        header.typ = Some("JWT".to_owned());
        // Signing with a key we generated ourselves cannot fail short of a bug in the JWT crate.
        jsonwebtoken::encode(&header, claims, &self.encoding).unwrap_or_default()
    }

    fn issue_with_oid(&self, req: &TokenRequest<'_>, oid: String) -> String {
        let iat = req.now.timestamp();
        let claims = Claims {
            aud: self.cloud.resource(req.audience).to_owned(),
            iss: format!("https://sts.windows.net/{}/", req.tenant_id),
            iat,
            nbf: iat,
            exp: iat + req.lifetime_s,
            tid: req.tenant_id.to_owned(),
            appid: req.app_id.to_owned(),
            azp: req.app_id.to_owned(),
            sub: oid.clone(),
            oid,
            ver: "1.0".to_owned(),
            roles: req.roles.to_vec(),
            scp: (!req.scopes.is_empty()).then(|| req.scopes.join(" ")),
            wids: req
                .directory_roles
                .iter()
                .map(|r| super::roles::template_id(r))
                .collect(),
            upn: req.upn.map(str::to_owned),
            uti: uuid::Uuid::new_v4().simple().to_string(),
        };
        self.sign(&claims)
    }

    /// Verifies an `Authorization` header value for `audience` at simulated time `now`.
    pub fn verify(
        &self,
        authorization: Option<&str>,
        audience: Audience,
        now: DateTime<Utc>,
    ) -> Result<Caller, AuthError> {
        let token = authorization
            .and_then(|h| {
                h.strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(AuthError::Missing)?;
        let mut validation = Validation::new(Algorithm::RS256);
        // Expiry and audience are checked below against the simulated clock and with Graph's texts.
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|_| AuthError::Invalid)?;
        let claims = data.claims;
        if claims.aud.trim_end_matches('/') != self.cloud.resource(audience) {
            return Err(AuthError::WrongAudience);
        }
        let t = now.timestamp();
        if t >= claims.exp || t < claims.nbf - 300 {
            return Err(AuthError::Expired);
        }
        Ok(Caller {
            app_id: claims.appid,
            tenant_id: claims.tid,
            roles: claims.roles,
            scopes: claims
                .scp
                .map(|s| s.split(' ').map(str::to_owned).collect())
                .unwrap_or_default(),
            directory_roles: claims
                .wids
                .iter()
                .map(|w| super::roles::role_name(w))
                .collect(),
            upn: claims.upn,
        })
    }

    /// Decodes a token's claims without verifying it, for the control plane and tests.
    pub fn peek(token: &str) -> Option<BTreeMap<String, serde_json::Value>> {
        let payload = token.split('.').nth(1)?;
        let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

/// Modulus and exponent of an RSA SubjectPublicKeyInfo.
pub fn rsa_components(spki_der: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let (_, spki) = SubjectPublicKeyInfo::from_der(spki_der).ok()?;
    match spki.parsed().ok()? {
        PublicKey::RSA(rsa) => Some((
            strip_leading_zeros(rsa.modulus).to_vec(),
            strip_leading_zeros(rsa.exponent).to_vec(),
        )),
        _ => None,
    }
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[first..]
}

fn sha1_like(data: &[u8]) -> Vec<u8> {
    use sha2::Digest as _;
    sha2::Sha256::digest(data).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(now: DateTime<Utc>, audience: Audience) -> TokenRequest<'static> {
        TokenRequest {
            tenant_id: "t",
            app_id: "app",
            audience,
            roles: &[],
            scopes: &[],
            directory_roles: &[],
            upn: None,
            now,
            lifetime_s: 60,
        }
    }

    #[test]
    fn issued_tokens_verify_for_their_audience_only_and_expire() {
        let id = Identity::generate().unwrap();
        let now = Utc::now();
        let token = id.issue(&request(now, Audience::Graph));
        let header = format!("Bearer {token}");
        assert!(id.verify(Some(&header), Audience::Graph, now).is_ok());
        assert_eq!(
            id.verify(Some(&header), Audience::Exchange, now),
            Err(AuthError::WrongAudience)
        );
        let later = now + chrono::Duration::seconds(61);
        assert_eq!(
            id.verify(Some(&header), Audience::Graph, later),
            Err(AuthError::Expired)
        );
        assert_eq!(
            id.verify(None, Audience::Graph, now),
            Err(AuthError::Missing)
        );
        let other = Identity::generate().unwrap();
        assert_eq!(
            other.verify(Some(&header), Audience::Graph, now),
            Err(AuthError::Invalid)
        );
    }

    #[test]
    fn read_write_permission_implies_read() {
        let caller = Caller {
            app_id: "a".into(),
            tenant_id: "t".into(),
            roles: vec!["UserAuthenticationMethod.ReadWrite.All".into()],
            scopes: vec![],
            directory_roles: vec![],
            upn: None,
        };
        assert!(caller.has("UserAuthenticationMethod.Read.All"));
        assert!(!caller.has("User.Read.All"));
    }
}
