//! Settling items a run left in an intent: the call may or may not have landed, so the mailbox is
//! read back and the journal brought in line with it before anything is sent again.

use super::writer::{AliasItem, Presence, Writer};
use crate::events::{Action, Event, Outcome};
use crate::fix::FixError;
use crate::journal::{ItemId, ItemRecord, ItemState, Journal, JournalError, Op, OpOutcome};

/// Why an alias without a write-back goes, for `withdrawn` items: what the item said when it was
/// stuck or found by a sweep, or that the write-back was never seen.
pub(crate) fn without_writeback(item: &ItemRecord) -> Option<String> {
    if item.written_back_at.is_some() {
        return None;
    }
    Some(match (item.state, item.reason.as_deref()) {
        (ItemState::Stuck | ItemState::Added, Some(reason)) => reason.to_owned(),
        _ => "its write-back was not seen".to_owned(),
    })
}

/// After an interruption (`fix --resume`): settles one item left in an intent (or removed but not
/// verified) from what Exchange holds now.
pub(crate) async fn settle_after_interruption(
    writer: &Writer<'_>,
    item: &ItemRecord,
) -> Result<(), FixError> {
    let alias = AliasItem::from(item);
    writer.reporter().report(&Event::ItemStarted {
        user: item.user.clone(),
        action: Action::ReadBack,
    });
    let presence = writer.presence(&alias).await?;
    let (id, state) = (item.id, item.state);
    let why = without_writeback(item);
    writer
        .journal()
        .submit(move |j| after_interruption(j, id, state, presence, why.as_deref()))
        .await?;
    writer.done(&item.user, Action::ReadBack, Outcome::Done);
    Ok(())
}

fn after_interruption(
    journal: &Journal,
    id: ItemId,
    state: ItemState,
    presence: Presence,
    why: Option<&str>,
) -> Result<(), JournalError> {
    let gone = "proven gone by a re-read (Get-Mailbox) after the interruption";
    match (state, presence) {
        (ItemState::AddIntent, Presence::Present) => {
            journal.record_result(id, Op::Add, &OpOutcome::Succeeded)
        }
        (ItemState::AddIntent, Presence::Absent) => journal.mark(
            id,
            ItemState::Planned,
            Some("the add had not landed before the interruption; sending it again"),
        ),
        (ItemState::AddIntent, Presence::NoMailbox) => journal.record_result(
            id,
            Op::Add,
            &OpOutcome::Failed("no Exchange mailbox found for this user".to_owned()),
        ),
        (ItemState::RemoveIntent, Presence::Present) => Ok(()),
        (ItemState::RemoveIntent, _) => {
            journal.record_result(id, Op::Remove, &OpOutcome::Succeeded)?;
            journal.record_gone(id, gone, why).map(drop)
        }
        (ItemState::Removed, Presence::Present) => journal.mark(
            id,
            ItemState::RemoveIntent,
            Some("still on the mailbox after its removal"),
        ),
        (ItemState::Removed, _) => journal.record_gone(id, gone, why).map(drop),
        _ => Ok(()),
    }
}

/// Before `cleanup` removes an item's alias: an add of unknown outcome is settled by a re-read
/// first; so is a removal that may have landed (in whole or in part: a swept item has several
/// addresses), and only the addresses still there are left to remove, so that no removal is sent
/// twice. Returns what is left to remove (`None`: nothing, or the run is stopping).
pub(crate) async fn settle_before_removal(
    writer: &Writer<'_>,
    item: &ItemRecord,
) -> Result<Option<AliasItem>, FixError> {
    let mut alias = AliasItem::from(item);
    let settle = matches!(
        item.state,
        ItemState::AddIntent | ItemState::RemoveIntent | ItemState::RemoveFailed
    );
    if settle && writer.halted() {
        return Ok(None);
    }
    let id = item.id;
    if item.state == ItemState::AddIntent {
        let present = writer.presence(&alias).await? == Presence::Present;
        writer
            .journal()
            .submit(move |j| {
                if present {
                    j.record_result(id, Op::Add, &OpOutcome::Succeeded)
                } else {
                    let reason = "not on the mailbox: the add never landed";
                    j.mark(id, ItemState::Skipped, Some(reason))
                }
            })
            .await?;
        if !present {
            return Ok(None);
        }
    } else if settle {
        match writer.present_addresses(&alias).await? {
            Some(present) if !present.is_empty() => alias.address = present.join(" "),
            _ => {
                let (state, why) = (item.state, without_writeback(item));
                writer
                    .journal()
                    .submit(move |j| settled_gone(j, id, state, why.as_deref()))
                    .await?;
                return Ok(None);
            }
        }
    }
    Ok(Some(alias))
}

/// Records that a re-read found an item's earlier removal done: removed, and gone.
fn settled_gone(
    journal: &Journal,
    id: ItemId,
    state: ItemState,
    why: Option<&str>,
) -> Result<(), JournalError> {
    if state == ItemState::RemoveFailed {
        journal.mark(id, ItemState::RemoveIntent, None)?;
    }
    journal.record_result(id, Op::Remove, &OpOutcome::Succeeded)?;
    let gone = "proven gone by a re-read (Get-Mailbox) before removing it again";
    journal.record_gone(id, gone, why).map(drop)
}
