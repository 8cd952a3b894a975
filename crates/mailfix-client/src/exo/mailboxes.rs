//! Mailboxes: `Get-Mailbox` (one, or all as a stream) and `Set-Mailbox -EmailAddresses
//! @{Add=..}` / `@{Remove=..}` with `#Exchange.GenericHashTable` (docs/protocol.md §1.3, §1.10).
//!
//! Repeat rule: Set-Mailbox is retried like a read (after 5xx or a lost answer), because its
//! outcome is checked by re-reading: an Add that reports the address as already in use is a
//! success if the address is on this same mailbox (the first send landed), and a Remove that
//! fails is a success if the address is no longer there.
//!
//! Identity: a mailbox is named by its user's Entra object id, as public scripts do
//! (`Set-Mailbox -Identity $user.ExternalDirectoryObjectId`, OfficeDev/O365-InvestigationTooling);
//! when Exchange answers "couldn't be found" for that id and the caller knows the user's UPN, the
//! call is made once more with the UPN.

use std::future::Future;

use serde_json::{Value, json};

use super::Exchange;
use crate::error::{Error, ErrorKind};
use crate::models::Mailbox;
use crate::page::Items;

/// What an address change did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressOutcome {
    /// Exchange made the change.
    Applied,
    /// The mailbox already had the address (Add).
    AlreadyPresent,
    /// The mailbox no longer had the address (Remove).
    AlreadyAbsent,
}

/// The result of [`Exchange::add_address`] / [`Exchange::remove_address`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressChange {
    /// What happened.
    pub outcome: AddressOutcome,
    /// `@adminapi.warnings` of the call.
    pub warnings: Vec<String>,
}

/// How a mailbox is named to Exchange: an identity (the user's object id), and the UPN to try
/// once when Exchange cannot resolve it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailboxIdentity {
    /// What `-Identity` is first (object id, UPN, alias, ...).
    pub primary: String,
    /// Tried once when Exchange answers "couldn't be found" for `primary`.
    pub fallback: Option<String>,
}

impl MailboxIdentity {
    /// A user's object id, with its UPN as the fallback.
    pub fn object_id(id: &str, upn: Option<&str>) -> Self {
        Self {
            primary: id.to_owned(),
            fallback: upn
                .filter(|u| !u.is_empty() && !u.eq_ignore_ascii_case(id))
                .map(str::to_owned),
        }
    }
}

impl From<&str> for MailboxIdentity {
    fn from(identity: &str) -> Self {
        Self {
            primary: identity.to_owned(),
            fallback: None,
        }
    }
}

impl From<&String> for MailboxIdentity {
    fn from(identity: &String) -> Self {
        identity.as_str().into()
    }
}

/// Runs `op` with the primary identity, and once more with the fallback when the first answer is
/// "not found".
async fn with_fallback<T, F, Fut>(identity: &MailboxIdentity, op: F) -> Result<T, Error>
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    match op(identity.primary.clone()).await {
        Err(e) if e.is_not_found() => match &identity.fallback {
            Some(upn) => {
                tracing::debug!(
                    identity = %identity.primary,
                    "Exchange did not resolve the object id; trying the UPN"
                );
                op(upn.clone()).await
            }
            None => Err(e),
        },
        other => other,
    }
}

/// `smtp:{address}` for a secondary address. An uppercase `SMTP:` prefix would make it the
/// primary address and is refused.
pub fn secondary_address(address: &str) -> Result<String, Error> {
    let a = address.trim();
    if a.starts_with("SMTP:") {
        return Err(Error::config(format!(
            "'{a}' would become the primary address; mailfix only adds secondary (smtp:) addresses"
        )));
    }
    let bare = a
        .strip_prefix("smtp:")
        .or_else(|| a.strip_prefix("Smtp:"))
        .unwrap_or(a);
    let valid = bare.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && domain.contains('.') && !bare.chars().any(char::is_whitespace)
    });
    if !valid {
        return Err(Error::config(format!("'{a}' is not an email address")));
    }
    Ok(format!("smtp:{bare}"))
}

/// How many users [`Exchange::mailboxes_of`] reads at once (how many terms Exchange accepts in
/// one filter is not documented; 20 keeps the filter short).
pub const MAILBOXES_PER_FILTER: usize = 20;

/// `ExternalDirectoryObjectId -eq 'a' -or ExternalDirectoryObjectId -eq 'b' ...`, quotes in the
/// ids doubled (OPATH's escape inside single quotes).
fn object_id_filter(object_ids: &[&str]) -> String {
    object_ids
        .iter()
        .map(|id| format!("ExternalDirectoryObjectId -eq '{}'", id.replace('\'', "''")))
        .collect::<Vec<_>>()
        .join(" -or ")
}

impl Exchange {
    /// One mailbox by identity (object id, UPN, GUID, alias, ...), with the UPN fallback.
    pub async fn get_mailbox(
        &self,
        identity: impl Into<MailboxIdentity>,
    ) -> Result<Mailbox, Error> {
        let identity = identity.into();
        with_fallback(&identity, |id| async move {
            self.invoke_one("Get-Mailbox", &id, &Mailbox::FIELDS).await
        })
        .await
    }

    /// Every mailbox, paged by re-POSTing to the next link.
    pub fn list_mailboxes(&self) -> Items<Mailbox> {
        self.invoke_all(
            "Get-Mailbox",
            json!({"ResultSize": "Unlimited"}),
            &Mailbox::FIELDS,
        )
    }

    /// The mailboxes of these users (Entra object ids), read in one paged `Get-Mailbox -Filter
    /// "ExternalDirectoryObjectId -eq '..' -or ..."`; a user without a mailbox is simply absent.
    /// At most [`MAILBOXES_PER_FILTER`] ids.
    pub fn mailboxes_of(&self, object_ids: &[&str]) -> Items<Mailbox> {
        if object_ids.is_empty() || object_ids.len() > MAILBOXES_PER_FILTER {
            let e = Error::config(format!(
                "Get-Mailbox -Filter takes 1 to {MAILBOXES_PER_FILTER} ids, not {}",
                object_ids.len()
            ));
            return Box::pin(futures::stream::once(async { Err(e) }));
        }
        self.invoke_all(
            "Get-Mailbox",
            json!({"Filter": object_id_filter(object_ids), "ResultSize": "Unlimited"}),
            &Mailbox::FIELDS,
        )
    }

    async fn set_addresses(
        &self,
        identity: &str,
        op: &str,
        address: &str,
    ) -> Result<Vec<String>, Error> {
        let params = json!({
            "Identity": identity,
            "EmailAddresses": {"@odata.type": "#Exchange.GenericHashTable", op: address},
        });
        let page = self
            .invoke_typed::<Value>("Set-Mailbox", params, &[])
            .await?;
        Ok(page.warnings)
    }

    /// Adds a secondary address (`smtp:`) to a mailbox (with the UPN fallback).
    pub async fn add_address(
        &self,
        identity: impl Into<MailboxIdentity>,
        address: &str,
    ) -> Result<AddressChange, Error> {
        let identity = identity.into();
        with_fallback(&identity, |id| async move {
            self.add_address_as(&id, address).await
        })
        .await
    }

    async fn add_address_as(&self, identity: &str, address: &str) -> Result<AddressChange, Error> {
        let address = secondary_address(address)?;
        match self.set_addresses(identity, "Add", &address).await {
            Ok(warnings) => Ok(AddressChange {
                outcome: AddressOutcome::Applied,
                warnings,
            }),
            Err(e) if matches!(e.kind(), ErrorKind::ProxyAddressInUse { .. }) => {
                let mailbox = self.get_mailbox(identity).await?;
                if mailbox.has_address(&address) {
                    return Ok(AddressChange {
                        outcome: AddressOutcome::AlreadyPresent,
                        warnings: Vec::new(),
                    });
                }
                Err(e)
            }
            Err(e) => Err(e),
        }
    }

    /// Removes a secondary address from a mailbox (with the UPN fallback).
    pub async fn remove_address(
        &self,
        identity: impl Into<MailboxIdentity>,
        address: &str,
    ) -> Result<AddressChange, Error> {
        let identity = identity.into();
        with_fallback(&identity, |id| async move {
            self.remove_address_as(&id, address).await
        })
        .await
    }

    async fn remove_address_as(
        &self,
        identity: &str,
        address: &str,
    ) -> Result<AddressChange, Error> {
        let address = secondary_address(address)?;
        match self.set_addresses(identity, "Remove", &address).await {
            Ok(warnings) => Ok(AddressChange {
                outcome: AddressOutcome::Applied,
                warnings,
            }),
            Err(e) if matches!(e.kind(), ErrorKind::Service | ErrorKind::BadRequest) => {
                let mailbox = self.get_mailbox(identity).await?;
                if !mailbox.has_address(&address) {
                    return Ok(AddressChange {
                        outcome: AddressOutcome::AlreadyAbsent,
                        warnings: Vec::new(),
                    });
                }
                Err(e)
            }
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_names_each_user_once_and_doubles_quotes() {
        assert_eq!(
            object_id_filter(&["a", "o'b"]),
            "ExternalDirectoryObjectId -eq 'a' -or ExternalDirectoryObjectId -eq 'o''b'"
        );
    }

    #[test]
    fn secondary_addresses_are_lowercase_smtp_and_primary_is_refused() {
        assert_eq!(
            secondary_address("a.tmp@contoso.com").unwrap(),
            "smtp:a.tmp@contoso.com"
        );
        assert_eq!(
            secondary_address("smtp:a@contoso.com").unwrap(),
            "smtp:a@contoso.com"
        );
        assert!(secondary_address("SMTP:a@contoso.com").is_err());
        for bad in ["", "a", "@contoso.com", "a@b", "a b@contoso.com"] {
            assert!(secondary_address(bad).is_err(), "{bad}");
        }
    }
}
