//! Exchange `InvokeCommand` errors (PROTOCOL.md §1.6). The message is taken from
//! `error.details[0].message` (a JSON object with `Message`/`TypeName` — shape A — or
//! `ErrorId|ExceptionType|Message` — shape B), else `error.innererror.internalException.message`
//! (shape C), else `error.message`; a non-JSON body is plain text. Known texts become typed kinds.

use serde_json::Value;

use crate::error::{Error, ErrorKind, kind_for_status};
use crate::request::Response;
use crate::retry::{is_concurrency_message, parse_retry_after};

/// What an Exchange error body says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExoFailure {
    /// `error.code` (`BadRequest`, `NotFound`, ...).
    pub code: Option<String>,
    /// The cmdlet's message.
    pub message: String,
    /// The .NET exception type, when given.
    pub type_name: Option<String>,
}

/// Parses any of the three JSON shapes, or plain text.
pub fn parse_body(body: &[u8]) -> ExoFailure {
    let Ok(json) = serde_json::from_slice::<Value>(body) else {
        return ExoFailure {
            message: crate::body::error_text(&http::HeaderMap::new(), body),
            ..ExoFailure::default()
        };
    };
    let error = &json["error"];
    let code = error["code"].as_str().map(str::to_owned);
    let detail = match &error["details"] {
        Value::Array(items) => items.first().and_then(|d| d["message"].as_str()),
        d => d["message"].as_str(),
    };
    let (message, type_name) = if let Some(detail) = detail {
        split_detail(detail)
    } else if let Some(inner) = error["innererror"]["internalException"]["message"].as_str() {
        (inner.to_owned(), None)
    } else if let Some(m) = error["message"].as_str() {
        (m.to_owned(), None)
    } else {
        (crate::body::error_text(&http::HeaderMap::new(), body), None)
    };
    ExoFailure {
        code,
        message,
        type_name,
    }
}

/// A detail message: JSON (`{"Message","TypeName"}`), `ErrorId|Type|Message`, or text.
fn split_detail(detail: &str) -> (String, Option<String>) {
    let trimmed = detail.trim();
    if trimmed.starts_with('{')
        && let Ok(v) = serde_json::from_str::<Value>(trimmed)
        && let Some(m) = v["Message"].as_str()
    {
        return (m.to_owned(), v["TypeName"].as_str().map(str::to_owned));
    }
    let parts: Vec<&str> = trimmed.splitn(3, '|').collect();
    if let [_, type_name, message] = parts.as_slice() {
        return ((*message).to_owned(), Some((*type_name).to_owned()));
    }
    (trimmed.to_owned(), None)
}

/// The conflicting recipient in Exchange's duplicate proxy text: `... already being used by the
/// proxy addresses or LegacyExchangeDN of "{name}". Please choose another proxy address.`
pub fn proxy_owner(message: &str) -> Option<String> {
    let after = &message[message.find("already being used")?..];
    let start = after.find(" of \"")? + " of \"".len();
    let end = after[start..].find('"')?;
    Some(after[start..start + end].to_owned())
}

/// Exchange's dual-write failure for an address another directory object holds: "... DualWrite
/// (Graph) ... Another object with the same value for property proxyAddresses already exists"
/// (`ObjectConflict`), which "may be transient and please retry a couple of minutes later"
/// (vilega/O365Troubleshooters issue #215; the Graph side of the same conflict is documented in
/// microsoft-graph-docs-contrib issue #8421).
fn is_dual_write_conflict(lowercase: &str) -> bool {
    lowercase.contains("another object with the same value for property proxyaddresses")
        || lowercase.contains("objectconflict")
}

/// The kind a failure's text and type name indicate, or `None` to go by the status.
pub fn kind_for_text(message: &str, type_name: Option<&str>) -> Option<ErrorKind> {
    let m = message.to_ascii_lowercase();
    let t = type_name.unwrap_or_default();
    if is_concurrency_message(message.as_bytes()) {
        Some(ErrorKind::ConcurrencyLimit)
    } else if is_dual_write_conflict(&m) {
        Some(ErrorKind::DualWriteConflict)
    } else if t.ends_with("ManagementObjectNotFoundException")
        || m.contains("couldn't be found")
        || m.contains("could not be found")
    {
        Some(ErrorKind::NotFound)
    } else if m.contains("write scope") || m.contains("synchronized from your on-premises") {
        Some(ErrorKind::SyncedObject)
    } else if t.ends_with("ProxyAddressExistsException")
        || (m.contains("proxy address") && m.contains("already being used"))
    {
        Some(ErrorKind::ProxyAddressInUse {
            owner: proxy_owner(message),
        })
    } else if t.ends_with("NotAcceptedDomainException")
        || (m.contains("accepted domain") && (m.contains("isn't") || m.contains("not")))
    {
        Some(ErrorKind::DomainNotAccepted)
    } else {
        None
    }
}

fn hint(kind: &ErrorKind) -> Option<String> {
    Some(match kind {
        ErrorKind::SyncedObject => "the mailbox's user is synchronised from on-premises AD: set \
            the address there and let sync run; a cloud-side change does not stick"
            .to_owned(),
        ErrorKind::ProxyAddressInUse { owner } => format!(
            "another recipient{} already has this address; choose another",
            owner
                .as_deref()
                .map(|o| format!(" ({o})"))
                .unwrap_or_default()
        ),
        ErrorKind::DomainNotAccepted => "use an accepted domain of the organisation (see \
            Get-AcceptedDomain), e.g. the initial *.onmicrosoft.com domain"
            .to_owned(),
        ErrorKind::ConcurrencyLimit => "Exchange limits concurrent requests per tenant; lower \
            the concurrency"
            .to_owned(),
        ErrorKind::DualWriteConflict => "Exchange could not write the change to Entra ID because \
            another directory object holds the address there (ObjectConflict); Microsoft says this \
            may be transient: try again a few minutes later, or choose another address"
            .to_owned(),
        _ => return None,
    })
}

/// The typed error for a failed Exchange response.
pub(crate) fn from_response(resp: &Response) -> Error {
    let status = resp.status.as_u16();
    let retry_after = resp
        .header_str("retry-after")
        .and_then(|v| parse_retry_after(v, std::time::SystemTime::now()));
    let failure = parse_body(&resp.body);
    let kind = kind_for_text(&failure.message, failure.type_name.as_deref())
        .unwrap_or_else(|| kind_for_status(status, retry_after));
    let hint = hint(&kind).or_else(|| crate::body::error_hint(&resp.headers, &resp.body, status));
    if resp.status.is_redirection() {
        return redirected(resp);
    }
    let message = if failure.message.is_empty() {
        format!("HTTP {status}")
    } else {
        failure.message
    };
    Error::new(kind, message)
        .with_status(status)
        .with_code(failure.type_name.or(failure.code).unwrap_or_default())
        .with_request_id(resp.request_id())
        .with_retry_after(retry_after)
        .or_hint(hint)
}

/// A redirect where a cmdlet was sent: the tenant is served from another host than the one the
/// cmdlet went to.
fn redirected(resp: &Response) -> Error {
    let status = resp.status.as_u16();
    let target = resp
        .header_str("location")
        .and_then(|l| url::Url::parse(l).ok())
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "another host".to_owned());
    Error::new(
        ErrorKind::Service,
        format!("HTTP {status}: Exchange redirected the call to {target}"),
    )
    .with_status(status)
    .with_request_id(resp.request_id())
    .with_hint(
        "this tenant is served from a tenant-specific Exchange host, which mailfix discovers before \
         its first cmdlet; check that --exo-url (MAILFIX_EXO_URL) names the front door by host \
         name (not an IP address), and attach a --trace file if it persists",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHAPE_A_404: &str = r#"{"error":{"code":"NotFound","message":"Error executing cmdlet","details":[{"code":"Client","message":"{\"Message\":\"The operation couldn't be performed because object 'rg' couldn't be found.\",\"TypeName\":\"Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException\",\"InnerError\":null}"}]}}"#;
    const SHAPE_A_400: &str = r#"{"error":{"code":"BadRequest","message":"Error executing cmdlet","details":[{"code":"Context","target":"","message":"{\"Message\":\"The object 'CN=rg,OU=x' already exists.\",\"TypeName\":\"Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException\",\"StackTrace\":null,\"InnerError\":null}"}],"innererror":{"message":"Error executing cmdlet","type":"ODataServiceException"}}}"#;
    const SHAPE_B: &str = r#"{"error":{"code":"NotFound","message":"Error executing cmdlet","details":[{"message":"Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The operation couldn't be performed because object 'x@y' couldn't be found on 'CY4PR04A10DC003.NAMPR04A010.PROD.OUTLOOK.COM'."}]}}"#;
    const SHAPE_C: &str = r#"{"error":{"code":"BadRequest","message":"Error executing cmdlet","innererror":{"internalException":{"message":"The operation on mailbox \"u1\" failed because it's out of the current user's write scope. The action 'Set-Mailbox', 'EmailAddresses', can't be performed on the object 'u1' because the object is being synchronized from your on-premises organization."}}}}"#;

    #[test]
    fn three_json_shapes_and_plain_text_are_parsed() {
        let a = parse_body(SHAPE_A_404.as_bytes());
        assert_eq!(a.code.as_deref(), Some("NotFound"));
        assert!(a.message.starts_with("The operation couldn't be performed"));
        assert!(
            a.type_name
                .unwrap()
                .ends_with("ManagementObjectNotFoundException")
        );
        let a400 = parse_body(SHAPE_A_400.as_bytes());
        assert_eq!(a400.message, "The object 'CN=rg,OU=x' already exists.");
        let b = parse_body(SHAPE_B.as_bytes());
        assert!(
            b.message
                .starts_with("The operation couldn't be performed because object 'x@y'")
        );
        assert_eq!(
            b.type_name.as_deref(),
            Some("Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException")
        );
        let c = parse_body(SHAPE_C.as_bytes());
        assert!(c.message.contains("write scope"));
        let text = parse_body(b"You have reached the maximum number of concurrent requests per tenant. Please wait and try again");
        assert!(text.message.starts_with("You have reached"));
        assert_eq!(text.code, None);
        let bare = parse_body(br#"{"error":{"code":"X","message":"Only a message"}}"#);
        assert_eq!(bare.message, "Only a message");
    }

    #[test]
    fn known_texts_become_typed_kinds() {
        let kind = |body: &str| {
            let f = parse_body(body.as_bytes());
            kind_for_text(&f.message, f.type_name.as_deref())
        };
        assert_eq!(kind(SHAPE_A_404), Some(ErrorKind::NotFound));
        assert_eq!(kind(SHAPE_B), Some(ErrorKind::NotFound));
        assert_eq!(kind(SHAPE_C), Some(ErrorKind::SyncedObject));
        assert_eq!(kind(SHAPE_A_400), None);
        let dup = "The proxy address \"smtp:a@contoso.com\" is already being used by the proxy addresses or LegacyExchangeDN of \"Adele Vance\". Please choose another proxy address.";
        assert_eq!(
            kind_for_text(dup, None),
            Some(ErrorKind::ProxyAddressInUse {
                owner: Some("Adele Vance".into())
            })
        );
        assert_eq!(
            kind_for_text(
                "The domain 'fabrikam.com' isn't an accepted domain for your organization.",
                None
            ),
            Some(ErrorKind::DomainNotAccepted)
        );
        assert_eq!(
            kind_for_text(
                "x",
                Some("Microsoft.Exchange.Data.NotAcceptedDomainException")
            ),
            Some(ErrorKind::DomainNotAccepted)
        );
        assert_eq!(
            kind_for_text(
                "You have reached the maximum number of concurrent requests per tenant.",
                None
            ),
            Some(ErrorKind::ConcurrencyLimit)
        );
    }

    #[test]
    fn dual_write_conflicts_are_their_own_kind() {
        let text = "Error executing request. An Azure Active Directory call was made to keep object \
            in sync between Azure Active Directory and Exchange Online. However, it failed. Detailed \
            error message: Another object with the same value for property proxyAddresses already \
            exists. DualWrite (Graph) RequestId: 9f1b. The issue may be transient and please retry \
            a couple of minutes later.";
        assert_eq!(
            kind_for_text(text, None),
            Some(ErrorKind::DualWriteConflict)
        );
        assert_eq!(
            kind_for_text("Reason: ObjectConflict", None),
            Some(ErrorKind::DualWriteConflict)
        );
    }

    #[test]
    fn owner_is_none_when_the_text_does_not_name_one() {
        assert_eq!(
            proxy_owner("The proxy address is already being used."),
            None
        );
    }
}
