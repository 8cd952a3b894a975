//! Running `mailfix scan`: scan, print, and choose the exit code.

use std::sync::Arc;

use mailfix_engine::Severity;
use mailfix_engine::events::{NoopReporter, Reporter};
use mailfix_engine::scan::{ScanOptions, ScanReport, scan};
use mailfix_engine::scope::Scope;

use super::render;
use crate::cli::{FailOn, ScanArgs};
use crate::connect::Context;
use crate::error::CliError;
use crate::exit::Exit;
use crate::html::{ReportFile, reports};
use crate::not_found;
use crate::progress;

/// Runs `mailfix scan`.
pub async fn run(args: &ScanArgs, ctx: &Context) -> Result<Exit, CliError> {
    let report = scan_and_print(args, ctx).await?;
    Ok(exit_for(&report, args.fail_on))
}

/// Scans and prints the findings; returns the report (for `mailfix demo`).
pub async fn scan_and_print(args: &ScanArgs, ctx: &Context) -> Result<ScanReport, CliError> {
    let html = ReportFile::from_flag(args.html.path.as_deref())?;
    let client = ctx.client()?;
    let scope = Scope::resolve(&client, args.scope.to_spec()).await?;
    let options = ScanOptions {
        methods: args.methods,
        registration: args.registration,
        plans: ctx.settings.mailbox_plans(),
    };
    // A spinner on a terminal; off a terminal (logs, pipes) a scan prints no status lines at all.
    let reporter: Arc<dyn Reporter> = if ctx.printer.progress_allowed() {
        progress::reporter(ctx.printer.clone())
    } else {
        Arc::new(NoopReporter)
    };
    let report = scan(&client, &scope, &options, reporter.as_ref()).await?;
    for skipped in &report.rules_skipped {
        ctx.printer.notice(&format!(
            "warning: {} was not checked: {}",
            skipped.rule, skipped.reason
        ));
    }
    not_found::warn(&ctx.printer, &report.not_found, "they were not scanned");
    ctx.printer
        .data(&render::render(&report, ctx.settings.output)?);
    if let Some(file) = &html {
        reports::write_scan(ctx, file, &report)?;
    }
    Ok(report)
}

/// Exit 3 when a finding is at or above the threshold, else 0.
fn exit_for(report: &ScanReport, fail_on: FailOn) -> Exit {
    let threshold = match fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Never => return Exit::Success,
    };
    if report.has_findings_at(threshold) {
        Exit::Findings
    } else {
        Exit::Success
    }
}
