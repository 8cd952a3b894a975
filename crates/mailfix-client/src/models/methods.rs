//! Authentication methods: phone and email (the two SSPR methods mailfix seeds).

use serde::{Deserialize, Serialize};

/// `authenticationPhoneType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PhoneType {
    /// `mobile`.
    Mobile,
    /// `alternateMobile`.
    AlternateMobile,
    /// `office`.
    Office,
}

impl PhoneType {
    /// The fixed method id of each phone slot (PROTOCOL.md §3).
    pub fn method_id(self) -> &'static str {
        match self {
            PhoneType::Mobile => "3179e48a-750b-4051-897c-87b9720928f7",
            PhoneType::AlternateMobile => "b6332ec1-7057-4abe-9331-3d72feddfe41",
            PhoneType::Office => "e37fc753-ff3b-4958-9484-eaa9425c82bc",
        }
    }
}

/// A `phoneAuthenticationMethod`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PhoneMethod {
    /// Method id (fixed per phone type).
    #[serde(default)]
    pub id: Option<String>,
    /// `+{country} {number}[x{extension}]`.
    pub phone_number: String,
    /// Which phone slot.
    pub phone_type: PhoneType,
    /// `smsSignInState`.
    #[serde(default)]
    pub sms_sign_in_state: Option<String>,
}

/// An `emailAuthenticationMethod`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmailMethod {
    /// Method id.
    #[serde(default)]
    pub id: Option<String>,
    /// The alternate email address.
    pub email_address: String,
}

/// An item of `/authentication/methods`, discriminated by `@odata.type`.
///
/// Decoding never fails an item: a phone of a type added after this client was written (the
/// v1.0 enum already lists `unknownFutureValue`), or an entry that does not read as its type, is
/// [`AuthenticationMethod::Other`] — not a slot mailfix manages — instead of failing the page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "@odata.type")]
pub enum AuthenticationMethod {
    /// `#microsoft.graph.phoneAuthenticationMethod`.
    #[serde(rename = "#microsoft.graph.phoneAuthenticationMethod")]
    Phone(PhoneMethod),
    /// `#microsoft.graph.emailAuthenticationMethod`.
    #[serde(rename = "#microsoft.graph.emailAuthenticationMethod")]
    Email(EmailMethod),
    /// Password, authenticator, FIDO2, a phone of another type, and anything else.
    Other,
}

impl<'de> Deserialize<'de> for AuthenticationMethod {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        let kind = value
            .get("@odata.type")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default();
        Ok(match kind {
            "#microsoft.graph.phoneAuthenticationMethod" => serde_json::from_value(value)
                .map(Self::Phone)
                .unwrap_or(Self::Other),
            "#microsoft.graph.emailAuthenticationMethod" => serde_json::from_value(value)
                .map(Self::Email)
                .unwrap_or(Self::Other),
            _ => Self::Other,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_phone_types_and_method_types_do_not_fail_the_list() {
        let list: Vec<AuthenticationMethod> = serde_json::from_str(
            r##"[{"@odata.type":"#microsoft.graph.phoneAuthenticationMethod","id":"m",
                 "phoneNumber":"+1 5550100","phoneType":"unknownFutureValue"},
                {"@odata.type":"#microsoft.graph.platformCredentialAuthenticationMethod","id":"p"},
                {"@odata.type":"#microsoft.graph.phoneAuthenticationMethod","id":"a",
                 "phoneNumber":"+1 2065555555","phoneType":"mobile","smsSignInState":"brandNew"}]"##,
        )
        .unwrap();
        assert_eq!(list[0], AuthenticationMethod::Other);
        assert_eq!(list[1], AuthenticationMethod::Other);
        assert!(
            matches!(&list[2], AuthenticationMethod::Phone(p) if p.phone_type == PhoneType::Mobile)
        );
    }
}
