//! The identity platform's error responses: OAuth `error` plus an `AADSTSnnnn` description carrying
//! `Trace ID`, `Correlation ID` and `Timestamp` lines, `error_codes`, `timestamp`, `trace_id`,
//! `correlation_id` and `error_uri` (docs/protocol.md §5.1, the documented sample in
//! `reference/graph-doc-examples/token-error-invalid-scope.json`).
//!
//! Texts come from Microsoft's error-code reference and real responses quoted in public issues; the
//! ones no public source shows verbatim are marked UNCONFIRMED in COVERAGE.md.

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Where developers look an error code up (the real service links the same page).
const ERROR_LOOKUP: &str = "https://login.microsoftonline.com/error?code=";
/// Documentation link the service appends to client-assertion errors.
const CERT_DOCS: &str =
    "https://learn.microsoft.com/entra/identity-platform/certificate-credentials";

/// An error the sign-in endpoints answer with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AadError {
    /// HTTP status (401 for `invalid_client`, 400 otherwise).
    pub status: StatusCode,
    /// The OAuth `error` value.
    pub error: &'static str,
    /// The AADSTS number.
    pub code: u32,
    /// The description after `AADSTSnnnn: `, without the trace lines.
    pub message: String,
}

/// The wire shape of an error.
#[derive(Debug, Serialize)]
pub struct AadErrorBody {
    error: &'static str,
    error_description: String,
    error_codes: [u32; 1],
    timestamp: String,
    trace_id: String,
    correlation_id: String,
    error_uri: String,
}

/// A time as the service prints it in descriptions: seven fractional digits (.NET ticks).
fn ticks(t: DateTime<Utc>) -> String {
    let fraction = t.timestamp_subsec_nanos() / 100;
    format!("{}.{fraction:07}Z", t.format("%Y-%m-%dT%H:%M:%S"))
}

impl AadError {
    fn new(error: &'static str, code: u32, message: impl Into<String>) -> Self {
        let status = if error == "invalid_client" {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::BAD_REQUEST
        };
        Self {
            status,
            error,
            code,
            message: message.into(),
        }
    }

    /// The JSON body at `now`, with a fresh trace id and the client's correlation id if it sent one.
    pub fn body(&self, now: DateTime<Utc>, correlation_id: Option<&str>) -> AadErrorBody {
        let timestamp = now.format("%Y-%m-%d %H:%M:%SZ").to_string();
        let trace_id = uuid::Uuid::new_v4().to_string();
        let correlation_id = correlation_id
            .and_then(|c| uuid::Uuid::parse_str(c).ok())
            .unwrap_or_else(uuid::Uuid::new_v4)
            .to_string();
        AadErrorBody {
            error: self.error,
            error_description: format!(
                "AADSTS{}: {}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}\r\nTimestamp: {timestamp}",
                self.code, self.message
            ),
            error_codes: [self.code],
            timestamp,
            trace_id,
            correlation_id,
            error_uri: format!("{ERROR_LOOKUP}{}", self.code),
        }
    }

    /// AADSTS900144: a required form parameter is missing.
    pub fn missing_parameter(name: &str) -> Self {
        Self::new(
            "invalid_request",
            900144,
            format!("The request body must contain the following parameter: '{name}'."),
        )
    }

    /// AADSTS900561: the token endpoint was called with GET.
    pub fn post_only(method: &str) -> Self {
        Self::new(
            "invalid_request",
            900561,
            format!(
                "The endpoint only accepts POST, OPTIONS requests. Received a {method} request."
            ),
        )
    }

    /// AADSTS90002: no tenant by that id or domain.
    pub fn unknown_tenant(tenant: &str) -> Self {
        Self::new(
            "invalid_request",
            90002,
            format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."
            ),
        )
    }

    /// AADSTS90002 as the discovery endpoint answers it (`invalid_tenant`).
    pub fn unknown_tenant_discovery(tenant: &str) -> Self {
        Self {
            error: "invalid_tenant",
            ..Self::unknown_tenant(tenant)
        }
    }

    /// AADSTS9001023: client credentials over `/common` or `/consumers`.
    pub fn grant_not_on_common() -> Self {
        Self::new(
            "invalid_request",
            9001023,
            "The grant type isn't supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint.",
        )
    }

    /// AADSTS50059: client credentials over `/organizations` name no tenant (UNCONFIRMED pairing).
    pub fn no_tenant_realm() -> Self {
        Self::new(
            "invalid_request",
            50059,
            "No tenant-identifying information found in either the request or implied by any provided credentials.",
        )
    }

    /// AADSTS700016: no app with this client id in the tenant.
    pub fn unknown_app(client_id: &str, tenant_name: &str) -> Self {
        Self::new(
            "unauthorized_client",
            700016,
            format!(
                "Application with identifier '{client_id}' was not found in the directory '{tenant_name}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."
            ),
        )
    }

    /// AADSTS7000215: the secret does not match.
    pub fn invalid_secret(client_id: &str) -> Self {
        Self::new(
            "invalid_client",
            7000215,
            format!(
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."
            ),
        )
    }

    /// AADSTS7000218: neither a secret nor an assertion (also what a confidential app gets from
    /// device-code redemption).
    pub fn credential_required() -> Self {
        Self::new(
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        )
    }

    /// AADSTS70011: the scope names no resource this tenant serves, or is not `{resource}/.default`.
    pub fn invalid_scope(scope: &str) -> Self {
        Self::new(
            "invalid_scope",
            70011,
            format!(
                "The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid."
            ),
        )
    }

    /// An injected fault of the token endpoint: `server_error` for a 500, `temporarily_unavailable`
    /// otherwise, with the status of the fault (AADSTS90033 and its text: UNCONFIRMED pairing).
    pub fn transient(status: StatusCode) -> Self {
        let error = if status == StatusCode::INTERNAL_SERVER_ERROR {
            "server_error"
        } else {
            "temporarily_unavailable"
        };
        Self {
            status,
            ..Self::new(
                error,
                90033,
                "A transient error has occurred. Please try again.",
            )
        }
    }

    /// AADSTS70003: unknown `grant_type` (UNCONFIRMED text).
    pub fn unsupported_grant(grant_type: &str) -> Self {
        Self::new(
            "unsupported_grant_type",
            70003,
            format!("The app requested an unsupported grant type '{grant_type}'."),
        )
    }

    /// AADSTS50027: the client assertion is not a JWT this service can read, or names another
    /// audience (UNCONFIRMED text).
    pub fn malformed_assertion(reason: &str) -> Self {
        Self::new(
            "invalid_client",
            50027,
            format!("JWT token is invalid or malformed. [Reason - {reason}]"),
        )
    }

    /// AADSTS700027: no registered certificate has the assertion's thumbprint.
    pub fn assertion_key_not_found(thumbprint: &str, client_id: &str) -> Self {
        Self::new(
            "invalid_client",
            700027,
            format!(
                "Client assertion failed signature validation. [Reason - The key was not found., Thumbprint of key used by client: '{thumbprint}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{client_id}'.] Review the documentation at {CERT_DOCS} ."
            ),
        )
    }

    /// AADSTS7000274: the certificate is registered but the signature does not verify (UNCONFIRMED
    /// text).
    pub fn assertion_bad_signature(thumbprint: &str) -> Self {
        Self::new(
            "invalid_client",
            7000274,
            format!(
                "Client assertion contains an invalid signature. [Reason - Key was found, but use of the key to verify the signature failed., Thumbprint of key used by client: '{thumbprint}'] Review the documentation at {CERT_DOCS} ."
            ),
        )
    }

    /// AADSTS700024: outside `nbf`..`exp`.
    pub fn assertion_time_range(
        now: DateTime<Utc>,
        nbf: DateTime<Utc>,
        exp: DateTime<Utc>,
    ) -> Self {
        let t = ticks;
        Self::new(
            "invalid_client",
            700024,
            format!(
                "Client assertion is not within its valid time range. Current time: {}, assertion valid from {}, expiry time of assertion {}. Review the documentation at {CERT_DOCS} .",
                t(now),
                t(nbf),
                t(exp)
            ),
        )
    }

    /// AADSTS700021: `iss` is not the client id (UNCONFIRMED text).
    pub fn assertion_wrong_issuer() -> Self {
        Self::new(
            "invalid_client",
            700021,
            format!(
                "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at {CERT_DOCS} ."
            ),
        )
    }

    /// AADSTS50048: `sub` differs from `iss`.
    pub fn assertion_subject_mismatch() -> Self {
        Self::new(
            "invalid_client",
            50048,
            "Subject mismatches Issuer claim in the client assertion.",
        )
    }

    /// AADSTS50013: the assertion's `jti` was already used (UNCONFIRMED code and text).
    pub fn assertion_replayed(jti: &str) -> Self {
        Self::new(
            "invalid_client",
            50013,
            format!(
                "Assertion failed validation. [Reason - The assertion with jti '{jti}' has already been used.]"
            ),
        )
    }

    /// AADSTS70016: device-code sign-in not finished yet.
    pub fn authorization_pending() -> Self {
        Self::new(
            "authorization_pending",
            70016,
            "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
        )
    }

    /// AADSTS65004 as `authorization_declined`: the user declined (UNCONFIRMED code).
    pub fn authorization_declined() -> Self {
        Self::new(
            "authorization_declined",
            65004,
            "User declined to consent to access the app.",
        )
    }

    /// AADSTS70018: unknown or already redeemed `device_code` (UNCONFIRMED text).
    pub fn bad_verification_code() -> Self {
        Self::new(
            "bad_verification_code",
            70018,
            "Invalid verification code. The device_code is not recognized.",
        )
    }

    /// AADSTS70019: the device code expired.
    pub fn expired_token() -> Self {
        Self::new("expired_token", 70019, "Verification code expired.")
    }

    /// AADSTS65001: a delegated permission the app was not granted.
    pub fn consent_required(client_id: &str, app_name: &str) -> Self {
        Self::new(
            "invalid_grant",
            65001,
            format!(
                "The user or administrator has not consented to use the application with ID '{client_id}' named '{app_name}'. Send an interactive authorization request for this user and resource."
            ),
        )
    }

    /// AADSTS9002313: unknown, used or foreign refresh token (UNCONFIRMED pairing).
    pub fn invalid_refresh_token() -> Self {
        Self::new(
            "invalid_grant",
            9002313,
            "Invalid request. Request is malformed or invalid. [Reason - The provided refresh token is not valid.]",
        )
    }

    /// AADSTS700082: the refresh token expired.
    pub fn refresh_token_expired(issued: DateTime<Utc>) -> Self {
        Self::new(
            "invalid_grant",
            700082,
            format!(
                "The refresh token has expired due to inactivity. The token was issued on {} and was inactive for 90.00:00:00.",
                ticks(issued)
            ),
        )
    }

    /// AADSTS50049: instance discovery for a host that is not this simulator.
    pub fn invalid_instance() -> Self {
        Self::new("invalid_instance", 50049, "Unknown or invalid instance.")
    }
}
