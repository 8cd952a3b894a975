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

impl Mailbox {
    /// The properties mailfix reads (`$select` of `Get-Mailbox`).
    pub const FIELDS: [&'static str; 11] = [
        "Identity",
        "Alias",
        "DisplayName",
        "UserPrincipalName",
        "PrimarySmtpAddress",
        "EmailAddresses",
        "ExternalDirectoryObjectId",
        "ExchangeObjectId",
        "Guid",
        "IsDirSynced",
        "RecipientTypeDetails",
    ];

    /// Whether `EmailAddresses` holds this SMTP address (primary or secondary; case-insensitive;
    /// `address` with or without its `smtp:` prefix).
    pub fn has_address(&self, address: &str) -> bool {
        let bare = |a: &str| -> String {
            let lower = a.trim().to_ascii_lowercase();
            lower
                .strip_prefix("smtp:")
                .map(str::to_owned)
                .unwrap_or(lower)
        };
        let wanted = bare(address);
        self.email_addresses
            .iter()
            .filter(|a| a.to_ascii_lowercase().starts_with("smtp:"))
            .any(|a| bare(a) == wanted)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn has_address_ignores_case_and_prefix_and_non_smtp_entries() {
        let m = Mailbox {
            email_addresses: vec![
                "SMTP:Adele@contoso.com".into(),
                "smtp:adele.tmp@contoso.onmicrosoft.com".into(),
                "SIP:sip@contoso.com".into(),
            ],
            ..Mailbox::default()
        };
        assert!(m.has_address("adele@CONTOSO.com"));
        assert!(m.has_address("smtp:Adele.Tmp@contoso.onmicrosoft.com"));
        assert!(!m.has_address("sip@contoso.com"));
        assert!(!m.has_address("other@contoso.com"));
    }
}
