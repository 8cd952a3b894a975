//! Running `mailfix runs`: list the journal's runs or show one.

use mailfix_engine::RunId;
use mailfix_engine::journal::{Journal, RunDetail};

use super::render;
use crate::cli::{RunsArgs, RunsCommand};
use crate::connect::Context;
use crate::error::CliError;
use crate::exit::Exit;
use crate::html::{ReportFile, reports};

/// Runs `mailfix runs`. The journal is read on its own thread (`Journal::submit`).
pub async fn run(args: &RunsArgs, ctx: &Context) -> Result<Exit, CliError> {
    match &args.show {
        None => list(ctx).await,
        Some(RunsCommand::Show { run, html }) => {
            let html = ReportFile::from_flag(html.path.as_deref())?;
            show(ctx, run, html.as_ref()).await
        }
    }
}

async fn list(ctx: &Context) -> Result<Exit, CliError> {
    let runs = match Journal::open_read(&ctx.settings.journal.value) {
        Ok(journal) => {
            let journal_error = |e| ctx.journal_error(e);
            journal
                .submit(|j| {
                    let runs = j.list_runs()?;
                    runs.iter().map(|run| j.show_run(&run.id)).collect()
                })
                .await
                .map_err(journal_error)?
        }
        // No journal yet (or an empty file): no runs, which is not an error.
        Err(e) if e.is_missing() => Vec::new(),
        Err(e) => return Err(ctx.journal_error(e)),
    };
    render::list(ctx, &runs)?;
    Ok(Exit::Success)
}

async fn show(ctx: &Context, run: &str, html: Option<&ReportFile>) -> Result<Exit, CliError> {
    let id: RunId = run
        .parse()
        .map_err(|e| CliError::usage(format!("{e}")).hint("`mailfix runs` lists the runs"))?;
    let journal = ctx.journal_read()?;
    let detail: RunDetail = journal
        .submit(move |j| j.show_run(&id))
        .await
        .map_err(|e| match e.is_damaged() {
            true => ctx.journal_error(e),
            false => CliError::from(e).hint("`mailfix runs` lists the runs"),
        })?;
    render::show(ctx, &detail)?;
    if let Some(file) = html {
        reports::write_run(ctx, file, &detail)?;
    }
    Ok(Exit::Success)
}
