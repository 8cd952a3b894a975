//! Removing a temporary alias: intent, `Set-Mailbox -EmailAddresses @{Remove=...}`, result. That
//! the alias is gone is proven afterwards, many removals at a time (`verify.rs`).
//!
//! Only the item's own address is ever sent, always as a lowercase `smtp:` secondary address, so
//! neither the primary address nor any address mailfix did not add can be touched.

use super::writer::{AliasItem, Writer, is_fatal};
use crate::events::Action;
use crate::journal::{JournalError, Op, OpOutcome};

/// What one removal call did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum RemoveCall {
    /// Exchange took it (the alias still has to be proven gone).
    Sent,
    /// It failed for good, with why.
    Failed(String),
    /// Not sent: the run is stopping.
    NotStarted,
}

impl Writer<'_> {
    /// One journaled removal of the item's alias (every address of a swept item).
    pub(super) async fn remove_once(&self, item: &AliasItem) -> Result<RemoveCall, JournalError> {
        let Some(_permit) = self.permit(Op::Remove).await else {
            return Ok(RemoveCall::NotStarted);
        };
        self.started(item, Action::RemoveAlias);
        self.intent(item, Op::Remove).await?;
        let exo = self.client.exo();
        let mut sent = Ok(());
        for address in item.addresses() {
            if let Err(e) = exo
                .remove_address(super::writer::mailbox_identity(&item.user), address)
                .await
            {
                sent = Err(e);
                break;
            }
        }
        match sent {
            // A mailbox that is gone took the alias with it; the check confirms it.
            Err(e) if !e.is_not_found() => {
                if is_fatal(&e) {
                    self.stop(&e);
                }
                let reason = format!("removing the alias failed: {e}");
                self.result(item, Op::Remove, OpOutcome::Failed(reason.clone()))
                    .await?;
                Ok(RemoveCall::Failed(reason))
            }
            _ => {
                self.result(item, Op::Remove, OpOutcome::Succeeded).await?;
                Ok(RemoveCall::Sent)
            }
        }
    }
}
