//! Carrying out a planned fix (SPEC §4 steps 4 to 8): journal the run and its items, add the
//! aliases, watch for the write-back, remove the aliases, and end the run with its status and
//! summary. [`super::resume()`] continues a run the same way.

use std::collections::HashMap;
use std::time::Instant;

use mailfix_client::Client;
use tokio_util::sync::CancellationToken;

use super::adds::{AddTarget, add_all};
use super::plan::AliasPlanner;
use super::report::{FixReport, ReportContext, needs_resume};
use super::{FixError, PreparedFix, WatchOptions};
use crate::aliases::{AliasItem, Writer, watch};
use crate::events::{Command, Event, Phase, Reporter};
use crate::facts::UserFacts;
use crate::finding::UserRef;
use crate::journal::{ItemKind, ItemState, Journal, NewItem, NewRun, RunStatus};
use crate::run_id::RunId;

/// What a write command works with.
#[derive(Clone, Copy)]
pub struct FixContext<'a> {
    /// The client.
    pub client: &'a Client,
    /// The journal, opened for writing.
    pub journal: &'a Journal,
    /// Where events go.
    pub reporter: &'a dyn Reporter,
    /// Cancelled by Ctrl-C: no new work starts; calls in flight finish.
    pub cancel: &'a CancellationToken,
}

/// How a fix run ended: its summary, and the failure that stopped it early, if one did.
#[derive(Debug)]
pub struct FixOutcome {
    /// The summary.
    pub report: FixReport,
    /// A failure every call would have hit (sign-in, permission), which stopped the run.
    pub stopped_by: Option<mailfix_client::Error>,
}

impl FixOutcome {
    /// Whether Ctrl-C stopped the run.
    pub fn interrupted(&self) -> bool {
        self.report.status == Some(RunStatus::Interrupted)
    }
}

/// Journals the prepared run and carries it out.
pub async fn execute(ctx: FixContext<'_>, prepared: PreparedFix) -> Result<FixOutcome, FixError> {
    let started = Instant::now();
    // No planner: there were no targets, so there is nothing to journal.
    let Some(planner) = prepared.planner.clone() else {
        let report = FixReport::empty(&report_context(ctx, &prepared, started));
        return Ok(FixOutcome {
            report,
            stopped_by: None,
        });
    };
    let run = ctx.journal.begin_run_as(
        &prepared.run,
        &NewRun {
            command: Command::Fix,
            options: serde_json::to_value(prepared.run_options()).unwrap_or_default(),
            tenant: Some(ctx.client.tenant().to_owned()),
        },
    )?;
    ctx.reporter.report(&Event::RunStarted {
        command: Command::Fix,
        run: Some(run.id.clone()),
        targets: Some(prepared.targets.users.len() as u64),
    });
    let targets = journal_items(ctx.journal, &run.id, &prepared)?;
    let writer = Writer::new(
        ctx.client,
        ctx.journal,
        ctx.reporter,
        prepared.options.concurrency,
        ctx.cancel.clone(),
    )
    .with_dual_write_retry(prepared.options.dual_write_retry);
    let work = Work {
        to_add: targets,
        pending: Vec::new(),
        written: Vec::new(),
    };
    let options = &prepared.options;
    carry_out(&writer, &planner, options.concurrency, &options.watch, work).await?;
    let report_ctx = report_context(ctx, &prepared, started);
    finish(&writer, &run.id, report_ctx)
}

/// What is left to do in a run.
pub(super) struct Work {
    /// Aliases to add.
    pub to_add: Vec<AddTarget>,
    /// Added, waiting for the write-back.
    pub pending: Vec<AliasItem>,
    /// Written back, alias to remove.
    pub written: Vec<AliasItem>,
}

/// Adds, then watches and removes.
pub(super) async fn carry_out(
    writer: &Writer<'_>,
    planner: &AliasPlanner,
    concurrency: usize,
    watch_options: &WatchOptions,
    mut work: Work,
) -> Result<(), FixError> {
    let reporter = writer.reporter();
    if !work.to_add.is_empty() {
        reporter.report(&Event::Phase {
            phase: Phase::Apply,
        });
        let added = add_all(writer, work.to_add, planner, concurrency).await?;
        work.pending.extend(added);
    }
    if writer.halted() {
        return Ok(());
    }
    reporter.report(&Event::Phase {
        phase: Phase::Watch,
    });
    watch(writer, watch_options, work.pending, work.written).await
}

/// Records the planned aliases (and the skipped users, with why) as the run's items.
fn journal_items(
    journal: &Journal,
    run: &RunId,
    prepared: &PreparedFix,
) -> Result<Vec<AddTarget>, FixError> {
    let aliases: Vec<NewItem> = prepared
        .plan
        .items
        .iter()
        .map(|p| NewItem {
            user: p.user.clone(),
            kind: ItemKind::Alias,
            planned: p.address.clone(),
        })
        .collect();
    let ids = journal.add_items(run, &aliases)?;
    journal_skipped(journal, run, prepared)?;
    // The first facts of each user, as a lookup instead of a scan of the targets per item.
    let mut facts: HashMap<&UserRef, &UserFacts> = HashMap::new();
    for f in &prepared.targets.users {
        facts.entry(&f.user).or_insert(f);
    }
    Ok(ids
        .into_iter()
        .zip(&prepared.plan.items)
        .map(|(id, planned)| AddTarget {
            item: AliasItem {
                id,
                user: planned.user.clone(),
                address: planned.address.clone(),
            },
            facts: facts
                .get(&planned.user)
                .copied()
                .cloned()
                .unwrap_or_default(),
            replanned: false,
        })
        .collect())
}

/// The users left out (scan and plan), as `skipped` items with their reason.
fn journal_skipped(journal: &Journal, run: &RunId, prepared: &PreparedFix) -> Result<(), FixError> {
    let skipped = prepared
        .targets
        .skipped
        .iter()
        .map(|s| (s.user.clone(), s.reason.clone()))
        .chain(prepared.plan.rejected.iter().cloned());
    for (user, reason) in skipped {
        let item = NewItem {
            user,
            kind: ItemKind::Alias,
            planned: String::new(),
        };
        let id = journal.add_items(run, &[item])?;
        journal.mark(id[0], ItemState::Skipped, Some(&reason))?;
    }
    Ok(())
}

fn report_context(ctx: FixContext<'_>, prepared: &PreparedFix, started: Instant) -> ReportContext {
    ReportContext {
        targets: prepared.targets.users.len(),
        keep_aliases: prepared.options.watch.keep_aliases,
        skipped_members: prepared.targets.skipped_members.clone(),
        counters: ctx.client.counters(),
        elapsed: started.elapsed(),
    }
}

/// Ends the run: status, summary in the journal, `RunFinished`.
pub(super) fn finish(
    writer: &Writer<'_>,
    run: &RunId,
    report_ctx: ReportContext,
) -> Result<FixOutcome, FixError> {
    let journal = writer.journal();
    let detail = journal.show_run(run)?;
    let stopped_by = writer.stopped_by();
    let status = if writer.interrupted() {
        RunStatus::Interrupted
    } else if stopped_by.is_some() {
        RunStatus::Failed
    } else if detail
        .items
        .iter()
        .any(|i| needs_resume(i, report_ctx.keep_aliases))
    {
        RunStatus::Incomplete
    } else {
        RunStatus::Finished
    };
    let report = FixReport::from_run(&detail, status, &report_ctx);
    let summary = serde_json::to_value(&report).unwrap_or_default();
    journal.finish_run(run, status, &summary)?;
    let done = report.fixed.len() as u64;
    writer.reporter().report(&Event::RunFinished {
        run: Some(run.clone()),
        elapsed: report_ctx.elapsed,
        done,
        not_done: (report.targets as u64).saturating_sub(done),
    });
    Ok(FixOutcome { report, stopped_by })
}
