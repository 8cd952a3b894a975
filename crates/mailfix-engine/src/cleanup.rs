//! `cleanup` (SPEC §5): remove every temporary alias the journal records as added and not removed
//! (of one run with `--run`, else of all runs), and with `--sweep` also the temporary aliases
//! found in the scope that no journal knows (mailfix's marker, the original script's
//! `.forcemailwriteback@`). Planned like `fix` ([`plan`] reads only), then carried out as a
//! journaled run of its own ([`execute`]).

mod sweep;

use std::time::Instant;

use futures::StreamExt as _;
use futures::stream;
use serde::Serialize;

pub use sweep::{FoundAliases, find as sweep};

use crate::apply::{AliasItem, Presence, Writer};
use crate::events::{Command, Event, Phase, Reporter};
use crate::finding::UserRef;
use crate::fix::{FixContext, FixError, ReportItem, RequestCounts};
use crate::journal::{
    ErrorKind, ItemId, ItemKind, ItemRecord, ItemState, Journal, JournalError, NewItem, NewRun, Op,
    OpOutcome, RunStatus,
};
use crate::run_id::RunId;
use crate::scope::Scope;

/// What a cleanup would remove.
#[derive(Clone, Debug, Default)]
pub struct CleanupPlan {
    /// The run whose aliases are removed (`None`: every run).
    pub run: Option<RunId>,
    /// Journal items whose alias may still be on a mailbox.
    pub journaled: Vec<ItemRecord>,
    /// Temporary aliases `--sweep` found that the journal does not track.
    pub found: Vec<FoundAliases>,
}

impl CleanupPlan {
    /// Mailbox changes the plan makes (one per item; a swept mailbox counts once).
    pub fn changes(&self) -> usize {
        self.journaled.len() + self.found.len()
    }

    /// Every planned removal as (user, addresses, where it comes from).
    pub fn rows(&self) -> Vec<(UserRef, String, String)> {
        let journaled = self.journaled.iter().map(|i| {
            let from = format!("run {} ({})", i.run, i.state);
            (i.user.clone(), i.planned.clone(), from)
        });
        let found = self
            .found
            .iter()
            .map(|f| (f.user.clone(), f.addresses.join(" "), "sweep".to_owned()));
        journaled.chain(found).collect()
    }
}

/// Reads what is to be removed: the journal's items (when there is a journal) and, with a sweep
/// scope, what the scope's mailboxes hold.
pub async fn plan(
    client: &mailfix_client::Client,
    journal: Option<&Journal>,
    run: Option<&RunId>,
    sweep_scope: Option<&Scope>,
    reporter: &dyn Reporter,
) -> Result<CleanupPlan, FixError> {
    let journaled = match (journal, run) {
        (Some(journal), Some(id)) if journal.run(id)?.is_none() => {
            return Err(unknown_run(id));
        }
        (None, Some(id)) => return Err(unknown_run(id)),
        (Some(journal), _) => journal.items_to_clean(run)?,
        (None, None) => Vec::new(),
    };
    let found = match sweep_scope {
        Some(scope) => sweep(client, scope, &journaled, reporter).await?,
        None => Vec::new(),
    };
    Ok(CleanupPlan {
        run: run.cloned(),
        journaled,
        found,
    })
}

fn unknown_run(id: &RunId) -> FixError {
    FixError::Journal(JournalError::from(ErrorKind::UnknownRun(id.to_string())))
}

/// The summary of a cleanup.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CleanupReport {
    /// The cleanup's own run (`null` when there was nothing to do).
    pub run: Option<RunId>,
    /// How it ended.
    pub status: Option<RunStatus>,
    /// Aliases removed (and confirmed gone).
    pub removed: Vec<ReportItem>,
    /// Aliases found not to be there (never added).
    pub absent: Vec<ReportItem>,
    /// Removals that failed, with why.
    pub failed: Vec<ReportItem>,
    /// Removals not started because the cleanup was interrupted.
    pub pending: Vec<ReportItem>,
    /// Requests made.
    pub requests: RequestCounts,
    /// Wall time.
    pub elapsed_s: f64,
    /// What to run to finish, if anything is left.
    pub next: Option<String>,
}

impl CleanupReport {
    /// Whether everything planned is gone (exit 0).
    pub fn is_complete(&self) -> bool {
        self.failed.is_empty() && self.pending.is_empty()
    }
}

/// How a cleanup ended.
#[derive(Debug)]
pub struct CleanupOutcome {
    /// The summary.
    pub report: CleanupReport,
    /// A failure every call would have hit, which stopped the cleanup.
    pub stopped_by: Option<mailfix_client::Error>,
}

/// Journals a cleanup run and removes what `plan` holds, `concurrency` at a time.
pub async fn execute(
    ctx: FixContext<'_>,
    plan: CleanupPlan,
    concurrency: usize,
) -> Result<CleanupOutcome, FixError> {
    let started = Instant::now();
    let options = serde_json::json!({"run": plan.run, "sweep": !plan.found.is_empty()});
    let run = ctx.journal.begin_run(&NewRun {
        command: Command::Cleanup,
        options,
        tenant: Some(ctx.client.tenant().to_owned()),
    })?;
    ctx.reporter.report(&Event::RunStarted {
        command: Command::Cleanup,
        run: Some(run.id.clone()),
        targets: Some(plan.changes() as u64),
    });
    ctx.reporter.report(&Event::Phase {
        phase: Phase::Cleanup,
    });
    let writer = Writer::new(
        ctx.client,
        ctx.journal,
        ctx.reporter,
        concurrency,
        ctx.cancel.clone(),
    );
    let mut ids: Vec<ItemId> = plan.journaled.iter().map(|i| i.id).collect();
    ids.extend(journal_found(ctx.journal, &run.id, &plan.found)?);
    let mut removals = stream::iter(ids.iter().copied())
        .map(|id| clean_one(&writer, id))
        .buffer_unordered(concurrency.max(1));
    while let Some(result) = removals.next().await {
        result?;
    }
    drop(removals);
    finish(ctx, &writer, &run.id, &ids, started)
}

/// Ends the cleanup run: status, summary in the journal, `RunFinished`.
fn finish(
    ctx: FixContext<'_>,
    writer: &Writer<'_>,
    run: &RunId,
    ids: &[ItemId],
    started: Instant,
) -> Result<CleanupOutcome, FixError> {
    let stopped_by = writer.stopped_by();
    let status = if writer.interrupted() {
        RunStatus::Interrupted
    } else if stopped_by.is_some() {
        RunStatus::Failed
    } else {
        RunStatus::Finished
    };
    let report = report(ctx, run, status, ids, started)?;
    let summary = serde_json::to_value(&report).unwrap_or_default();
    ctx.journal.finish_run(run, status, &summary)?;
    ctx.reporter.report(&Event::RunFinished {
        run: Some(run.clone()),
        elapsed: started.elapsed(),
        done: (report.removed.len() + report.absent.len()) as u64,
        not_done: (report.failed.len() + report.pending.len()) as u64,
    });
    Ok(CleanupOutcome { report, stopped_by })
}

/// Journals the swept aliases as items of the cleanup run, already on their mailboxes.
fn journal_found(
    journal: &Journal,
    run: &RunId,
    found: &[FoundAliases],
) -> Result<Vec<ItemId>, FixError> {
    let items: Vec<NewItem> = found
        .iter()
        .map(|f| NewItem {
            user: f.user.clone(),
            kind: ItemKind::Alias,
            planned: f.addresses.join(" "),
        })
        .collect();
    Ok(journal.add_found_items(run, &items, "found by cleanup --sweep")?)
}

/// Removes one item's alias. An add of unknown outcome is settled by a re-read first; so is a
/// removal that may have landed (in whole or in part: a swept item has several addresses), and
/// only the addresses still there are removed, so that no removal is sent twice.
async fn clean_one(writer: &Writer<'_>, id: ItemId) -> Result<(), FixError> {
    let journal = writer.journal();
    let item = journal.item(id)?;
    let mut alias = AliasItem::from(&item);
    let settle = matches!(
        item.state,
        ItemState::AddIntent | ItemState::RemoveIntent | ItemState::RemoveFailed
    );
    if settle && writer.halted() {
        return Ok(());
    }
    if item.state == ItemState::AddIntent {
        match writer.presence(&alias).await? {
            Presence::Present => journal.record_result(id, Op::Add, &OpOutcome::Succeeded)?,
            _ => {
                let reason = "not on the mailbox: the add never landed";
                journal.mark(id, ItemState::Skipped, Some(reason))?;
                return Ok(());
            }
        }
    } else if settle {
        match writer.present_addresses(&alias).await? {
            Some(present) if !present.is_empty() => alias.address = present.join(" "),
            _ => return settled_gone(journal, &item),
        }
    }
    writer.remove(&alias).await?;
    Ok(())
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

fn report(
    ctx: FixContext<'_>,
    run: &RunId,
    status: RunStatus,
    ids: &[ItemId],
    started: Instant,
) -> Result<CleanupReport, FixError> {
    let mut report = CleanupReport {
        run: Some(run.clone()),
        status: Some(status),
        elapsed_s: started.elapsed().as_secs_f64(),
        ..nothing_to_do(ctx.client)
    };
    for id in ids {
        let item = ctx.journal.item(*id)?;
        let line = ReportItem::of(&item, item.reason.clone());
        match item.state {
            ItemState::Verified | ItemState::Removed => report.removed.push(line),
            ItemState::Skipped => report.absent.push(line),
            ItemState::RemoveFailed | ItemState::RemoveIntent => report.failed.push(line),
            _ => report.pending.push(line),
        }
    }
    if !report.is_complete() {
        report.next = Some("mailfix cleanup".to_owned());
    }
    Ok(report)
}

/// An empty report, for a cleanup with nothing to do.
pub fn nothing_to_do(client: &mailfix_client::Client) -> CleanupReport {
    CleanupReport {
        run: None,
        status: None,
        removed: Vec::new(),
        absent: Vec::new(),
        failed: Vec::new(),
        pending: Vec::new(),
        requests: RequestCounts::from(&client.counters()),
        elapsed_s: 0.0,
        next: None,
    }
}
