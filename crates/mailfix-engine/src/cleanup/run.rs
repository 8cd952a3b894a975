//! Carrying out a cleanup: a journaled run of its own that removes what the plan holds,
//! `concurrency` at a time.

use std::time::Instant;

use futures::StreamExt as _;
use futures::stream;

use super::plan::CleanupPlan;
use super::report::{CleanupOutcome, report};
use super::sweep::FoundAliases;
use crate::aliases::{Writer, settle_before_removal};
use crate::events::{Command, Event, Phase};
use crate::fix::{FixContext, FixError};
use crate::journal::{ItemId, ItemKind, Journal, NewItem, NewRun, RunStatus};
use crate::run_id::RunId;

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

/// Removes one item's alias, after settling an item left in an intent (see
/// [`settle_before_removal`]).
async fn clean_one(writer: &Writer<'_>, id: ItemId) -> Result<(), FixError> {
    let item = writer.journal().item(id)?;
    if let Some(alias) = settle_before_removal(writer, &item).await? {
        writer.remove(&alias).await?;
    }
    Ok(())
}
