//! The removal stage: takes aliases to remove as they come (written back, timed out, or left by
//! an earlier run), removes each one, and proves them gone in groups (`verify.rs`). An alias still
//! there after its removal is removed once more; after that the item is `remove-failed` and
//! `cleanup` takes it up. A removed alias that could not be checked stays `removed`.
//!
//! Removals and checks run at once, each group checked as soon as it is full or nothing else is
//! being removed, so that no alias waits for others that may never come. On Ctrl-C no removal or
//! check starts any more; those in flight finish.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};

use futures::StreamExt as _;
use futures::stream::FuturesUnordered;
use tokio::sync::mpsc::UnboundedReceiver;

use super::remove::RemoveCall;
use super::verify::{Finding, MAILBOXES_PER_FILTER};
use super::writer::{AliasItem, Writer};
use crate::events::{Action, Outcome};
use crate::journal::{ItemState, JournalError, Op, OpOutcome};

/// Removals of one alias before it counts as failed.
const REMOVE_ATTEMPTS: u8 = 2;

/// An alias to remove.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Removal {
    /// The item.
    pub item: AliasItem,
    /// Why it goes although its write-back was not seen (`None`: it was seen), for the journal:
    /// "no write-back within 30m".
    pub without_writeback: Option<String>,
}

impl Removal {
    /// The alias of a user whose write-back was seen.
    pub fn written_back(item: AliasItem) -> Self {
        Self {
            item,
            without_writeback: None,
        }
    }
}

/// How many removals failed or could not be proven.
#[derive(Debug, Default)]
pub struct RemovalTally {
    failed: AtomicU64,
}

impl RemovalTally {
    /// Removals that failed or could not be proven so far.
    pub fn failed(&self) -> u64 {
        self.failed.load(Ordering::Relaxed)
    }
}

type Call<'w> =
    Pin<Box<dyn Future<Output = Result<(Removal, u8, RemoveCall), JournalError>> + Send + 'w>>;
type Check<'w> =
    Pin<Box<dyn Future<Output = Result<Vec<(Removal, u8)>, JournalError>> + Send + 'w>>;

/// Removes every alias `incoming` brings until it closes, and proves each one gone.
pub async fn remove_all(
    writer: &Writer<'_>,
    mut incoming: UnboundedReceiver<Removal>,
    tally: &RemovalTally,
) -> Result<(), JournalError> {
    let mut calls: FuturesUnordered<Call<'_>> = FuturesUnordered::new();
    let mut checks: FuturesUnordered<Check<'_>> = FuturesUnordered::new();
    let mut removed: Vec<(Removal, u8)> = Vec::new();
    let mut open = true;
    loop {
        while !removed.is_empty() && (removed.len() >= MAILBOXES_PER_FILTER || calls.is_empty()) {
            let group: Vec<_> = removed
                .drain(..removed.len().min(MAILBOXES_PER_FILTER))
                .collect();
            if writer.halted() {
                unproven(
                    writer,
                    group,
                    "the run stopped before the removal was checked",
                    tally,
                );
            } else {
                checks.push(Box::pin(check(writer, group, tally)));
            }
        }
        if !open && calls.is_empty() && checks.is_empty() {
            return Ok(());
        }
        tokio::select! {
            next = incoming.recv(), if open => match next {
                Some(removal) => calls.push(call(writer, removal, 1)),
                None => open = false,
            },
            Some(done) = calls.next(), if !calls.is_empty() => {
                let (removal, attempt, sent) = done?;
                match sent {
                    RemoveCall::Sent => removed.push((removal, attempt)),
                    RemoveCall::Failed(reason) => failed(writer, &removal, reason, tally),
                    RemoveCall::NotStarted => {}
                }
            },
            Some(again) = checks.next(), if !checks.is_empty() => {
                for (removal, attempt) in again? {
                    calls.push(call(writer, removal, attempt));
                }
            },
        }
    }
}

fn call<'w>(writer: &'w Writer<'_>, removal: Removal, attempt: u8) -> Call<'w> {
    Box::pin(async move {
        let sent = writer.remove_once(&removal.item).await?;
        Ok((removal, attempt, sent))
    })
}

/// Checks a group and journals what it found; returns the aliases to remove once more.
async fn check(
    writer: &Writer<'_>,
    group: Vec<(Removal, u8)>,
    tally: &RemovalTally,
) -> Result<Vec<(Removal, u8)>, JournalError> {
    let items: Vec<&AliasItem> = group.iter().map(|(r, _)| &r.item).collect();
    let findings = writer.check_gone(&items).await;
    let found = group
        .into_iter()
        .zip(findings)
        .map(|((removal, attempt), finding)| (removal, attempt, finding))
        .collect();
    settle(writer, found, tally).await
}

/// Journals what a check found: the gone ones in one commit; the ones still there are returned
/// for one more removal, or fail.
async fn settle(
    writer: &Writer<'_>,
    found: Vec<(Removal, u8, Finding)>,
    tally: &RemovalTally,
) -> Result<Vec<(Removal, u8)>, JournalError> {
    let mut gone = Vec::new();
    let mut again = Vec::new();
    for (removal, attempt, finding) in found {
        match finding {
            Finding::Gone(proof) => gone.push((removal, proof)),
            Finding::Unknown(reason) => unproven(writer, vec![(removal, attempt)], &reason, tally),
            Finding::Present if attempt < REMOVE_ATTEMPTS => {
                let (id, note) = (
                    removal.item.id,
                    format!("still on the mailbox after removal {attempt}"),
                );
                writer
                    .journal()
                    .submit(move |j| j.mark(id, ItemState::RemoveIntent, Some(&note)))
                    .await?;
                again.push((removal, attempt + 1));
            }
            Finding::Present => {
                let reason = format!("still on the mailbox after {REMOVE_ATTEMPTS} removals");
                let id = removal.item.id;
                let outcome = OpOutcome::Failed(reason.clone());
                writer
                    .journal()
                    .submit(move |j| j.record_result(id, Op::Remove, &outcome))
                    .await?;
                failed(writer, &removal, reason, tally);
            }
        }
    }
    record_gone(writer, gone).await?;
    Ok(again)
}

/// Journals the aliases proven gone (one commit) and reports them.
async fn record_gone(
    writer: &Writer<'_>,
    gone: Vec<(Removal, String)>,
) -> Result<(), JournalError> {
    if gone.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = gone
        .iter()
        .map(|(r, proof)| (r.item.id, proof.clone(), r.without_writeback.clone()))
        .collect();
    writer
        .journal()
        .submit(move |j| {
            for (id, proof, why) in &rows {
                j.record_gone(*id, proof, why.as_deref())?;
            }
            Ok(())
        })
        .await?;
    for (removal, _) in &gone {
        writer.done(&removal.item.user, Action::VerifyRemoved, Outcome::Done);
    }
    Ok(())
}

fn unproven(writer: &Writer<'_>, group: Vec<(Removal, u8)>, reason: &str, tally: &RemovalTally) {
    for (removal, _) in group {
        tally.failed.fetch_add(1, Ordering::Relaxed);
        let skipped = Outcome::Skipped {
            reason: reason.to_owned(),
        };
        writer.done(&removal.item.user, Action::RemoveAlias, skipped);
    }
}

fn failed(writer: &Writer<'_>, removal: &Removal, reason: String, tally: &RemovalTally) {
    tally.failed.fetch_add(1, Ordering::Relaxed);
    let failed = Outcome::Failed { reason };
    writer.done(&removal.item.user, Action::RemoveAlias, failed);
}
