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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "@odata.type")]
pub enum AuthenticationMethod {
    /// `#microsoft.graph.phoneAuthenticationMethod`.
    #[serde(rename = "#microsoft.graph.phoneAuthenticationMethod")]
    Phone(PhoneMethod),
    /// `#microsoft.graph.emailAuthenticationMethod`.
    #[serde(rename = "#microsoft.graph.emailAuthenticationMethod")]
    Email(EmailMethod),
    /// Password, authenticator, FIDO2 and anything else.
    #[serde(other)]
    Other,
}
