//! Token introspection for `mailfix auth check`: the claims of the current access token, decoded
//! without verification (the client is not the token's audience; the services verify it).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// The claims of an access token that say who the caller is and what it may do.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenClaims {
    /// Audience (the resource).
    pub aud: String,
    /// Tenant id.
    pub tid: Option<String>,
    /// Calling application id (`appid`, or `azp` in v2 tokens).
    pub appid: Option<String>,
    /// Application permissions (app-only tokens).
    pub roles: Vec<String>,
    /// Delegated permissions (`scp`, split on spaces).
    pub scp: Vec<String>,
    /// Directory roles, by template id (`wids`).
    pub wids: Vec<String>,
    /// Expiry, Unix seconds.
    pub exp: Option<i64>,
    /// The signed-in user (delegated tokens).
    pub upn: Option<String>,
}

#[derive(Deserialize)]
struct Raw {
    #[serde(default)]
    aud: serde_json::Value,
    tid: Option<String>,
    appid: Option<String>,
    azp: Option<String>,
    #[serde(default)]
    roles: Vec<String>,
    scp: Option<String>,
    #[serde(default)]
    wids: Vec<String>,
    exp: Option<i64>,
    upn: Option<String>,
    preferred_username: Option<String>,
}

impl TokenClaims {
    /// Decodes the payload of a JWT without checking its signature.
    pub fn decode_unverified(token: &str) -> Result<Self, Error> {
        let payload = token
            .split('.')
            .nth(1)
            .ok_or_else(|| Error::decode("the access token is not a JWT"))?;
        let bytes = URL_SAFE_NO_PAD
            .decode(payload.trim_end_matches('='))
            .map_err(|_| Error::decode("the access token payload is not base64url"))?;
        let raw: Raw = serde_json::from_slice(&bytes)
            .map_err(|e| Error::decode(format!("the access token payload is not JSON: {e}")))?;
        let aud = match raw.aud {
            serde_json::Value::String(s) => s,
            serde_json::Value::Array(a) => a
                .first()
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned(),
            _ => String::new(),
        };
        Ok(Self {
            aud,
            tid: raw.tid,
            appid: raw.appid.or(raw.azp),
            roles: raw.roles,
            scp: raw
                .scp
                .map(|s| s.split_whitespace().map(str::to_owned).collect())
                .unwrap_or_default(),
            wids: raw.wids,
            exp: raw.exp,
            upn: raw.upn.or(raw.preferred_username),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_app_only_and_delegated_claims() {
        let payload = serde_json::json!({
            "aud": "https://graph.microsoft.com", "tid": "t1", "appid": "a1",
            "roles": ["User.Read.All"], "wids": ["w1"], "exp": 1700000000
        });
        let token = format!("e30.{}.sig", URL_SAFE_NO_PAD.encode(payload.to_string()));
        let c = TokenClaims::decode_unverified(&token).unwrap();
        assert_eq!(c.aud, "https://graph.microsoft.com");
        assert_eq!(c.roles, ["User.Read.All"]);
        assert_eq!(
            (c.tid.as_deref(), c.appid.as_deref()),
            (Some("t1"), Some("a1"))
        );
        assert_eq!(c.exp, Some(1_700_000_000));
        let delegated = serde_json::json!({"aud": ["x"], "azp": "a2", "scp": "User.Read.All Mail.Read", "upn": "u@c"});
        let token = format!("e30.{}.sig", URL_SAFE_NO_PAD.encode(delegated.to_string()));
        let d = TokenClaims::decode_unverified(&token).unwrap();
        assert_eq!(d.scp, ["User.Read.All", "Mail.Read"]);
        assert_eq!((d.aud.as_str(), d.appid.as_deref()), ("x", Some("a2")));
        assert!(TokenClaims::decode_unverified("not-a-jwt").is_err());
    }
}
