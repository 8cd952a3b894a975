//! Exchange admin API errors in the shapes of docs/protocol.md §1.6. Shape A (the default):
//! `error.code`, the fixed message `Error executing cmdlet`, and `details[0].message` holding a
//! JSON string with the cmdlet's own `Message` and exception `TypeName`. Shape B:
//! `details[0].message` = `{ErrorId}|{TypeName}|{Message}`. Shape C: no details, the message in
//! `error.innererror.internalException.message`. Or plain text. The limit `exo.error_shape`
//! chooses (which shape the service sends today is UNCONFIRMED). Plus the plain-text concurrency
//! refusal.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sha2::Digest as _;

use crate::model::mailboxes::ChangeError;

/// The domain controller Exchange names in "couldn't be found on ..." messages.
pub const DOMAIN_CONTROLLER: &str = "SY4PR01A008DC003.AUSPR01A008.PROD.OUTLOOK.COM";

/// The plain-text body of an Exchange concurrency refusal (ExoHelper retries on its prefix).
pub const CONCURRENCY_MESSAGE: &str = "You have reached the maximum number of concurrent requests \
     per tenant. Please wait and try again.";

/// An Exchange error to render.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExoError {
    /// HTTP status.
    pub status: StatusCode,
    /// `error.code` (`BadRequest`, `NotFound`, ...).
    pub code: &'static str,
    /// The cmdlet's message (`details[0].message` → `Message`).
    pub message: String,
    /// The exception type (`details[0].message` → `TypeName`).
    pub type_name: &'static str,
}

impl ExoError {
    /// An error with a status, code, message and exception type.
    pub fn new(
        status: StatusCode,
        code: &'static str,
        message: String,
        type_name: &'static str,
    ) -> Self {
        Self {
            status,
            code,
            message,
            type_name,
        }
    }

    /// 400 with a cmdlet's message.
    pub fn bad_request(message: String, type_name: &'static str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadRequest", message, type_name)
    }

    /// 404 `ManagementObjectNotFoundException` for an identity.
    pub fn not_found(identity: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!(
                "The operation couldn't be performed because object '{identity}' couldn't be found \
                 on '{DOMAIN_CONTROLLER}'."
            ),
            "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException",
        )
    }

    /// 400 for a parameter the cmdlet does not have (or the simulator does not emulate).
    pub fn parameter(cmdlet: &str, name: &str) -> Self {
        Self::bad_request(
            format!(
                "A parameter cannot be found that matches parameter name '{name}'. (The simulator \
                 emulates only the parameters listed in COVERAGE.md for {cmdlet}.)"
            ),
            "System.Management.Automation.ParameterBindingException",
        )
    }

    /// 400 for a parameter value that cannot be bound.
    pub fn binding(name: &str, reason: &str) -> Self {
        Self::bad_request(
            format!("Cannot bind parameter '{name}'. {reason}"),
            "System.Management.Automation.ParameterBindingException",
        )
    }

    /// The error of a refused address change, for the mailbox `identity`.
    pub fn change(error: ChangeError, identity: &str) -> Self {
        match error {
            ChangeError::Synced => Self::bad_request(
                format!(
                    "The operation on mailbox \"{identity}\" failed because it's out of the current \
                     user's write scope. The action 'Set-Mailbox', 'EmailAddresses', can't be \
                     performed on the object '{identity}' because the object is being synchronized \
                     from your on-premises organization. This action should be performed on the \
                     object in your on-premises organization."
                ),
                "System.InvalidOperationException",
            ),
            ChangeError::InvalidAddress(address) => Self::bad_request(
                format!(
                    "The address '{address}' is invalid: \"{address}\" isn't a valid SMTP address. The domain name can't contain spaces and it has to have a prefix and a suffix, such as example.com."
                ),
                "Microsoft.Exchange.Data.DataValidationException",
            ),
            ChangeError::DomainNotAccepted { domain, .. } => Self::bad_request(
                // UNCONFIRMED wording (docs/protocol.md §1.6); listed in COVERAGE.md.
                format!(
                    "You can't use the domain {domain} because it's not an accepted domain for your organization."
                ),
                "Microsoft.Exchange.Data.DataValidationException",
            ),
            ChangeError::AddressInUse { address, holder } => Self::bad_request(
                format!(
                    "The proxy address \"{address}\" is already being used by the proxy addresses \
                     or LegacyExchangeDN of \"{holder}\". Please choose another proxy address."
                ),
                "Microsoft.Exchange.Data.ProxyAddressExistsException",
            ),
            ChangeError::RemovesPrimary(address) => Self::bad_request(
                // UNCONFIRMED wording; listed in COVERAGE.md.
                format!(
                    "The primary SMTP address '{address}' can't be removed. Make another address primary first."
                ),
                "Microsoft.Exchange.Data.DataValidationException",
            ),
        }
    }

    /// The Shape A body.
    pub fn body(&self) -> serde_json::Value {
        let inner = json!({
            "Message": self.message,
            "TypeName": self.type_name,
            "StackTrace": null,
            "InnerError": null,
        });
        let detail_code = if self.status == StatusCode::NOT_FOUND {
            "Client"
        } else {
            "Context"
        };
        json!({
            "error": {
                "code": self.code,
                "message": "Error executing cmdlet",
                "details": [{"code": detail_code, "target": "", "message": inner.to_string()}],
                "innererror": {"message": "Error executing cmdlet", "type": "ODataServiceException"},
            }
        })
    }
}

/// The shape cmdlet errors are rendered in (limit `exo.error_shape`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ErrorShape {
    /// 0: `details[0].message` is a JSON string with `Message` and `TypeName`.
    #[default]
    A,
    /// 1: `details[0].message` is `{ErrorId}|{TypeName}|{Message}`.
    B,
    /// 2: the message in `innererror.internalException.message`, no details.
    C,
    /// 3: the message as a `text/plain` body.
    PlainText,
}

impl ErrorShape {
    /// The shape a value of the `exo.error_shape` limit names (unknown values: Shape A).
    pub fn from_limit(value: f64) -> Self {
        match value.round() as i64 {
            1 => ErrorShape::B,
            2 => ErrorShape::C,
            3 => ErrorShape::PlainText,
            _ => ErrorShape::A,
        }
    }
}

impl ExoError {
    /// The Shape B body: the detail message is `{ErrorId}|{TypeName}|{Message}` (the form
    /// ExoHelper splits on `|`), with an error id derived from the exception type.
    pub fn body_b(&self) -> serde_json::Value {
        let digest = sha2::Sha256::digest(self.type_name.as_bytes());
        let error_id = format!("Ex{:02X}{:02X}{:02X}", digest[0], digest[1], digest[2]);
        json!({
            "error": {
                "code": self.code,
                "message": "Error executing cmdlet",
                "details": [{"message": format!("{error_id}|{}|{}", self.type_name, self.message)}],
            }
        })
    }

    /// The Shape C body: no details; the message in `innererror.internalException.message`.
    pub fn body_c(&self) -> serde_json::Value {
        json!({
            "error": {
                "code": self.code,
                "message": "Error executing cmdlet",
                "innererror": {
                    "message": "Error executing cmdlet",
                    "type": "ODataServiceException",
                    "internalException": {"message": self.message},
                },
            }
        })
    }

    /// The response in `shape`.
    pub fn render(self, shape: ErrorShape) -> Response {
        let body = match shape {
            ErrorShape::A => self.body(),
            ErrorShape::B => self.body_b(),
            ErrorShape::C => self.body_c(),
            ErrorShape::PlainText => return with_request_id(plain_text(self.status, self.message)),
        };
        with_request_id((self.status, axum::Json(body)).into_response())
    }
}

fn with_request_id(mut response: Response) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("request-id", value);
    }
    response
}

impl IntoResponse for ExoError {
    fn into_response(self) -> Response {
        with_request_id((self.status, axum::Json(self.body())).into_response())
    }
}

/// The plain-text 429 of a concurrency overflow.
pub fn concurrency_response() -> Response {
    plain_text(
        StatusCode::TOO_MANY_REQUESTS,
        CONCURRENCY_MESSAGE.to_owned(),
    )
}

fn plain_text(status: StatusCode, text: String) -> Response {
    let mut response = (status, text).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_a_carries_the_message_as_a_json_string() {
        let body = ExoError::not_found("x@y.com").body();
        assert_eq!(body["error"]["code"], "NotFound");
        let detail: serde_json::Value =
            serde_json::from_str(body["error"]["details"][0]["message"].as_str().unwrap()).unwrap();
        assert!(
            detail["Message"]
                .as_str()
                .unwrap()
                .starts_with("The operation couldn't be performed because object 'x@y.com'")
        );
        assert_eq!(
            detail["TypeName"],
            "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException"
        );
    }

    #[test]
    fn shapes_b_and_c_carry_the_same_message() {
        let error = ExoError::not_found("x@y.com");
        let b = error.body_b();
        let detail = b["error"]["details"][0]["message"].as_str().unwrap();
        let parts: Vec<&str> = detail.splitn(3, '|').collect();
        assert!(
            parts[0].starts_with("Ex") && parts[0].len() == 8,
            "{detail}"
        );
        assert_eq!(parts[1], error.type_name);
        assert_eq!(parts[2], error.message);
        let c = error.body_c();
        assert!(c["error"].get("details").is_none());
        assert_eq!(
            c["error"]["innererror"]["internalException"]["message"],
            error.message.as_str()
        );
        assert_eq!(ErrorShape::from_limit(2.0), ErrorShape::C);
        assert_eq!(ErrorShape::from_limit(7.0), ErrorShape::A);
    }
}
