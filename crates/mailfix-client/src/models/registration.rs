//! `userRegistrationDetails` from the authentication methods registration report.

use serde::{Deserialize, Serialize};

/// One user's row of the registration report.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationDetails {
    /// User object id.
    pub id: String,
    /// `userPrincipalName`.
    #[serde(default)]
    pub user_principal_name: Option<String>,
    /// `isSsprRegistered`.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub is_sspr_registered: bool,
    /// `isMfaRegistered`.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub is_mfa_registered: bool,
    /// `isSsprCapable`.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub is_sspr_capable: bool,
    /// `isMfaCapable`.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub is_mfa_capable: bool,
    /// `methodsRegistered` (values the client does not know, e.g. `unknownFutureValue`, are kept
    /// as text; `null` reads as none).
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub methods_registered: Vec<String>,
    /// `lastUpdatedDateTime`.
    #[serde(default)]
    pub last_updated_date_time: Option<String>,
}
