//! The entry points the commands call after their text output: each builds the view of the
//! command's report, lays out the page and writes it to the `--html` file.
//!
//! `guard` writes its reports through an observer of its events instead
//! ([`super::GuardReports`]).

use std::path::Path;

use chrono::Utc;
use mailfix_engine::audit::AuditReport;
use mailfix_engine::cleanup::CleanupReport;
use mailfix_engine::events::Command;
use mailfix_engine::fix::{FixReport, ReportContext, RunOptions};
use mailfix_engine::journal::{Journal, RunDetail};
use mailfix_engine::scan::ScanReport;
use mailfix_engine::seed::{RowReport, SeedReport};

use super::views::{AuditView, CleanupView, RunView, ScanView, SeedView, Tile};
use super::{ChartError, Header, Portal, ReportFile, pages};
use crate::connect::Context;
use crate::error::CliError;

fn portal(ctx: &Context) -> Portal {
    Portal::for_cloud(ctx.settings.cloud.value)
}

pub(super) fn chart_error(error: ChartError) -> CliError {
    CliError::runtime(error.to_string()).hint("the run itself is recorded; report this as a bug")
}

fn write(ctx: &Context, file: &ReportFile, page: &str) -> Result<(), CliError> {
    file.write(page)?;
    ctx.printer
        .status(&format!("HTML report: {}", file.path().display()));
    Ok(())
}

/// `scan --html`.
pub fn write_scan(ctx: &Context, file: &ReportFile, report: &ScanReport) -> Result<(), CliError> {
    let header = Header::new(ctx, "scan", report.scope.clone());
    let view = ScanView::new(report, &portal(ctx)).map_err(chart_error)?;
    write(ctx, file, &pages::scan(&header, &view)?)
}

/// The scope a run journaled, when it did.
fn journaled_scope(detail: &RunDetail) -> String {
    match detail.run.options.get("scope").and_then(|s| s.as_str()) {
        Some(scope) => scope.to_owned(),
        None => "as journaled with the run".to_owned(),
    }
}

/// `fix --html` (and `fix --resume --html`): the run as the journal now holds it, with the summary
/// of this invocation.
pub fn write_fix(
    ctx: &Context,
    file: &ReportFile,
    journal: &Journal,
    report: &FixReport,
    command: &str,
) -> Result<(), CliError> {
    let Some(run) = &report.run else {
        let header = Header::new(ctx, command, "as given");
        let tiles = [
            Tile::new("targets", report.targets, "", false),
            Tile::new("Graph requests", report.requests.graph, "", false),
        ];
        let text = "No user in scope has an empty mail that fix can repair.";
        return write(
            ctx,
            file,
            &pages::message(&header, "Nothing to fix", text, &tiles)?,
        );
    };
    let detail = journal.show_run(run)?;
    let header = Header::new(ctx, command, journaled_scope(&detail)).with_run(Some(run));
    let view =
        RunView::new(&detail, Some(report), true, &portal(ctx), Utc::now()).map_err(chart_error)?;
    write(ctx, file, &pages::run(&header, &view)?)
}

/// `runs show RUN --html`. A fix run gets its summary rebuilt from the journal.
pub fn write_run(ctx: &Context, file: &ReportFile, detail: &RunDetail) -> Result<(), CliError> {
    let run = &detail.run;
    let mut header = Header::new(ctx, "runs show", journaled_scope(detail)).with_run(Some(&run.id));
    if let Some(tenant) = &run.tenant {
        header.tenant = tenant.clone();
    }
    let fix = fix_summary(detail);
    let view =
        RunView::new(detail, fix.as_ref(), false, &portal(ctx), Utc::now()).map_err(chart_error)?;
    write(ctx, file, &pages::run(&header, &view)?)
}

fn fix_summary(detail: &RunDetail) -> Option<FixReport> {
    if detail.run.command != Command::Fix {
        return None;
    }
    let options: RunOptions = serde_json::from_value(detail.run.options.clone()).ok()?;
    let context = ReportContext {
        targets: options.targets,
        keep_aliases: options.watch.keep_aliases,
        ..ReportContext::default()
    };
    Some(FixReport::from_run(detail, detail.run.status, &context))
}

/// `cleanup --html`; `scope` says which aliases it looked for.
pub fn write_cleanup(
    ctx: &Context,
    file: &ReportFile,
    report: &CleanupReport,
    scope: &str,
) -> Result<(), CliError> {
    let header = Header::new(ctx, "cleanup", scope).with_run(report.run.as_ref());
    let view = CleanupView::new(report, &portal(ctx)).map_err(chart_error)?;
    write(ctx, file, &pages::cleanup(&header, &view)?)
}

/// `seed --html`; `source` is the HR file.
pub fn write_seed(
    ctx: &Context,
    file: &ReportFile,
    report: &SeedReport,
    rows: &[RowReport],
    source: &Path,
) -> Result<(), CliError> {
    let scope = format!("the rows of {}", source.display());
    let header = Header::new(ctx, "seed", scope).with_run(report.run.as_ref());
    let view = SeedView::new(report, rows, &portal(ctx)).map_err(chart_error)?;
    write(ctx, file, &pages::seed(&header, &view)?)
}

/// `audit --html`.
pub fn write_audit(ctx: &Context, file: &ReportFile, report: &AuditReport) -> Result<(), CliError> {
    let scope = report
        .scope
        .clone()
        .unwrap_or_else(|| "every user the audit log names".to_owned());
    let header = Header::new(ctx, "audit", scope);
    let view = AuditView::new(report, &portal(ctx)).map_err(chart_error)?;
    write(ctx, file, &pages::audit(&header, &view)?)
}
