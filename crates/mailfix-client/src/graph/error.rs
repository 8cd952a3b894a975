//! Graph error responses (PROTOCOL.md §2.6): `{"error":{"code","message","innerError":{"request-id"},
//! "details":[...]}}`, or plain text from a proxy, turned into typed errors.

use serde::Deserialize;

use crate::error::{Error, ErrorKind, kind_for_status};
use crate::request::Response;
use crate::retry::parse_retry_after;

#[derive(Deserialize)]
struct Envelope {
    error: Body,
}

#[derive(Deserialize)]
struct Body {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default, rename = "innerError", alias = "innererror")]
    inner: Option<Inner>,
    #[serde(default)]
    details: Vec<Detail>,
}

#[derive(Deserialize)]
struct Inner {
    #[serde(rename = "request-id")]
    request_id: Option<String>,
}

#[derive(Deserialize)]
struct Detail {
    #[serde(default)]
    code: String,
}

/// Graph's texts for the two write failures mailfix cares about (PROTOCOL.md §2.2).
const SYNCED: &str = "on-premises mastered Directory Sync objects";
const PROXY_CONFLICT: &str = "same value for property proxyAddresses";

/// The code of Graph's 403 for the registration report in a tenant without Microsoft Entra ID P1
/// or P2 ("Neither tenant is B2C or tenant doesn't have premium license": learn.microsoft.com
/// `authenticationmethods-usage-insights-overview`, "Licenses"; microsoft-graph-docs-contrib issue
/// #8777). A licence, not a permission, is missing.
pub const NO_PREMIUM_LICENCE: &str = "Authentication_RequestFromNonPremiumTenantOrB2CTenant";

/// What to tell the user about that 403.
pub const NO_PREMIUM_HINT: &str = "the authentication methods registration report needs \
    Microsoft Entra ID P1 or P2 in the tenant (a licence, not an app permission); scan without \
    --registration, or license the tenant";

/// The typed error for a failed Graph response.
pub(crate) fn from_response(resp: &Response) -> Error {
    let status = resp.status.as_u16();
    let retry_after = resp
        .header_str("retry-after")
        .and_then(|v| parse_retry_after(v, std::time::SystemTime::now()));
    let (code, message, body_request_id, details) =
        match serde_json::from_slice::<Envelope>(&resp.body) {
            Ok(Envelope { error }) => (
                error.code,
                error.message,
                error.inner.and_then(|i| i.request_id),
                error.details,
            ),
            Err(_) => (
                String::new(),
                crate::body::error_text(&resp.headers, &resp.body),
                None,
                Vec::new(),
            ),
        };
    let mut kind = kind_for_status(status, retry_after);
    if message.contains(SYNCED) {
        kind = ErrorKind::SyncedObject;
    } else if message.contains(PROXY_CONFLICT) || details.iter().any(|d| d.code == "ObjectConflict")
    {
        kind = ErrorKind::ProxyAddressInUse { owner: None };
    }
    let message = if message.is_empty() {
        format!("HTTP {status}")
    } else {
        message
    };
    let licence = (code == NO_PREMIUM_LICENCE).then(|| NO_PREMIUM_HINT.to_owned());
    let hint = licence
        .or_else(|| hint(&kind))
        .or_else(|| crate::body::error_hint(&resp.headers, &resp.body, status));
    Error::new(kind, message)
        .with_status(status)
        .with_code(code)
        .with_request_id(resp.request_id().or(body_request_id))
        .with_retry_after(retry_after)
        .or_hint(hint)
}

fn hint(kind: &ErrorKind) -> Option<String> {
    match kind {
        ErrorKind::SyncedObject => Some(
            "the object is synchronised from on-premises AD: change it there and let sync run"
                .to_owned(),
        ),
        ErrorKind::Gone => Some("the delta link expired: start a new delta round".to_owned()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use http::{HeaderMap, StatusCode};

    use super::*;

    fn resp(status: u16, headers: &[(&'static str, &str)], body: &str) -> Response {
        let mut h = HeaderMap::new();
        for (k, v) in headers {
            h.insert(*k, v.parse().unwrap());
        }
        Response {
            status: StatusCode::from_u16(status).unwrap(),
            headers: h,
            body: Bytes::from(body.to_owned()),
            received_at: tokio::time::Instant::now(),
        }
    }

    #[test]
    fn throttling_sample_from_the_docs() {
        let body = r#"{"error":{"code":"TooManyRequests","innerError":{"code":"429","date":"2020-08-18T12:51:51","message":"Please retry after","request-id":"94fb3b52-452a-4535-a601-69e0a90e3aa2","status":"429"},"message":"Please retry again later."}}"#;
        let e = from_response(&resp(429, &[("Retry-After", "2.128")], body));
        assert_eq!(e.kind(), &ErrorKind::Throttled);
        assert_eq!(e.code(), Some("TooManyRequests"));
        assert_eq!(e.message(), "Please retry again later.");
        assert_eq!(e.request_id(), Some("94fb3b52-452a-4535-a601-69e0a90e3aa2"));
        assert_eq!(
            e.retry_after(),
            Some(std::time::Duration::from_millis(2128))
        );
    }

    #[test]
    fn statuses_and_texts_map_to_kinds() {
        let env =
            |code: &str, msg: &str| format!(r#"{{"error":{{"code":"{code}","message":"{msg}"}}}}"#);
        let cases = [
            (
                404,
                env("Request_ResourceNotFound", "Resource 'x' does not exist"),
                ErrorKind::NotFound,
            ),
            (
                403,
                env(
                    "Authorization_RequestDenied",
                    "Insufficient privileges to complete the operation.",
                ),
                ErrorKind::Forbidden,
            ),
            (
                401,
                env(
                    "InvalidAuthenticationToken",
                    "Access token has expired or is not yet valid.",
                ),
                ErrorKind::Unauthorized,
            ),
            (
                400,
                env(
                    "Request_BadRequest",
                    "Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.",
                ),
                ErrorKind::SyncedObject,
            ),
            (
                400,
                env(
                    "Request_BadRequest",
                    "Another object with the same value for property proxyAddresses already exists.",
                ),
                ErrorKind::ProxyAddressInUse { owner: None },
            ),
            (
                400,
                env("Request_UnsupportedQuery", "Unsupported query."),
                ErrorKind::BadRequest,
            ),
            (410, env("SyncStateNotFound", "gone"), ErrorKind::Gone),
            (504, env("GatewayTimeout", "x"), ErrorKind::Transient),
            (503, env("ServiceUnavailable", "x"), ErrorKind::Transient),
        ];
        for (status, body, kind) in cases {
            let e = from_response(&resp(status, &[("request-id", "rid")], &body));
            assert_eq!(e.kind(), &kind, "{status} {body}");
            assert_eq!(e.status(), Some(status));
            assert_eq!(e.request_id(), Some("rid"));
        }
    }

    #[test]
    fn non_json_bodies_are_described_in_a_line_with_a_hint() {
        let page = "<html><head><title>502 Bad Gateway</title></head>\n<body>..</body></html>";
        let e = from_response(&resp(502, &[], page));
        assert_eq!(
            e.message(),
            "an HTML page (\"502 Bad Gateway\") instead of the service's answer"
        );
        assert_eq!(e.kind(), &ErrorKind::Transient);
        assert!(e.hint().unwrap().contains("proxy"), "{:?}", e.hint());
        let empty = from_response(&resp(500, &[], ""));
        assert_eq!(empty.message(), "no details (the answer was empty)");
        assert!(empty.hint().unwrap().contains("without saying why"));
        let text = from_response(&resp(503, &[], "Service\n  Unavailable"));
        assert_eq!(text.message(), "Service Unavailable");
    }
}
