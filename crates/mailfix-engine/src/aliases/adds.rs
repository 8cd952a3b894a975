//! The add stage: adds the planned aliases, as many at a time as the writer allows, and hands
//! each one on as soon as it is on its mailbox. An address that another recipient holds gets a
//! new suffix once (journaled as a re-plan); an address Exchange could not write to Entra ID
//! (dual-write `ObjectConflict`) is tried once more a few minutes later, then treated as in use;
//! the other failures are per-user and final.

use futures::StreamExt as _;
use futures::stream;

use tokio::sync::mpsc::UnboundedSender;

use super::writer::{AddOutcome, AliasItem, Writer};
use crate::events::{Action, Event};
use crate::facts::UserFacts;
use crate::fix::{AliasPlanner, FixError};
use crate::journal::{EventKind, ItemState};

/// What a re-plan's journal event says first (so that a resumed run knows it happened).
pub const REPLAN_NOTE: &str = "address in use; re-planned with a new suffix";

/// One alias to add: the item, what the planner needs for a new suffix, and whether the one
/// re-plan was used already.
#[derive(Clone, Debug)]
pub struct AddTarget {
    /// The item.
    pub item: AliasItem,
    /// The user's facts (`mailNickname` for a new address).
    pub facts: UserFacts,
    /// Whether the item was re-planned before.
    pub replanned: bool,
}

/// Adds every target's alias; each item whose alias is on its mailbox goes to `added` as soon as
/// it is.
pub(super) async fn add_all(
    writer: &Writer<'_>,
    targets: Vec<AddTarget>,
    planner: &AliasPlanner,
    added: &UnboundedSender<AliasItem>,
) -> Result<(), FixError> {
    // Twice as many adds as permits: while adds are left, some always wait for a permit, which
    // holds removals back (the writer serves adds first).
    let mut adds = stream::iter(targets)
        .map(|target| add_one(writer, target, planner))
        .buffer_unordered(2 * writer.depth());
    while let Some(result) = adds.next().await {
        if let Some(item) = result? {
            // The watch stage ends only after this sender is dropped.
            let _ = added.send(item);
        }
    }
    Ok(())
}

async fn add_one(
    writer: &Writer<'_>,
    target: AddTarget,
    planner: &AliasPlanner,
) -> Result<Option<AliasItem>, FixError> {
    let AddTarget {
        mut item,
        facts,
        mut replanned,
    } = target;
    let mut waited = false;
    loop {
        let outcome = match writer.add(&item).await? {
            AddOutcome::DualWrite(reason) if !waited => {
                waited = true;
                if !wait_for_dual_write(writer, &item, reason).await {
                    return Ok(None);
                }
                continue;
            }
            // Still conflicting a few minutes later: another object holds the address.
            AddOutcome::DualWrite(reason) => AddOutcome::InUse(reason),
            other => other,
        };
        match outcome {
            AddOutcome::Added => return Ok(Some(item)),
            AddOutcome::InUse(reason) if !replanned => {
                let Ok(address) = planner.retry_address(&facts, &mut rand::rng()) else {
                    return Ok(None);
                };
                let (id, planned, note) =
                    (item.id, address.clone(), format!("{REPLAN_NOTE}: {reason}"));
                writer
                    .journal()
                    .submit(move |j| j.replan(id, &planned, &note))
                    .await?;
                writer.reporter().report(&Event::ItemRetrying {
                    user: item.user.clone(),
                    action: Action::AddAlias,
                    attempt: 1,
                    after: std::time::Duration::ZERO,
                    reason: format!("{reason}; trying {address}"),
                });
                item.address = address;
                replanned = true;
                waited = false;
            }
            _ => return Ok(None),
        }
    }
}

/// Reports the wait and waits the writer's dual-write delay; `false` when the run stops meanwhile.
async fn wait_for_dual_write(writer: &Writer<'_>, item: &AliasItem, reason: String) -> bool {
    let wait = writer.dual_write_retry();
    writer.reporter().report(&Event::ItemRetrying {
        user: item.user.clone(),
        action: Action::AddAlias,
        attempt: 1,
        after: wait,
        reason,
    });
    tokio::select! {
        () = tokio::time::sleep(wait) => true,
        () = writer.halting() => false,
    }
}

/// Whether the journal shows that `item` was re-planned already.
pub fn was_replanned(
    journal: &crate::journal::Journal,
    item: crate::journal::ItemId,
) -> Result<bool, crate::journal::JournalError> {
    Ok(journal.item_events(item)?.iter().any(|event| {
        event.kind == EventKind::State
            && event.state == ItemState::Planned
            && event
                .detail
                .as_deref()
                .is_some_and(|d| d.starts_with(REPLAN_NOTE))
    }))
}
