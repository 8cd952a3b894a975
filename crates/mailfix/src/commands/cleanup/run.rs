//! Running `mailfix cleanup`: plan, confirm (or dry run), carry out, render.

use mailfix_engine::RunId;
use mailfix_engine::cleanup::{self, CleanupPlan};
use mailfix_engine::fix::{FixContext, FixError, check_max_changes};
use mailfix_engine::journal::Journal;
use mailfix_engine::scope::{NotFound, Scope};

use super::render;
use crate::cli::CleanupArgs;
use crate::commands::fix::{concurrency, exit_for_missing};
use crate::confirm::confirm;
use crate::connect::Context;
use crate::error::CliError;
use crate::exit::Exit;
use crate::html::{ReportFile, reports};
use crate::not_found;

/// Runs `mailfix cleanup`.
pub async fn run(args: &CleanupArgs, ctx: &Context) -> Result<Exit, CliError> {
    let concurrency = concurrency(args.write.concurrency, &ctx.settings)?;
    let run = run_filter(args)?;
    let spec = args.scope.to_spec();
    check_sweep_scope(args.sweep, spec.is_empty())?;
    let html = ReportFile::for_run(args.html.path.as_deref(), args.write.dry_run)?;
    let journal = open_journal(ctx, args.write.dry_run)?;
    let client = ctx.write_client(concurrency)?;
    let reporter = crate::progress::reporter(ctx.printer.clone());
    let scope = match args.sweep {
        true => Some(Scope::resolve(&client, spec).await?),
        false => None,
    };
    let plan = cleanup::plan(
        &client,
        journal.as_ref(),
        run.as_ref(),
        scope.as_ref(),
        &*reporter,
    )
    .await?;
    let missing = scope.as_ref().map(Scope::not_found).unwrap_or_default();
    not_found::warn(&ctx.printer, &missing, "cleanup ends with exit 4");
    // As in fix: --max-changes refuses a dry run's plan too, before anything is printed.
    check_max_changes(plan.changes(), args.write.max_changes)
        .map_err(|e| CliError::from(FixError::from(e)))?;
    if args.write.dry_run {
        render::plan_data(ctx, &plan, &missing)?;
        return Ok(exit_for_missing(&missing));
    }
    render::plan_status(ctx, &plan);
    let journal = journal.ok_or_else(|| CliError::runtime("internal error: no journal"))?;
    if plan.changes() == 0 {
        let report = cleanup::nothing_to_do(&client);
        render::summary(ctx, &report, &missing)?;
        write_html(ctx, args, html.as_ref(), &report)?;
        return Ok(exit_for_missing(&missing));
    }
    let ends = Ends {
        missing: &missing,
        html: html.as_ref(),
    };
    let exit = carry_out(ctx, args, &client, &journal, plan, concurrency, ends).await?;
    Ok(match exit {
        Exit::Success => exit_for_missing(&missing),
        other => other,
    })
}

/// What a cleanup reports at its end besides its summary: the named users the directory does not
/// have, and the HTML report.
struct Ends<'a> {
    missing: &'a [NotFound],
    html: Option<&'a ReportFile>,
}

fn write_html(
    ctx: &Context,
    args: &CleanupArgs,
    html: Option<&ReportFile>,
    report: &cleanup::CleanupReport,
) -> Result<(), CliError> {
    let Some(file) = html else {
        return Ok(());
    };
    let scope = match (&args.run, args.sweep) {
        (Some(run), _) => format!("the temporary aliases of run {run}"),
        (None, true) => {
            "the journal's temporary aliases, and marker aliases in the scope".to_owned()
        }
        (None, false) => "every temporary alias the journal records".to_owned(),
    };
    reports::write_cleanup(ctx, file, report, &scope)
}

async fn carry_out(
    ctx: &Context,
    args: &CleanupArgs,
    client: &mailfix_client::Client,
    journal: &Journal,
    plan: CleanupPlan,
    concurrency: usize,
    ends: Ends<'_>,
) -> Result<Exit, CliError> {
    let question = format!(
        "Remove the temporary aliases of {}?",
        crate::output::count(plan.changes(), "mailbox item", "mailbox items")
    );
    confirm(&ctx.printer, &args.write, &question)?;
    let reporter = crate::progress::reporter(ctx.printer.clone());
    let cancel = crate::interrupt::cancel_on_ctrl_c(reporter.clone());
    let fix_ctx = FixContext {
        client,
        journal,
        reporter: &*reporter,
        cancel: &cancel,
    };
    let outcome = cleanup::execute(fix_ctx, plan, concurrency).await?;
    render::summary(ctx, &outcome.report, ends.missing)?;
    write_html(ctx, args, ends.html, &outcome.report)?;
    if let Some(error) = outcome.stopped_by {
        return Err(CliError::from(error));
    }
    Ok(if cancel.is_cancelled() {
        ctx.printer.notice(&format!(
            "Interrupted. Finish with: {}",
            crate::commands::fix::with_journal(ctx, "mailfix cleanup")
        ));
        Exit::Interrupted
    } else if outcome.report.is_complete() {
        Exit::Success
    } else {
        Exit::Incomplete
    })
}

/// `--sweep` needs a scope, and a scope is only for `--sweep`.
fn check_sweep_scope(sweep: bool, no_scope: bool) -> Result<(), CliError> {
    match (sweep, no_scope) {
        (true, true) => Err(CliError::usage("--sweep needs a scope to search")
            .hint("choose with --group, --all-users, --user or --users-file")),
        (false, false) => Err(CliError::usage("a scope only says where --sweep searches")
            .hint("add --sweep, or leave the scope out to remove what the journal records")),
        _ => Ok(()),
    }
}

fn run_filter(args: &CleanupArgs) -> Result<Option<RunId>, CliError> {
    args.run
        .as_deref()
        .map(|r| {
            r.parse::<RunId>().map_err(|e| {
                CliError::usage(format!("invalid --run: {e}")).hint("`mailfix runs` lists the runs")
            })
        })
        .transpose()
}

/// The journal for writing (holding the lock); for a dry run for reading, if there is one.
fn open_journal(ctx: &Context, dry_run: bool) -> Result<Option<Journal>, CliError> {
    if !dry_run {
        return ctx.journal_write("cleanup").map(Some);
    }
    match Journal::open_read(&ctx.settings.journal.value) {
        Ok(journal) => Ok(Some(journal)),
        Err(e) if e.is_missing() => Ok(None),
        Err(e) => Err(e.into()),
    }
}
