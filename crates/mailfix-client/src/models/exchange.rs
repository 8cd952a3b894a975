//! Exchange Online objects returned by `InvokeCommand` (PascalCase properties with annotations).

use serde::{Deserialize, Serialize};

/// A mailbox as `Get-Mailbox` returns it (the properties mailfix uses).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Mailbox {
    /// `Identity`.
    #[serde(default)]
    pub identity: Option<String>,
    /// `Alias`.
    #[serde(default)]
    pub alias: Option<String>,
    /// `DisplayName`.
    #[serde(default)]
    pub display_name: Option<String>,
    /// `UserPrincipalName`.
    #[serde(default)]
    pub user_principal_name: Option<String>,
    /// `PrimarySmtpAddress`.
    #[serde(default)]
    pub primary_smtp_address: Option<String>,
    /// `EmailAddresses` (`SMTP:` primary, `smtp:` secondary, `SIP:`, `SPO:`, `X500:` ...).
    #[serde(default)]
    pub email_addresses: Vec<String>,
    /// `ExternalDirectoryObjectId`: the Entra user object id (the join key with Graph).
    #[serde(default)]
    pub external_directory_object_id: Option<String>,
    /// `ExchangeObjectId`.
    #[serde(default)]
    pub exchange_object_id: Option<String>,
    /// `Guid`.
    #[serde(default)]
    pub guid: Option<String>,
    /// `IsDirSynced`.
    #[serde(default)]
    pub is_dir_synced: Option<bool>,
    /// `RecipientTypeDetails`.
    #[serde(default)]
    pub recipient_type_details: Option<String>,
}

/// An accepted domain (`Get-AcceptedDomain`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AcceptedDomain {
    /// `DomainName`.
    #[serde(default)]
    pub domain_name: String,
    /// `Default`.
    #[serde(default)]
    pub default: Option<bool>,
    /// `InitialDomain`.
    #[serde(default)]
    pub initial_domain: Option<bool>,
    /// `DomainType` (`Authoritative`, ...).
    #[serde(default)]
    pub domain_type: Option<String>,
}

/// A user as `Get-User` returns it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Recipient {
    /// `Identity`.
    #[serde(default)]
    pub identity: Option<String>,
    /// `UserPrincipalName`.
    #[serde(default)]
    pub user_principal_name: Option<String>,
    /// `RecipientType` (`User`, `UserMailbox`, ...).
    #[serde(default)]
    pub recipient_type: Option<String>,
    /// `RecipientTypeDetails`.
    #[serde(default)]
    pub recipient_type_details: Option<String>,
    /// `ExternalDirectoryObjectId`.
    #[serde(default)]
    pub external_directory_object_id: Option<String>,
}
