//! Running `mailfix fix`: a new run (plan, confirm, carry out) or `--resume`, and the flags they
//! read.

use std::sync::Arc;
use std::time::Duration;

use mailfix_engine::aliases::AliasTemplate;
use mailfix_engine::duration::{format_duration, parse_duration};
use mailfix_engine::events::Reporter;
use mailfix_engine::fix::{
    self, FixContext, FixOptions, FixOutcome, OnTimeout, ResumeOptions, WatchOptions,
};
use mailfix_engine::scope::{NotFound, Scope};
use mailfix_engine::{CancellationToken, RunId};

use super::render;
use crate::cli::{FixArgs, OnTimeout as OnTimeoutArg};
use crate::confirm::confirm;
use crate::connect::Context;
use crate::error::CliError;
use crate::exit::Exit;
use crate::html::{ReportFile, reports};
use crate::not_found;
use crate::output;
use crate::settings::{MAX_CONCURRENCY, Settings};

/// Runs `mailfix fix`.
pub async fn run(args: &FixArgs, ctx: &Context) -> Result<Exit, CliError> {
    match &args.resume {
        Some(run) => resume_run(args, run, ctx).await,
        None => new_run(args, ctx).await,
    }
}

async fn new_run(args: &FixArgs, ctx: &Context) -> Result<Exit, CliError> {
    let options = fix_options(args, ctx)?;
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
    let client = ctx.write_client(options.concurrency)?;
    let reporter = crate::progress::reporter(ctx.printer.clone());
    let scope = Scope::resolve(&client, spec).await?;
    let prepared = fix::prepare(&client, journal.as_ref(), &scope, options, &*reporter).await?;
    let missing = scope.not_found();
    not_found::warn(&ctx.printer, &missing, "fix ends with exit 4");
    // --max-changes refuses a dry run's plan too, before anything is printed: a refusal leaves
    // stdout empty instead of following a plan document.
    prepared.check_max_changes()?;
    let Some(journal) = journal else {
        render::plan_data(ctx, &prepared, &missing)?;
        return Ok(exit_for_missing(&missing));
    };
    render::plan_status(ctx, &prepared);
    if prepared.changes() > 0 {
        let question = format!(
            "Add {} on {} (run {})?",
            output::count(prepared.changes(), "temporary alias", "temporary aliases"),
            prepared.plan.domain,
            prepared.run
        );
        confirm(&ctx.printer, &args.write, &question)?;
    }
    let cancel = crate::interrupt::cancel_on_ctrl_c(reporter.clone());
    let fix_ctx = context(&client, &journal, &reporter, &cancel);
    let outcome = fix::execute(fix_ctx, prepared).await?;
    finish(
        ctx,
        outcome,
        &missing,
        &journal,
        html.as_ref().map(|f| (f, "fix")),
    )
}

async fn resume_run(args: &FixArgs, run: &str, ctx: &Context) -> Result<Exit, CliError> {
    refuse_with_resume(args)?;
    let overrides = resume_options(args, ctx)?;
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
    let record = fix::run_to_resume(&journal, run.as_ref()).await?;
    let stored = fix::RunOptions::of_run(&record)?;
    let client = ctx.write_client(overrides.concurrency.unwrap_or(stored.concurrency))?;
    let reporter = crate::progress::reporter(ctx.printer.clone());
    ctx.printer
        .status(&format!("Resuming run {} ({})", record.id, record.status));
    let cancel = crate::interrupt::cancel_on_ctrl_c(reporter.clone());
    let fix_ctx = context(&client, &journal, &reporter, &cancel);
    let outcome = fix::resume(fix_ctx, &record, &overrides).await?;
    finish(
        ctx,
        outcome,
        &[],
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

/// Renders the summary (and the HTML report, with the command it names) and picks the exit code:
/// 4 when a target was not fixed or a named user does not exist.
fn finish(
    ctx: &Context,
    outcome: FixOutcome,
    missing: &[NotFound],
    journal: &mailfix_engine::journal::Journal,
    html: Option<(&ReportFile, &str)>,
) -> Result<Exit, CliError> {
    render::summary(ctx, &outcome.report, missing)?;
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
    Ok(match outcome.report.is_complete() {
        true => exit_for_missing(missing),
        false => Exit::Incomplete,
    })
}

/// 4 when a named user does not exist, else 0.
pub fn exit_for_missing(missing: &[NotFound]) -> Exit {
    match missing.is_empty() {
        true => Exit::Success,
        false => Exit::Incomplete,
    }
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

fn fix_options(args: &FixArgs, ctx: &Context) -> Result<FixOptions, CliError> {
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
        concurrency: concurrency(args.write.concurrency, &ctx.settings)?,
        max_changes: args.write.max_changes,
        watch: WatchOptions {
            poll_interval: poll_interval(args, ctx)?.unwrap_or(defaults.poll_interval),
            timeout: positive("--timeout", &args.timeout)?.unwrap_or(defaults.timeout),
            on_timeout: args.on_timeout.map(on_timeout).unwrap_or_default(),
            keep_aliases: args.keep_aliases,
        },
        plans: ctx.settings.mailbox_plans(),
        dual_write_retry: ctx.settings.dual_write_retry(),
    })
}

fn resume_options(args: &FixArgs, ctx: &Context) -> Result<ResumeOptions, CliError> {
    Ok(ResumeOptions {
        concurrency: concurrency_flag(args.write.concurrency)?,
        poll_interval: poll_interval(args, ctx)?,
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

/// Exchange requests at once: `--concurrency`, else `MAILFIX_CONCURRENCY` or the config's
/// `concurrency`, else the default (3).
pub(crate) fn concurrency(flag: Option<usize>, settings: &Settings) -> Result<usize, CliError> {
    Ok(concurrency_flag(flag)?
        .or_else(|| settings.concurrency.as_ref().map(|c| c.value))
        .unwrap_or(fix::DEFAULT_CONCURRENCY))
}

/// `--concurrency`, 1 to [`MAX_CONCURRENCY`].
fn concurrency_flag(value: Option<usize>) -> Result<Option<usize>, CliError> {
    match value {
        Some(n) if n == 0 || n > MAX_CONCURRENCY => Err(CliError::usage(format!(
            "--concurrency must be between 1 and {MAX_CONCURRENCY}"
        ))
        .hint("3 is the default; Exchange pushes back above what it accepts, and mailfix then lowers it by itself")),
        other => Ok(other),
    }
}

/// `--poll-interval`, at least the floor for the service's clock (5 s, scaled by the reports
/// window against a simulator with a faster clock).
fn poll_interval(args: &FixArgs, ctx: &Context) -> Result<Option<Duration>, CliError> {
    let Some(interval) = positive("--poll-interval", &args.poll_interval)? else {
        return Ok(None);
    };
    let window = ctx.settings.reports_window.as_ref();
    let floor = match window {
        Some(window) => fix::min_poll_interval(window.value),
        None => fix::MIN_POLL_INTERVAL,
    };
    if interval >= floor {
        return Ok(Some(interval));
    }
    let scaled = match window {
        Some(w) => format!(
            " (5s of the service's time at the reports window of {} from {})",
            format_duration(w.value),
            w.source
        ),
        None => String::new(),
    };
    Err(CliError::usage(format!(
        "--poll-interval {} is shorter than the floor of {}{scaled}",
        format_duration(interval),
        format_duration(floor),
    ))
    .hint(
        "a write-back takes minutes and faster polls only spend the tenant's request budget; \
         use --poll-interval 5s or more (against a simulator with a faster clock, set \
         MAILFIX_REPORTS_WINDOW as its banner says and the floor shrinks with it)",
    ))
}

/// A duration flag that must be longer than zero.
pub(crate) fn positive(flag: &str, value: &Option<String>) -> Result<Option<Duration>, CliError> {
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
