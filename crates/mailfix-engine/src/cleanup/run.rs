//! Carrying out a cleanup: a journaled run of its own that removes what the plan holds and proves
//! it gone (the alias machinery's removal stage), then settles the fix runs it left nothing to
//! resume in.

use std::collections::BTreeSet;
use std::time::Instant;

use futures::StreamExt as _;
use futures::stream;
use tokio::sync::mpsc;

use super::plan::CleanupPlan;
use super::report::{CleanupOutcome, report};
use super::sweep::FoundAliases;
use crate::aliases::{Removal, Writer, remove_and_check, settle_before_removal, without_writeback};
use crate::events::{Command, Event, Phase};
use crate::fix::{FixContext, FixError, RunOptions, needs_resume};
use crate::journal::{
    ItemKind, ItemRecord, ItemState, Journal, JournalError, NewItem, NewRun, RunStatus,
};
use crate::run_id::RunId;

/// Journals a cleanup run and removes what `plan` holds, `concurrency` Exchange writes at a time.
pub async fn execute(
    ctx: FixContext<'_>,
    plan: CleanupPlan,
    concurrency: usize,
) -> Result<CleanupOutcome, FixError> {
    let started = Instant::now();
    let new = NewRun {
        command: Command::Cleanup,
        options: serde_json::json!({"run": plan.run, "sweep": !plan.found.is_empty()}),
        tenant: Some(ctx.client.tenant().to_owned()),
    };
    let found = found_items(&plan.found);
    let journaled: Vec<_> = plan.journaled.iter().map(|i| i.id).collect();
    let (run, items) = ctx
        .journal
        .submit(move |j| {
            let run = j.begin_run(&new)?;
            let mut ids = journaled;
            ids.extend(j.add_found_items(&run.id, &found, "found by cleanup --sweep")?);
            let items = ids
                .iter()
                .map(|id| j.item(*id))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((run, items))
        })
        .await?;
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
    let (removals, incoming) = mpsc::unbounded_channel();
    let settling = settle_all(&writer, &items, removals);
    tokio::try_join!(settling, remove_and_check(&writer, incoming))?;
    let fix_runs: BTreeSet<RunId> = plan.journaled.iter().map(|i| i.run.clone()).collect();
    ctx.journal
        .submit(move |j| fix_runs.iter().try_for_each(|run| settle_fix_run(j, run)))
        .await?;
    finish(ctx, &writer, &run.id, items, started).await
}

/// Settles each item (re-reading the ones left in an intent) and hands what is left to remove on.
async fn settle_all(
    writer: &Writer<'_>,
    items: &[ItemRecord],
    removals: mpsc::UnboundedSender<Removal>,
) -> Result<(), FixError> {
    let mut settled = stream::iter(items)
        .map(|item| async move {
            let left = settle_before_removal(writer, item).await?;
            Ok::<_, FixError>(left.map(|alias| Removal {
                item: alias,
                without_writeback: without_writeback(item),
            }))
        })
        .buffer_unordered(writer.depth());
    while let Some(left) = settled.next().await {
        if let Some(removal) = left? {
            let _ = removals.send(removal);
        }
    }
    Ok(())
}

/// A fix run left `incomplete` (aliases kept past the timeout) that has nothing left to resume once
/// its aliases are gone ends `partial` (or `finished` when every target was written back).
fn settle_fix_run(journal: &Journal, run: &RunId) -> Result<(), JournalError> {
    let detail = journal.show_run(run)?;
    if detail.run.command != Command::Fix || detail.run.status != RunStatus::Incomplete {
        return Ok(());
    }
    let keep_aliases = serde_json::from_value::<RunOptions>(detail.run.options.clone())
        .is_ok_and(|o| o.watch.keep_aliases);
    if detail.items.iter().any(|i| needs_resume(i, keep_aliases)) {
        return Ok(());
    }
    let all_fixed = detail
        .items
        .iter()
        .filter(|i| i.kind == ItemKind::Alias && i.state != ItemState::Skipped)
        .all(|i| i.written_back_at.is_some());
    let status = if all_fixed {
        RunStatus::Finished
    } else {
        RunStatus::Partial
    };
    journal.set_run_status(run, status)
}

/// Ends the cleanup run: status, summary in the journal, `RunFinished`.
async fn finish(
    ctx: FixContext<'_>,
    writer: &Writer<'_>,
    run: &RunId,
    items: Vec<ItemRecord>,
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
    let id = run.clone();
    let items = ctx
        .journal
        .submit(move |j| {
            items
                .iter()
                .map(|i| j.item(i.id))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    let report = report(ctx.client, run, status, &items, started);
    let summary = serde_json::to_value(&report).unwrap_or_default();
    ctx.journal
        .submit(move |j| j.finish_run(&id, status, &summary))
        .await?;
    ctx.reporter.report(&Event::RunFinished {
        run: Some(run.clone()),
        elapsed: started.elapsed(),
        done: (report.removed.len() + report.absent.len()) as u64,
        not_done: (report.failed.len() + report.pending.len()) as u64,
    });
    Ok(CleanupOutcome { report, stopped_by })
}

/// The swept aliases, as items of the cleanup run already on their mailboxes.
fn found_items(found: &[FoundAliases]) -> Vec<NewItem> {
    found
        .iter()
        .map(|f| NewItem {
            user: f.user.clone(),
            kind: ItemKind::Alias,
            planned: f.addresses.join(" "),
        })
        .collect()
}
