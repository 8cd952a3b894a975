//! Running `mailfix fix`: a new run (plan, confirm, carry out) or `--resume`, and the flags they
//! read.

use std::sync::Arc;
use std::time::Duration;

use mailfix_engine::aliases::AliasTemplate;
use mailfix_engine::duration::parse_duration;
use mailfix_engine::events::Reporter;
use mailfix_engine::fix::{
    self, FixContext, FixOptions, FixOutcome, OnTimeout, ResumeOptions, WatchOptions,
};
use mailfix_engine::scope::Scope;
use mailfix_engine::{CancellationToken, RunId};

use super::render;
use crate::cli::{FixArgs, OnTimeout as OnTimeoutArg};
use crate::confirm::{Answer, confirm};
use crate::connect::Context;
use crate::error::CliError;
use crate::exit::Exit;
use crate::html::{ReportFile, reports};
use crate::settings::Settings;

/// Runs `mailfix fix`.
pub async fn run(args: &FixArgs, ctx: &Context) -> Result<Exit, CliError> {
    match &args.resume {
        Some(run) => resume_run(args, run, ctx).await,
        None => new_run(args, ctx).await,
    }
}

async fn new_run(args: &FixArgs, ctx: &Context) -> Result<Exit, CliError> {
    let options = fix_options(args, &ctx.settings)?;
    let html = ReportFile::for_run(args.html.path.as_deref(), args.write.dry_run)?;
    let spec = args.scope.to_spec();
    if spec.is_empty() {
        return Err(CliError::usage("fix needs to know whom to fix").hint(
            "choose with --group, --all-users, --user or --users-file; or continue a run with --resume",
        ));
    }
    // Take the writer lock before any network call: a second fix fails at once.
    let journal = match args.write.dry_run {
        true => None,
        false => Some(ctx.journal_write("fix")?),
    };
    let client = ctx.client()?;
    let reporter = crate::progress::reporter(ctx.printer.clone());
    let scope = Scope::resolve(&client, spec).await?;
    let prepared = fix::prepare(&client, journal.as_ref(), &scope, options, &*reporter).await?;
    let Some(journal) = journal else {
        render::plan_data(ctx, &prepared)?;
        prepared.check_max_changes()?;
        return Ok(Exit::Success);
    };
    render::plan_status(ctx, &prepared);
    prepared.check_max_changes()?;
    if prepared.changes() > 0 {
        let question = format!(
            "Add {} temporary aliases on {} (run {})?",
            prepared.changes(),
            prepared.plan.domain,
            prepared.run
        );
        if confirm(&ctx.printer, &args.write, &question)? == Answer::Declined {
            ctx.printer.status("Nothing was changed.");
            return Ok(Exit::Success);
        }
    }
    let cancel = crate::interrupt::cancel_on_ctrl_c(reporter.clone());
    let fix_ctx = context(&client, &journal, &reporter, &cancel);
    let outcome = fix::execute(fix_ctx, prepared).await?;
    finish(ctx, outcome, &journal, html.as_ref().map(|f| (f, "fix")))
}

async fn resume_run(args: &FixArgs, run: &str, ctx: &Context) -> Result<Exit, CliError> {
    refuse_with_resume(args)?;
    let overrides = resume_options(args)?;
    let html = ReportFile::for_run(args.html.path.as_deref(), args.write.dry_run)?;
    let run: Option<RunId> =
        match run {
            "" => None,
            id => Some(id.parse().map_err(|e| {
                CliError::usage(format!("{e}")).hint("`mailfix runs` lists the runs")
            })?),
        };
    if !ctx.journal_exists()? {
        // Nothing recorded: say so without creating a journal.
        return Err(match &run {
            Some(id) => CliError::usage(format!("no run {id} in the journal"))
                .hint("`mailfix runs` lists the runs"),
            None => fix::FixError::NothingToResume { command: "fix" }.into(),
        });
    }
    let journal = ctx.journal_write("fix")?;
    let record = fix::run_to_resume(&journal, run.as_ref())?;
    let client = ctx.client()?;
    let reporter = crate::progress::reporter(ctx.printer.clone());
    ctx.printer
        .status(&format!("Resuming run {} ({})", record.id, record.status));
    let cancel = crate::interrupt::cancel_on_ctrl_c(reporter.clone());
    let fix_ctx = context(&client, &journal, &reporter, &cancel);
    let outcome = fix::resume(fix_ctx, &record, &overrides).await?;
    finish(
        ctx,
        outcome,
        &journal,
        html.as_ref().map(|f| (f, "fix --resume")),
    )
}

fn context<'a>(
    client: &'a mailfix_client::Client,
    journal: &'a mailfix_engine::journal::Journal,
    reporter: &'a Arc<dyn Reporter>,
    cancel: &'a CancellationToken,
) -> FixContext<'a> {
    FixContext {
        client,
        journal,
        reporter: &**reporter,
        cancel,
    }
}

/// Renders the summary (and the HTML report, with the command it names) and picks the exit code.
fn finish(
    ctx: &Context,
    outcome: FixOutcome,
    journal: &mailfix_engine::journal::Journal,
    html: Option<(&ReportFile, &str)>,
) -> Result<Exit, CliError> {
    render::summary(ctx, &outcome.report)?;
    if let Some((file, command)) = html {
        reports::write_fix(ctx, file, journal, &outcome.report, command)?;
    }
    if let Some(error) = outcome.stopped_by {
        return Err(CliError::from(error));
    }
    if outcome.interrupted() {
        if let Some(next) = &outcome.report.next {
            let next = render::with_journal(ctx, next);
            ctx.printer
                .notice(&format!("Interrupted. Resume with: {next}"));
        }
        return Ok(Exit::Interrupted);
    }
    Ok(if outcome.report.is_complete() {
        Exit::Success
    } else {
        Exit::Incomplete
    })
}

/// Flags that only make sense for a new run.
fn refuse_with_resume(args: &FixArgs) -> Result<(), CliError> {
    let scope = &args.scope;
    let given = [
        (!scope.to_spec().is_empty(), "a scope"),
        (args.alias_template.is_some(), "--alias-template"),
        (args.alias_domain.is_some(), "--alias-domain"),
        (args.write.dry_run, "--dry-run"),
        (args.write.max_changes.is_some(), "--max-changes"),
    ];
    match given.iter().find(|(set, _)| *set) {
        Some((_, what)) => Err(CliError::usage(format!(
            "--resume continues a recorded run as it was planned; {what} cannot be given with it"
        ))
        .hint("start a new run without --resume to change whom or how to fix")),
        None => Ok(()),
    }
}

fn fix_options(args: &FixArgs, settings: &Settings) -> Result<FixOptions, CliError> {
    let template = match &args.alias_template {
        Some(text) => text
            .parse::<AliasTemplate>()
            .map_err(|e| CliError::usage(format!("invalid --alias-template: {e}")))?,
        None => AliasTemplate::default(),
    };
    let defaults = WatchOptions::default();
    Ok(FixOptions {
        template,
        alias_domain: args.alias_domain.clone(),
        concurrency: concurrency(args.write.concurrency)?.unwrap_or(fix::DEFAULT_CONCURRENCY),
        max_changes: args.write.max_changes,
        watch: WatchOptions {
            poll_interval: positive("--poll-interval", &args.poll_interval)?
                .unwrap_or(defaults.poll_interval),
            timeout: positive("--timeout", &args.timeout)?.unwrap_or(defaults.timeout),
            on_timeout: args.on_timeout.map(on_timeout).unwrap_or_default(),
            keep_aliases: args.keep_aliases,
        },
        plans: settings.mailbox_plans(),
        dual_write_retry: settings
            .dual_write_retry
            .as_ref()
            .map_or(mailfix_engine::aliases::DUAL_WRITE_RETRY, |d| d.value),
    })
}

fn resume_options(args: &FixArgs) -> Result<ResumeOptions, CliError> {
    Ok(ResumeOptions {
        concurrency: concurrency(args.write.concurrency)?,
        poll_interval: positive("--poll-interval", &args.poll_interval)?,
        timeout: positive("--timeout", &args.timeout)?,
        on_timeout: args.on_timeout.map(on_timeout),
        keep_aliases: args.keep_aliases.then_some(true),
    })
}

fn on_timeout(arg: OnTimeoutArg) -> OnTimeout {
    match arg {
        OnTimeoutArg::Remove => OnTimeout::Remove,
        OnTimeoutArg::Keep => OnTimeout::Keep,
    }
}

/// `--concurrency`, at least 1.
pub(crate) fn concurrency(value: Option<usize>) -> Result<Option<usize>, CliError> {
    match value {
        Some(0) => Err(CliError::usage("--concurrency must be at least 1")),
        other => Ok(other),
    }
}

/// A duration flag that must be longer than zero.
fn positive(flag: &str, value: &Option<String>) -> Result<Option<Duration>, CliError> {
    let Some(text) = value else {
        return Ok(None);
    };
    let duration =
        parse_duration(text).map_err(|e| CliError::usage(format!("invalid {flag}: {e}")))?;
    if duration.is_zero() {
        return Err(CliError::usage(format!("{flag} must be longer than 0s")));
    }
    Ok(Some(duration))
}
