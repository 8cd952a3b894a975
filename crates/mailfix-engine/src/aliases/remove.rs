//! Removing a temporary alias and verifying it is gone: intent, `Set-Mailbox -EmailAddresses
//! @{Remove=...}`, result, then `Get-Mailbox` to check. An alias still there after the removal is
//! removed once more; after that the item is `remove-failed` and `cleanup` takes it up.
//!
//! Only the item's own address is ever sent, always as a lowercase `smtp:` secondary address, so
//! neither the primary address nor any address mailfix did not add can be touched.

use super::writer::{AliasItem, Presence, Writer, is_fatal};
use crate::events::{Action, Outcome};
use crate::journal::{ItemState, JournalError, Op, OpOutcome};

/// How a removal ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RemoveOutcome {
    /// Removed and confirmed gone (`verified`).
    Verified,
    /// Removed, but the check could not be made (`removed`); `cleanup` checks again.
    Unverified(String),
    /// Failed for good, with why (`remove-failed`).
    Failed(String),
    /// Not sent: the run is stopping.
    NotStarted,
}

/// Removals of one item before it counts as failed.
const REMOVE_ATTEMPTS: usize = 2;

impl Writer<'_> {
    /// Removes the item's alias and verifies it is gone.
    pub async fn remove(&self, item: &AliasItem) -> Result<RemoveOutcome, JournalError> {
        let Some(_permit) = self.permit().await else {
            return Ok(RemoveOutcome::NotStarted);
        };
        self.started(item, Action::RemoveAlias);
        let outcome = self.remove_and_verify(item).await?;
        let (action, done) = match &outcome {
            RemoveOutcome::Verified => (Action::VerifyRemoved, Outcome::Done),
            RemoveOutcome::Unverified(reason) => (
                Action::RemoveAlias,
                Outcome::Skipped {
                    reason: reason.clone(),
                },
            ),
            RemoveOutcome::Failed(reason) => (
                Action::RemoveAlias,
                Outcome::Failed {
                    reason: reason.clone(),
                },
            ),
            RemoveOutcome::NotStarted => return Ok(outcome),
        };
        self.done(&item.user, action, done);
        Ok(outcome)
    }

    async fn remove_and_verify(&self, item: &AliasItem) -> Result<RemoveOutcome, JournalError> {
        for attempt in 1..=REMOVE_ATTEMPTS {
            if let Some(failed) = self.remove_once(item).await? {
                return Ok(failed);
            }
            match self.presence(item).await {
                Ok(Presence::Absent) => {
                    self.journal.mark(item.id, ItemState::Verified, None)?;
                    return Ok(RemoveOutcome::Verified);
                }
                Ok(Presence::NoMailbox) => {
                    let reason = "the mailbox no longer exists";
                    self.journal
                        .mark(item.id, ItemState::Verified, Some(reason))?;
                    return Ok(RemoveOutcome::Verified);
                }
                Ok(Presence::Present) => {
                    let reason = format!("still on the mailbox after removal {attempt}");
                    self.journal
                        .mark(item.id, ItemState::RemoveIntent, Some(&reason))?;
                }
                Err(e) => {
                    let reason = format!("removed, but checking that it is gone failed: {e}");
                    return Ok(RemoveOutcome::Unverified(reason));
                }
            }
        }
        let reason = format!("still on the mailbox after {REMOVE_ATTEMPTS} removals");
        self.result(item, Op::Remove, OpOutcome::Failed(reason.clone()))?;
        Ok(RemoveOutcome::Failed(reason))
    }

    /// One journaled removal; `Some` when it failed for good.
    async fn remove_once(&self, item: &AliasItem) -> Result<Option<RemoveOutcome>, JournalError> {
        self.journal
            .record_intent(item.id, Op::Remove, Some(&item.address))?;
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
            // A mailbox that is gone took the alias with it; the check below confirms it.
            Err(e) if !e.is_not_found() => {
                if is_fatal(&e) {
                    self.stop(&e);
                }
                let reason = format!("removing the alias failed: {e}");
                self.result(item, Op::Remove, OpOutcome::Failed(reason.clone()))?;
                Ok(Some(RemoveOutcome::Failed(reason)))
            }
            _ => {
                self.result(item, Op::Remove, OpOutcome::Succeeded)?;
                Ok(None)
            }
        }
    }
}
