//! Authentication methods (phone and email) registered for users.

use chrono::{DateTime, Utc};

/// Graph's `authenticationPhoneType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PhoneType {
    /// `mobile`, fixed method id `3179e48a-750b-4051-897c-87b9720928f7`.
    Mobile,
    /// `alternateMobile`, fixed method id `b6332ec1-7057-4abe-9331-3d72feddfe41`.
    AlternateMobile,
    /// `office`, fixed method id `e37fc753-ff3b-4958-9484-eaa9425c82bc`.
    Office,
}

impl PhoneType {
    /// The Graph spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PhoneType::Mobile => "mobile",
            PhoneType::AlternateMobile => "alternateMobile",
            PhoneType::Office => "office",
        }
    }

    /// The fixed method id Graph uses for this phone type.
    pub fn method_id(self) -> &'static str {
        match self {
            PhoneType::Mobile => "3179e48a-750b-4051-897c-87b9720928f7",
            PhoneType::AlternateMobile => "b6332ec1-7057-4abe-9331-3d72feddfe41",
            PhoneType::Office => "e37fc753-ff3b-4958-9484-eaa9425c82bc",
        }
    }
}

/// The fixed id of the (single) email authentication method.
pub const EMAIL_METHOD_ID: &str = "3ddfcfc8-9383-446f-83cc-3ab9be4be18f";
/// The fixed id of the password authentication method.
pub const PASSWORD_METHOD_ID: &str = "28c10230-6103-485e-b985-444c60001490";

/// A phone authentication method.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhoneMethod {
    /// Which of the three phone slots.
    pub phone_type: PhoneType,
    /// `+{country} {number}[x{extension}]`.
    pub phone_number: String,
    /// `smsSignInState`.
    pub sms_sign_in_state: String,
}

/// An email authentication method (SSPR only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailMethod {
    /// The alternate email address.
    pub email_address: String,
}

/// The methods one user has registered, plus what the registration report says about them.
#[derive(Clone, Debug, Default)]
pub struct UserMethods {
    /// At most one per [`PhoneType`], kept sorted by type.
    pub phones: Vec<PhoneMethod>,
    /// At most one.
    pub email: Option<EmailMethod>,
    /// Set when the user completed combined SSPR/MFA registration.
    pub registered: Option<DateTime<Utc>>,
}
