//! Settling items a run left in an intent: the call may or may not have landed, so the mailbox is
//! read back and the journal brought in line with it before anything is sent again.

use super::writer::{AliasItem, Presence, Writer};
use crate::events::{Action, Event, Outcome};
use crate::fix::FixError;
use crate::journal::{ItemRecord, ItemState, Journal, Op, OpOutcome};

/// After an interruption (`fix --resume`): settles one item left in an intent (or removed but not
/// verified) from what Exchange holds now.
pub(crate) async fn settle_after_interruption(
    writer: &Writer<'_>,
    item: &ItemRecord,
) -> Result<(), FixError> {
    let journal = writer.journal();
    let alias = AliasItem::from(item);
    writer.reporter().report(&Event::ItemStarted {
        user: item.user.clone(),
        action: Action::ReadBack,
    });
    let presence = writer.presence(&alias).await?;
    let gone = "confirmed gone by a re-read after the interruption";
    match (item.state, presence) {
        (ItemState::AddIntent, Presence::Present) => {
            journal.record_result(item.id, Op::Add, &OpOutcome::Succeeded)?
        }
        (ItemState::AddIntent, Presence::Absent) => journal.mark(
            item.id,
            ItemState::Planned,
            Some("the add had not landed before the interruption; sending it again"),
        )?,
        (ItemState::AddIntent, Presence::NoMailbox) => journal.record_result(
            item.id,
            Op::Add,
            &OpOutcome::Failed("no Exchange mailbox found for this user".to_owned()),
        )?,
        (ItemState::RemoveIntent, Presence::Present) => {}
        (ItemState::RemoveIntent, _) => {
            journal.record_result(item.id, Op::Remove, &OpOutcome::Succeeded)?;
            journal.mark(item.id, ItemState::Verified, Some(gone))?;
        }
        (ItemState::Removed, Presence::Present) => journal.mark(
            item.id,
            ItemState::RemoveIntent,
            Some("still on the mailbox after its removal"),
        )?,
        (ItemState::Removed, _) => journal.mark(item.id, ItemState::Verified, Some(gone))?,
        _ => {}
    }
    writer.done(&item.user, Action::ReadBack, Outcome::Done);
    Ok(())
}

/// Before `cleanup` removes an item's alias: an add of unknown outcome is settled by a re-read
/// first; so is a removal that may have landed (in whole or in part: a swept item has several
/// addresses), and only the addresses still there are left to remove, so that no removal is sent
/// twice. Returns what is left to remove (`None`: nothing, or the run is stopping).
pub(crate) async fn settle_before_removal(
    writer: &Writer<'_>,
    item: &ItemRecord,
) -> Result<Option<AliasItem>, FixError> {
    let journal = writer.journal();
    let mut alias = AliasItem::from(item);
    let settle = matches!(
        item.state,
        ItemState::AddIntent | ItemState::RemoveIntent | ItemState::RemoveFailed
    );
    if settle && writer.halted() {
        return Ok(None);
    }
    if item.state == ItemState::AddIntent {
        match writer.presence(&alias).await? {
            Presence::Present => journal.record_result(item.id, Op::Add, &OpOutcome::Succeeded)?,
            _ => {
                let reason = "not on the mailbox: the add never landed";
                journal.mark(item.id, ItemState::Skipped, Some(reason))?;
                return Ok(None);
            }
        }
    } else if settle {
        match writer.present_addresses(&alias).await? {
            Some(present) if !present.is_empty() => alias.address = present.join(" "),
            _ => {
                settled_gone(journal, item)?;
                return Ok(None);
            }
        }
    }
    Ok(Some(alias))
}

/// Records that a re-read found an item's earlier removal done: removed and verified.
fn settled_gone(journal: &Journal, item: &ItemRecord) -> Result<(), FixError> {
    if item.state == ItemState::RemoveFailed {
        journal.mark(item.id, ItemState::RemoveIntent, None)?;
    }
    journal.record_result(item.id, Op::Remove, &OpOutcome::Succeeded)?;
    let gone = "confirmed gone by a re-read before removing it again";
    journal.mark(item.id, ItemState::Verified, Some(gone))?;
    Ok(())
}
