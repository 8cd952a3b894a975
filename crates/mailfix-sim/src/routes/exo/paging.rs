//! Paging of `InvokeCommand` lists: the page size from `Prefer` / `X-Prefer: odata.maxpagesize=N`
//! (at most 1000), and an opaque `$skiptoken` bound to the cmdlet and its parameters. A client
//! continues by re-POSTing the same body to `@odata.nextLink` (docs/protocol.md §1.5; the real nextLink
//! format is UNCONFIRMED).

use axum::http::HeaderMap;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::Digest as _;

use super::error::ExoError;

/// The largest page Exchange serves.
pub const MAX_PAGE_SIZE: usize = 1000;

/// Where a list continues.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// Lowercase cmdlet name.
    #[serde(rename = "c")]
    pub cmdlet: String,
    /// Fingerprint of the parameters.
    #[serde(rename = "p")]
    pub params: String,
    /// Next user index to look at.
    #[serde(rename = "o")]
    pub next: u32,
    /// Results returned so far (for `ResultSize`).
    #[serde(rename = "n")]
    pub returned: usize,
}

impl Cursor {
    /// The start of a list.
    pub fn start(cmdlet: &str, params: &serde_json::Value) -> Self {
        Self {
            cmdlet: cmdlet.to_ascii_lowercase(),
            params: fingerprint(params),
            next: 0,
            returned: 0,
        }
    }

    /// The opaque token.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// Decodes a token and checks it belongs to this cmdlet and these parameters.
    pub fn resume(token: &str, cmdlet: &str, params: &serde_json::Value) -> Result<Self, ExoError> {
        let invalid = || {
            ExoError::bad_request(
                "The $skiptoken is not valid for this request: re-POST the same body to the \
                 @odata.nextLink you were given."
                    .to_owned(),
                "Microsoft.Exchange.Management.RestApiClient.InvalidSkipTokenException",
            )
        };
        let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
        let cursor: Cursor = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
        if cursor.cmdlet != cmdlet.to_ascii_lowercase() || cursor.params != fingerprint(params) {
            return Err(invalid());
        }
        Ok(cursor)
    }
}

/// A short hash of the parameters (serde_json maps are ordered, so this is canonical).
fn fingerprint(params: &serde_json::Value) -> String {
    let digest = sha2::Sha256::digest(params.to_string().as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// The page size the client asked for with `Prefer` or `X-Prefer`, clamped to 1..=1000.
pub fn requested_page_size(headers: &HeaderMap) -> Option<usize> {
    ["prefer", "x-prefer"]
        .into_iter()
        .flat_map(|name| headers.get_all(name))
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split([',', ';']))
        .find_map(|preference| {
            let (key, value) = preference.split_once('=')?;
            key.trim()
                .eq_ignore_ascii_case("odata.maxpagesize")
                .then(|| value.trim().trim_matches('"').parse::<usize>().ok())
                .flatten()
        })
        .map(|size| size.clamp(1, MAX_PAGE_SIZE))
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn page_size_comes_from_either_header() {
        let mut headers = HeaderMap::new();
        assert_eq!(requested_page_size(&headers), None);
        headers.insert(
            "x-prefer",
            HeaderValue::from_static("odata.maxpagesize = 50;odata.continue-on-error"),
        );
        assert_eq!(requested_page_size(&headers), Some(50));
        headers.insert("prefer", HeaderValue::from_static("odata.maxpagesize=5000"));
        assert_eq!(requested_page_size(&headers), Some(1000));
    }

    #[test]
    fn tokens_are_bound_to_cmdlet_and_parameters() {
        let params = serde_json::json!({"ResultSize": "Unlimited"});
        let mut cursor = Cursor::start("Get-Mailbox", &params);
        cursor.next = 42;
        let token = cursor.encode();
        assert_eq!(
            Cursor::resume(&token, "get-mailbox", &params).unwrap().next,
            42
        );
        assert!(Cursor::resume(&token, "Get-User", &params).is_err());
        assert!(Cursor::resume(&token, "Get-Mailbox", &serde_json::json!({})).is_err());
        assert!(Cursor::resume("garbage", "Get-Mailbox", &params).is_err());
    }
}
