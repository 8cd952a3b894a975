//! Exchange Online mailboxes: the recipient side of a user, owner of the addresses Exchange writes back.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::UserIdx;

/// A user mailbox.
#[derive(Clone, Debug)]
pub struct Mailbox {
    /// The user this mailbox belongs to (`ExternalDirectoryObjectId` is that user's id).
    pub user: UserIdx,
    /// `Guid`.
    pub guid: Uuid,
    /// `ExchangeObjectId`.
    pub exchange_object_id: Uuid,
    /// `Alias`.
    pub alias: String,
    /// `DisplayName`.
    pub display_name: String,
    /// `EmailAddresses`: `SMTP:` primary, `smtp:` secondary, and other types (`SIP:`, `SPO:`, `X500:`).
    pub email_addresses: Vec<String>,
    /// `RecipientTypeDetails`, e.g. `UserMailbox`.
    pub recipient_type_details: String,
    /// `WhenChangedUTC`.
    pub when_changed: DateTime<Utc>,
    /// `WhenMailboxCreated`.
    pub when_created: DateTime<Utc>,
}

impl Mailbox {
    /// The primary SMTP address (the `SMTP:` entry) without its prefix.
    pub fn primary_smtp(&self) -> Option<&str> {
        self.email_addresses
            .iter()
            .find_map(|a| a.strip_prefix("SMTP:"))
    }
}
