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
    #[serde(default)]
    pub is_sspr_registered: bool,
    /// `isMfaRegistered`.
    #[serde(default)]
    pub is_mfa_registered: bool,
    /// `isSsprCapable`.
    #[serde(default)]
    pub is_sspr_capable: bool,
    /// `isMfaCapable`.
    #[serde(default)]
    pub is_mfa_capable: bool,
    /// `methodsRegistered`.
    #[serde(default)]
    pub methods_registered: Vec<String>,
    /// `lastUpdatedDateTime`.
    #[serde(default)]
    pub last_updated_date_time: Option<String>,
}
