//! Exchange Online mailboxes: the recipient side of a user, owner of the addresses Exchange writes back.
//!
//! The rules of `Set-Mailbox -EmailAddresses @{Add=..; Remove=..}` live here (PROTOCOL.md §1.10):
//! lowercase `smtp:` adds a secondary address, uppercase `SMTP:` makes the address primary, addresses
//! are unique across the tenant, their domain must be accepted, a removed address stays reserved, and
//! objects synchronised from on-premises cannot be changed.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::tenant::{AddressOwner, smtp_address};
use super::{Tenant, UserIdx};

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

    fn position_of(&self, bare: &str) -> Option<usize> {
        self.email_addresses
            .iter()
            .position(|a| smtp_address_typed(a).is_some_and(|b| b == bare))
    }
}

/// The addresses to add and remove, as given (`smtp:a@b`, `SMTP:a@b`, `a@b`, `SIP:..`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AddressChange {
    /// Addresses to add.
    pub add: Vec<String>,
    /// Addresses to remove.
    pub remove: Vec<String>,
}

/// Why Exchange refused an address change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChangeError {
    /// The user is synchronised from on-premises (`IsDirSynced`).
    Synced,
    /// Not a valid SMTP address.
    InvalidAddress(String),
    /// The address's domain is not an accepted domain.
    DomainNotAccepted {
        /// The address as given.
        address: String,
        /// Its domain.
        domain: String,
    },
    /// Another recipient holds the address, or held it recently (reserved).
    AddressInUse {
        /// The address as Exchange prints it (`smtp:a@b`).
        address: String,
        /// The holder's name.
        holder: String,
    },
    /// The change would remove the primary SMTP address.
    RemovesPrimary(String),
}

/// One parsed address of a change.
struct Parsed {
    /// The address with its prefix, as it will be stored.
    stored: String,
    /// Lowercase bare SMTP address; `None` for non-SMTP types.
    bare: Option<String>,
    primary: bool,
}

impl Tenant {
    /// Applies an `EmailAddresses` change to the mailbox of `user`. Returns whether anything changed.
    /// Removed SMTP addresses stay reserved for this recipient for `reservation`.
    pub fn change_mailbox_addresses(
        &mut self,
        user: UserIdx,
        change: &AddressChange,
        now: DateTime<Utc>,
        reservation: Duration,
    ) -> Result<bool, ChangeError> {
        if self.users[user as usize].on_premises_sync_enabled == Some(true) {
            return Err(ChangeError::Synced);
        }
        let adds = self.parse_all(&change.add, true)?;
        let removes = self.parse_all(&change.remove, false)?;
        let owner = AddressOwner::User(user);
        for add in &adds {
            if let Some(bare) = &add.bare {
                self.check_address(bare, owner, now).map_err(|conflict| {
                    ChangeError::AddressInUse {
                        address: format!("smtp:{bare}"),
                        holder: self.recipient_name(conflict.owner()),
                    }
                })?;
            }
        }
        let Some(mailbox) = self.mailboxes.get(&user) else {
            return Ok(false);
        };
        let primary = mailbox.primary_smtp().map(str::to_ascii_lowercase);
        if let Some(gone) = removes
            .iter()
            .find(|r| r.bare.is_some() && r.bare == primary)
        {
            return Err(ChangeError::RemovesPrimary(gone.stored.clone()));
        }
        let mut changed = false;
        for remove in &removes {
            changed |= self.remove_one(user, remove, now + reservation);
        }
        for add in &adds {
            changed |= self.add_one(user, add);
        }
        if changed && let Some(mailbox) = self.mailboxes.get_mut(&user) {
            mailbox.when_changed = now;
        }
        Ok(changed)
    }

    fn parse_all(&self, values: &[String], adding: bool) -> Result<Vec<Parsed>, ChangeError> {
        values
            .iter()
            .map(|value| self.parse_one(value, adding))
            .collect()
    }

    fn parse_one(&self, value: &str, adding: bool) -> Result<Parsed, ChangeError> {
        let value = value.trim();
        let (prefix, address) = match value.split_once(':') {
            Some((prefix, rest)) => (prefix, rest),
            None => ("smtp", value),
        };
        if !prefix.eq_ignore_ascii_case("smtp") {
            // Other address types (SIP, X500, SPO) are stored as given, without SMTP checks.
            return Ok(Parsed {
                stored: value.to_owned(),
                bare: None,
                primary: false,
            });
        }
        let domain =
            valid_smtp(address).ok_or_else(|| ChangeError::InvalidAddress(value.into()))?;
        if adding && !self.is_accepted_domain(domain) {
            return Err(ChangeError::DomainNotAccepted {
                address: value.to_owned(),
                domain: domain.to_owned(),
            });
        }
        let primary = prefix == "SMTP";
        Ok(Parsed {
            stored: format!("{}:{address}", if primary { "SMTP" } else { "smtp" }),
            bare: Some(address.to_ascii_lowercase()),
            primary,
        })
    }

    fn remove_one(&mut self, user: UserIdx, remove: &Parsed, reserve_until: DateTime<Utc>) -> bool {
        let Some(mailbox) = self.mailboxes.get_mut(&user) else {
            return false;
        };
        let at = match &remove.bare {
            Some(bare) => mailbox.position_of(bare),
            None => mailbox
                .email_addresses
                .iter()
                .position(|a| a.eq_ignore_ascii_case(&remove.stored)),
        };
        let Some(at) = at else {
            return false;
        };
        mailbox.email_addresses.remove(at);
        if let Some(bare) = &remove.bare {
            self.release_address(bare, reserve_until);
        }
        true
    }

    fn add_one(&mut self, user: UserIdx, add: &Parsed) -> bool {
        let Some(mailbox) = self.mailboxes.get_mut(&user) else {
            return false;
        };
        let Some(bare) = &add.bare else {
            if mailbox
                .email_addresses
                .iter()
                .any(|a| a.eq_ignore_ascii_case(&add.stored))
            {
                return false;
            }
            mailbox.email_addresses.push(add.stored.clone());
            return true;
        };
        let existing = mailbox.position_of(bare);
        let already_primary =
            existing.is_some_and(|i| mailbox.email_addresses[i].starts_with("SMTP:"));
        if existing.is_some() && (!add.primary || already_primary) {
            return false;
        }
        if add.primary {
            // A new primary demotes the old one to a secondary address.
            for address in &mut mailbox.email_addresses {
                if let Some(rest) = address.strip_prefix("SMTP:") {
                    *address = format!("smtp:{rest}");
                }
            }
        }
        match existing {
            Some(i) => mailbox.email_addresses[i] = add.stored.clone(),
            None => mailbox.email_addresses.push(add.stored.clone()),
        }
        self.claim_address(bare, AddressOwner::User(user));
        true
    }

    /// Finds a user for an Exchange `Identity`: ExternalDirectoryObjectId, mailbox `Guid` or
    /// `ExchangeObjectId`, UPN, any SMTP address, or alias. Only live users are found.
    pub fn exchange_identity(&self, identity: &str) -> Option<UserIdx> {
        self.exchange_identity_by(identity, true)
    }

    /// [`Tenant::exchange_identity`], resolving a user's Entra object id only when `object_ids`
    /// (a tenant where Exchange does not: switch `exo.resolve_object_ids` 0).
    pub fn exchange_identity_by(&self, identity: &str, object_ids: bool) -> Option<UserIdx> {
        let identity = identity.trim();
        if let Ok(id) = Uuid::parse_str(identity) {
            let by_object_id = if object_ids {
                self.user_by_id(id)
            } else {
                None
            };
            return by_object_id.or_else(|| {
                self.mailboxes
                    .values()
                    .find(|m| m.guid == id || m.exchange_object_id == id)
                    .map(|m| m.user)
                    .filter(|&u| !self.users[u as usize].deleted)
            });
        }
        if identity.contains('@') {
            let by_address = match self.addresses.get(&identity.to_ascii_lowercase()) {
                Some(&AddressOwner::User(u)) if !self.users[u as usize].deleted => Some(u),
                _ => None,
            };
            return by_address.or_else(|| self.user_by_upn(identity));
        }
        self.mailboxes
            .values()
            .find(|m| m.alias.eq_ignore_ascii_case(identity))
            .map(|m| m.user)
            .or_else(|| {
                let found = self
                    .users
                    .iter()
                    .position(|u| !u.deleted && u.mail_nickname.eq_ignore_ascii_case(identity));
                found.and_then(|i| u32::try_from(i).ok())
            })
            .filter(|&u| !self.users[u as usize].deleted)
    }
}

/// The bare lowercase address of an `smtp:`-typed entry (either case); `None` for other types.
fn smtp_address_typed(proxy: &str) -> Option<String> {
    proxy.contains(':').then(|| smtp_address(proxy)).flatten()
}

/// Checks SMTP syntax (RFC 5321 dot-atom local part of at most 64 characters, a dotted domain of
/// letters, digits and hyphens). Returns the domain.
pub fn valid_smtp(address: &str) -> Option<&str> {
    let (local, domain) = address.rsplit_once('@')?;
    const SPECIAL: &str = "!#$%&'*+/=?^_`{|}~.-";
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || SPECIAL.contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && domain.len() <= 255
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    (local_ok && domain_ok).then_some(domain)
}

#[cfg(test)]
mod tests {
    use super::valid_smtp;

    #[test]
    fn smtp_syntax_is_checked() {
        assert_eq!(valid_smtp("a.b+c@contoso.com"), Some("contoso.com"));
        for bad in [
            "a@b",
            "@contoso.com",
            "a..b@contoso.com",
            "a b@contoso.com",
            "a@-x.com",
        ] {
            assert_eq!(valid_smtp(bad), None, "{bad}");
        }
        assert_eq!(valid_smtp(&format!("{}@contoso.com", "x".repeat(65))), None);
    }
}
