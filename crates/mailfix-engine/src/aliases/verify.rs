//! Proving removed aliases gone, many at a time: one paged `Get-Mailbox` filtered on the users
//! (`ExternalDirectoryObjectId -eq .. -or ..`, up to [`MAILBOXES_PER_FILTER`]) reads their
//! mailboxes, and each alias is gone when its mailbox lists none of its addresses. A user whose
//! mailbox the filter does not return is read once more by identity, so that a filter Exchange
//! does not honour can never pass for "gone": only a mailbox read, or a `NotFound` for it, proves
//! anything.

use std::collections::HashMap;

use futures::TryStreamExt as _;
pub(super) use mailfix_client::exo::MAILBOXES_PER_FILTER;
use mailfix_client::models::Mailbox;

use super::writer::{AliasItem, Writer};

/// What a read found about one removed alias.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Finding {
    /// Gone, with the read that proves it.
    Gone(String),
    /// Still on the mailbox.
    Present,
    /// The read failed.
    Unknown(String),
}

impl Writer<'_> {
    /// Reads the mailboxes of `items`' users (at most [`MAILBOXES_PER_FILTER`] users) and says of
    /// each item whether its alias is gone.
    pub(super) async fn check_gone(&self, items: &[&AliasItem]) -> Vec<Finding> {
        let mut ids: Vec<&str> = items.iter().map(|i| i.user.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let read: Result<Vec<Mailbox>, _> =
            self.client.exo().mailboxes_of(&ids).try_collect().await;
        let mailboxes = match read {
            Ok(found) => found,
            Err(e) => {
                let reason = format!("removed, but checking that it is gone failed: {e}");
                return items
                    .iter()
                    .map(|_| Finding::Unknown(reason.clone()))
                    .collect();
            }
        };
        let by_user: HashMap<String, &Mailbox> = mailboxes
            .iter()
            .filter_map(|m| {
                let id = m.external_directory_object_id.as_deref()?;
                Some((id.to_ascii_lowercase(), m))
            })
            .collect();
        let proof = format!(
            "proven gone by Get-Mailbox -Filter on {} user{}",
            ids.len(),
            if ids.len() == 1 { "" } else { "s" }
        );
        let mut findings = Vec::with_capacity(items.len());
        for item in items {
            let finding = match by_user.get(&item.user.id.to_ascii_lowercase()) {
                Some(mailbox) => on_mailbox(item, mailbox, &proof),
                None => self.read_one(item).await,
            };
            findings.push(finding);
        }
        findings
    }

    /// A user the filtered read did not return: its mailbox by identity.
    async fn read_one(&self, item: &AliasItem) -> Finding {
        match self
            .client
            .exo()
            .get_mailbox(super::writer::mailbox_identity(&item.user))
            .await
        {
            Ok(mailbox) => on_mailbox(item, &mailbox, "proven gone by Get-Mailbox"),
            Err(e) if e.is_not_found() => {
                Finding::Gone("proven gone by Get-Mailbox: the mailbox no longer exists".to_owned())
            }
            Err(e) => {
                Finding::Unknown(format!("removed, but checking that it is gone failed: {e}"))
            }
        }
    }
}

fn on_mailbox(item: &AliasItem, mailbox: &Mailbox, proof: &str) -> Finding {
    if item.addresses().any(|a| mailbox.has_address(a)) {
        Finding::Present
    } else {
        Finding::Gone(proof.to_owned())
    }
}
