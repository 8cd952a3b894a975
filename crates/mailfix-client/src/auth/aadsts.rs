//! Sign-in errors: the identity platform's `{"error", "error_description": "AADSTSnnnn: ..."}`
//! turned into a [`SignInKind`] with a hint (PROTOCOL.md §5.1).

use oauth2::{ErrorResponseType, RequestTokenError, StandardErrorResponse};

use super::http::HttpError;
use crate::error::{Error, ErrorKind, Service, SignInKind};

/// The number after `AADSTS` in an error description.
pub(crate) fn aadsts_code(description: &str) -> Option<u32> {
    let start = description.find("AADSTS")? + "AADSTS".len();
    let digits: String = description[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The kind of a sign-in failure from its AADSTS code and OAuth `error`.
pub(crate) fn classify(code: Option<u32>, error: &str) -> SignInKind {
    match code {
        Some(7000215 | 7000222 | 7000216) => SignInKind::InvalidSecret,
        Some(700016) => SignInKind::UnknownApp,
        Some(90002 | 900023 | 90023) => SignInKind::UnknownTenant,
        Some(70011 | 500011 | 28000 | 28003) => SignInKind::InvalidScope,
        Some(700027 | 700024 | 700023 | 50027 | 5002723 | 7000274) => SignInKind::InvalidAssertion,
        Some(7000218) => SignInKind::NotPublicClient,
        _ => match error {
            "invalid_grant" => SignInKind::InvalidGrant,
            "authorization_declined" | "access_denied" => SignInKind::AuthorizationDeclined,
            "expired_token" => SignInKind::DeviceCodeExpired,
            _ => SignInKind::Other,
        },
    }
}

/// What to do about a sign-in failure.
pub(crate) fn hint(kind: SignInKind, tenant: &str, client_id: &str) -> Option<String> {
    Some(match kind {
        SignInKind::InvalidSecret => "the client secret is wrong or expired: use the secret's \
            Value (not its Secret ID) from App registrations > Certificates & secrets, in \
            MAILFIX_CLIENT_SECRET or a secret file"
            .to_owned(),
        SignInKind::UnknownApp => format!(
            "no application with client id {client_id} in tenant {tenant}: check the client id \
             and the tenant, and that the app is registered or consented in that tenant"
        ),
        SignInKind::UnknownTenant => format!(
            "tenant '{tenant}' was not found: use the tenant id (GUID) or a verified domain, and \
             the right --cloud"
        ),
        SignInKind::InvalidScope => "the requested resource is not valid here: check --cloud and \
            the endpoint overrides (the token scope is the resource's /.default)"
            .to_owned(),
        SignInKind::InvalidAssertion => "the certificate assertion was refused: upload this \
            certificate (its public key) to the app registration under Certificates & secrets, \
            and check the system clock"
            .to_owned(),
        SignInKind::NotPublicClient => format!(
            "device-code sign-in (`mailfix auth login`) needs a public client, and app \
             {client_id} is not one: in its app registration, Authentication > Advanced settings, \
             set \"Allow public client flows\" to Yes (or use a separate app for it). An app with \
             a client secret or certificate needs no `auth login`"
        ),
        SignInKind::InvalidGrant => "the cached sign-in is no longer valid: run `mailfix auth \
            login` again"
            .to_owned(),
        SignInKind::AuthorizationDeclined => "the sign-in was declined in the browser".to_owned(),
        SignInKind::DeviceCodeExpired => "the device code expired before sign-in finished: run \
            `mailfix auth login` again and complete it within the time shown"
            .to_owned(),
        SignInKind::Other => return None,
    })
}

/// Converts an `oauth2` failure into an [`Error`]. Bodies are never copied into the error (a
/// successful body that failed to parse would hold a token).
pub(crate) fn from_oauth<T>(
    err: RequestTokenError<HttpError, StandardErrorResponse<T>>,
    tenant: &str,
    client_id: &str,
) -> Error
where
    T: ErrorResponseType + AsRef<str> + std::fmt::Display + 'static,
{
    match err {
        RequestTokenError::ServerResponse(resp) => {
            let error = resp.error().as_ref().to_owned();
            let description = resp.error_description().cloned().unwrap_or_default();
            let code = aadsts_code(&description);
            let kind = classify(code, &error);
            // RFC 6749's transient errors (an outage that outlasted the retries) are not about the
            // credentials: callers may try again later.
            let transient = matches!(error.as_str(), "temporarily_unavailable" | "server_error");
            let headline = description
                .lines()
                .next()
                .filter(|l| !l.trim().is_empty())
                .unwrap_or(&error)
                .trim()
                .to_owned();
            let code_text = code.map_or(error, |c| format!("AADSTS{c}"));
            // The description starts with the code, which the error shows on its own already.
            let headline = match headline.strip_prefix(&format!("{code_text}:")) {
                Some(rest) if !rest.trim().is_empty() => rest.trim().to_owned(),
                _ => headline,
            };
            if transient {
                return Error::new(ErrorKind::Transient, headline)
                    .at(Service::Login, "token")
                    .with_code(code_text);
            }
            Error::new(ErrorKind::SignIn(kind), headline)
                .at(Service::Login, "token")
                .with_code(code_text)
                .or_hint(hint(kind, tenant, client_id))
        }
        RequestTokenError::Request(HttpError(e)) => e,
        RequestTokenError::Parse(e, _body) => Error::decode(format!(
            "the token endpoint's answer could not be read: {}",
            e.path()
        ))
        .at(Service::Login, "token"),
        RequestTokenError::Other(message) => {
            Error::new(ErrorKind::SignIn(SignInKind::Other), message).at(Service::Login, "token")
        }
    }
}

#[cfg(test)]
mod tests {
    use oauth2::basic::{BasicErrorResponse, BasicErrorResponseType};

    use super::*;

    #[test]
    fn aadsts_codes_are_read_from_descriptions() {
        assert_eq!(
            aadsts_code("AADSTS7000215: Invalid client secret provided."),
            Some(7000215)
        );
        assert_eq!(
            aadsts_code("x\r\nAADSTS90002: Tenant 'x' not found."),
            Some(90002)
        );
        assert_eq!(aadsts_code("no code here"), None);
    }

    #[test]
    fn known_codes_map_to_kinds_with_hints() {
        let cases = [
            (7000215, SignInKind::InvalidSecret, "Value"),
            (700016, SignInKind::UnknownApp, "client id app-1"),
            (90002, SignInKind::UnknownTenant, "tenant 'contoso'"),
            (70011, SignInKind::InvalidScope, "--cloud"),
            (700027, SignInKind::InvalidAssertion, "certificate"),
            (
                7000218,
                SignInKind::NotPublicClient,
                "Allow public client flows",
            ),
        ];
        for (code, kind, needle) in cases {
            assert_eq!(classify(Some(code), "invalid_client"), kind, "{code}");
            let h = hint(kind, "contoso", "app-1").unwrap();
            assert!(h.contains(needle), "{code}: {h}");
        }
        assert_eq!(classify(None, "invalid_grant"), SignInKind::InvalidGrant);
        assert_eq!(
            classify(None, "expired_token"),
            SignInKind::DeviceCodeExpired
        );
    }

    #[test]
    fn server_response_becomes_a_typed_error_without_trace_lines() {
        let body = serde_json::json!({
            "error": "invalid_scope",
            "error_description": "AADSTS70011: The provided value for the input parameter 'scope' is not valid.\r\nTrace ID: 255d\r\nCorrelation ID: fb3d",
            "error_codes": [70011]
        });
        let resp: BasicErrorResponse = serde_json::from_value(body).unwrap();
        assert_eq!(resp.error(), &BasicErrorResponseType::InvalidScope);
        let e = from_oauth(RequestTokenError::ServerResponse(resp), "t", "c");
        assert_eq!(e.kind(), &ErrorKind::SignIn(SignInKind::InvalidScope));
        assert_eq!(e.code(), Some("AADSTS70011"));
        assert_eq!(
            e.to_string(),
            "sign-in token: AADSTS70011: The provided value for the input parameter 'scope' is not valid.",
            "the code once"
        );
        assert!(!e.message().contains("Trace ID"), "{}", e.message());
        assert!(e.hint().is_some() && e.is_unauthorized());
    }
}
