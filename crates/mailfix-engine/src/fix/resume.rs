//! `fix --resume [RUN]` (README "Fix" step 8): take up a run that did not finish (crash, kill, Ctrl-C,
//! failure, or stuck users kept by `--on-timeout keep`). First every item whose last journal state
//! is an intent is re-read from Exchange, because the call may or may not have landed; then the run
//! continues where its items stand: add what was never added, watch what is pending or stuck,
//! remove what was written back.

use std::time::{Duration, Instant};

use super::plan::{AliasPlanner, PlanError};
use super::run::finish;
use crate::aliases::{
    AddTarget, AliasItem, AliasTemplate, Removal, Work, Writer, carry_out,
    settle_after_interruption, was_replanned,
};
use crate::events::{Command, Event, Phase};
use crate::facts::UserFacts;
use crate::fix::{FixContext, FixError, FixOutcome, OnTimeout, ReportContext, RunOptions};
use crate::journal::{ItemKind, ItemRecord, ItemState, RunRecord};
use crate::run_id::RunId;

/// Options given on the command line of `fix --resume`; `None` keeps the run's own.
#[derive(Clone, Debug, Default)]
pub struct ResumeOptions {
    /// Writes at once.
    pub concurrency: Option<usize>,
    /// Poll interval.
    pub poll_interval: Option<Duration>,
    /// Watch timeout (counted from the resume).
    pub timeout: Option<Duration>,
    /// What happens at the timeout.
    pub on_timeout: Option<OnTimeout>,
    /// Keep the aliases after the write-back.
    pub keep_aliases: Option<bool>,
}

impl ResumeOptions {
    fn apply(&self, mut options: RunOptions) -> RunOptions {
        let watch = &mut options.watch;
        watch.poll_interval = self.poll_interval.unwrap_or(watch.poll_interval);
        watch.timeout = self.timeout.unwrap_or(watch.timeout);
        watch.on_timeout = self.on_timeout.unwrap_or(watch.on_timeout);
        watch.keep_aliases = self.keep_aliases.unwrap_or(watch.keep_aliases);
        options.concurrency = self.concurrency.unwrap_or(options.concurrency);
        options
    }
}

/// The run `fix --resume` takes up: `run`, or the newest unfinished fix run.
pub async fn run_to_resume(
    journal: &crate::journal::Journal,
    run: Option<&RunId>,
) -> Result<RunRecord, FixError> {
    let run = run.cloned();
    let record = journal
        .submit(move |j| match &run {
            Some(id) => j.require_run(id).map(Some),
            None => j.latest_unfinished_run(Some(Command::Fix)),
        })
        .await?
        .ok_or(FixError::NothingToResume { command: "fix" })?;
    if record.command != Command::Fix {
        return Err(FixError::NotAFixRun {
            run: record.id,
            command: record.command.to_string(),
        });
    }
    Ok(record)
}

/// Resumes `record` (see [`run_to_resume`]).
pub async fn resume(
    ctx: FixContext<'_>,
    record: &RunRecord,
    overrides: &ResumeOptions,
) -> Result<FixOutcome, FixError> {
    let started = Instant::now();
    let options = overrides.apply(RunOptions::of_run(record)?);
    let id = record.id.clone();
    let run = ctx.journal.submit(move |j| j.resume_run(&id)).await?;
    ctx.reporter.report(&Event::RunStarted {
        command: Command::Fix,
        run: Some(run.id.clone()),
        targets: Some(options.targets as u64),
    });
    ctx.reporter.report(&Event::Phase {
        phase: Phase::Resume,
    });
    let writer = Writer::new(
        ctx.client,
        ctx.journal,
        ctx.reporter,
        options.concurrency,
        ctx.cancel.clone(),
    );
    let work = settle(&writer, &run.id, options.watch.keep_aliases).await?;
    ctx.reporter.report(&resumed(&ctx.journal.items(&run.id)?));
    let template: AliasTemplate = options
        .template
        .parse()
        .map_err(|e| FixError::Plan(PlanError::Template(e)))?;
    let planner = AliasPlanner::new(template, run.id.clone(), &options.domain)?;
    carry_out(&writer, &planner, &options.watch, work).await?;
    let report_ctx = ReportContext {
        targets: options.targets,
        keep_aliases: options.watch.keep_aliases,
        skipped_members: Default::default(),
        counters: ctx.client.counters(),
        elapsed: started.elapsed(),
    };
    finish(&writer, &run.id, report_ctx).await
}

/// Where the items stand, for the display: each state counts toward every step it is past.
fn resumed(items: &[crate::journal::ItemRecord]) -> Event {
    use ItemState::*;
    let count = |states: &[ItemState]| {
        let n = items
            .iter()
            .filter(|i| i.kind == ItemKind::Alias && states.contains(&i.state))
            .count();
        n as u64
    };
    Event::Resumed {
        added: count(&[
            Added,
            WrittenBack,
            Stuck,
            RemoveIntent,
            Removed,
            RemoveFailed,
            Verified,
        ]),
        written_back: count(&[WrittenBack, RemoveIntent, Removed, RemoveFailed, Verified]),
        removed: count(&[Removed, Verified]),
        failed: count(&[AddFailed, RemoveFailed]),
    }
}

/// Re-reads the items left in an intent (or removed but not verified), then sorts every item
/// into what is left to do.
async fn settle(writer: &Writer<'_>, run: &RunId, keep_aliases: bool) -> Result<Work, FixError> {
    let journal = writer.journal();
    for item in items_of(writer, run).await? {
        if matches!(
            item.state,
            ItemState::AddIntent | ItemState::RemoveIntent | ItemState::Removed
        ) && item.kind == ItemKind::Alias
        {
            settle_after_interruption(writer, &item).await?;
        }
    }
    let items = items_of(writer, run).await?;
    let replanned = journal
        .submit(move |j| {
            items
                .into_iter()
                .map(|item| Ok((was_replanned(j, item.id)?, item)))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    let mut work = Work::default();
    for (replanned, item) in replanned {
        if item.kind != ItemKind::Alias {
            continue;
        }
        let alias = AliasItem::from(&item);
        match item.state {
            ItemState::Planned => work.to_add.push(AddTarget {
                replanned,
                facts: UserFacts {
                    user: item.user.clone(),
                    ..UserFacts::default()
                },
                item: alias,
            }),
            ItemState::Added | ItemState::Stuck => work.pending.push(alias),
            ItemState::WrittenBack if !keep_aliases => {
                work.to_remove.push(Removal::written_back(alias))
            }
            ItemState::RemoveIntent => work.to_remove.push(Removal {
                without_writeback: crate::aliases::without_writeback(&item),
                item: alias,
            }),
            _ => {}
        }
    }
    Ok(work)
}

async fn items_of(writer: &Writer<'_>, run: &RunId) -> Result<Vec<ItemRecord>, FixError> {
    let run = run.clone();
    Ok(writer.journal().submit(move |j| j.items(&run)).await?)
}
