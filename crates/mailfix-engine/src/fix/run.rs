//! Carrying out a planned fix (README "Fix" steps 4 to 8): journal the run and its items, add the
//! aliases, watch for the write-back, remove the aliases, and end the run with its status and
//! summary. [`super::resume()`] continues a run the same way.

use std::collections::HashMap;
use std::time::Instant;

use mailfix_client::Client;
use tokio_util::sync::CancellationToken;

use super::report::{FixReport, ReportContext, needs_resume};
use super::{FixError, PreparedFix};
use crate::aliases::{AddTarget, AliasItem, Work, Writer, carry_out};
use crate::events::{Command, Event, Reporter};
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
    let new = NewRun {
        command: Command::Fix,
        options: serde_json::to_value(prepared.run_options()).unwrap_or_default(),
        tenant: Some(ctx.client.tenant().to_owned()),
    };
    let id = prepared.run.clone();
    let run = ctx
        .journal
        .submit(move |j| j.begin_run_as(&id, &new))
        .await?;
    ctx.reporter.report(&Event::RunStarted {
        command: Command::Fix,
        run: Some(run.id.clone()),
        targets: Some(prepared.targets.users.len() as u64),
    });
    let targets = journal_items(ctx.journal, &run.id, &prepared).await?;
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
        ..Work::default()
    };
    carry_out(&writer, &planner, &prepared.options.watch, work).await?;
    let report_ctx = report_context(ctx, &prepared, started);
    finish(&writer, &run.id, report_ctx).await
}

/// Records the planned aliases (and the skipped users, with why) as the run's items, in one
/// commit.
async fn journal_items(
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
    let skipped = skipped_items(prepared);
    let run_id = run.clone();
    let ids = journal
        .submit(move |j| {
            let ids = j.add_items(&run_id, &aliases)?;
            for (item, reason) in &skipped {
                let id = j.add_items(&run_id, std::slice::from_ref(item))?;
                j.mark(id[0], ItemState::Skipped, Some(reason))?;
            }
            Ok(ids)
        })
        .await?;
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
fn skipped_items(prepared: &PreparedFix) -> Vec<(NewItem, String)> {
    prepared
        .targets
        .skipped
        .iter()
        .map(|s| (s.user.clone(), s.reason.clone()))
        .chain(prepared.plan.rejected.iter().cloned())
        .map(|(user, reason)| {
            let item = NewItem {
                user,
                kind: ItemKind::Alias,
                planned: String::new(),
            };
            (item, reason)
        })
        .collect()
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

/// Ends the run: status, summary in the journal, `RunFinished`. A run that ran to its end is
/// `finished` only when every target was fixed; `partial` when some were not and nothing is left
/// to resume.
pub(super) async fn finish(
    writer: &Writer<'_>,
    run: &RunId,
    report_ctx: ReportContext,
) -> Result<FixOutcome, FixError> {
    let journal = writer.journal();
    let id = run.clone();
    let detail = journal.submit(move |j| j.show_run(&id)).await?;
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
    let mut report = FixReport::from_run(&detail, status, &report_ctx);
    if status == RunStatus::Finished && report.fixed.len() < report.targets {
        report = FixReport::from_run(&detail, RunStatus::Partial, &report_ctx);
    }
    let status = report.status.unwrap_or(status);
    let summary = serde_json::to_value(&report).unwrap_or_default();
    let id = run.clone();
    journal
        .submit(move |j| j.finish_run(&id, status, &summary))
        .await?;
    let done = report.fixed.len() as u64;
    writer.reporter().report(&Event::RunFinished {
        run: Some(run.clone()),
        elapsed: report_ctx.elapsed,
        done,
        not_done: (report.targets as u64).saturating_sub(done),
    });
    Ok(FixOutcome { report, stopped_by })
}
