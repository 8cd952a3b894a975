//! `mailfix audit`: flags → options (usage errors before anything is sent), the engine's
//! `run_audit`, the failing users' file, and the output.

use std::path::Path;

use chrono::Utc;
use mailfix_engine::audit::{
    AuditError, AuditInput, AuditOptions, AuditReport, AuditWindow, DEFAULT_SINCE, WindowError,
    parse_time, run_audit,
};
use mailfix_engine::duration::parse_duration;
use mailfix_engine::scope::ScopeSpec;

use super::render;
use crate::cli::{AuditArgs, ScopeArgs};
use crate::connect::Context;
use crate::error::CliError;
use crate::exit::Exit;
use crate::html::{ReportFile, reports};
use crate::output;

/// Runs `mailfix audit`.
pub async fn run(args: &AuditArgs, ctx: &Context) -> Result<Exit, CliError> {
    audit_and_print(args, ctx).await.map(|_| Exit::Success)
}

/// Reads and classifies, writes the failing users' file, prints; returns the report (for
/// `mailfix demo`).
pub async fn audit_and_print(args: &AuditArgs, ctx: &Context) -> Result<AuditReport, CliError> {
    let options = options(args, Utc::now())?;
    let html = ReportFile::from_flag(args.html.path.as_deref())?;
    // Created now (empty), so that an unwritable path fails before the audit log is read.
    let failing_file = args.failing_users_file.as_deref();
    if let Some(path) = failing_file {
        create(path)?;
    }
    let client = ctx.client()?;
    let reporter = crate::progress::reporter(ctx.printer.clone());
    let report = run_audit(&client, &options, scope_spec(&args.scope), &*reporter)
        .await
        .map_err(audit_error)?;
    if let Some(path) = failing_file {
        write_failing_users(path, &report)?;
    }
    ctx.printer
        .data(&render::render(&report, ctx.settings.output)?);
    if let Some(file) = &html {
        reports::write_audit(ctx, file, &report)?;
    }
    Ok(report)
}

/// The source and period. `--since` counts back from `now`; without any period flag Graph is read
/// for the last 14 days and a file whole.
pub fn options(args: &AuditArgs, now: chrono::DateTime<Utc>) -> Result<AuditOptions, CliError> {
    let window_error = |e: WindowError| CliError::usage(e.to_string());
    let from = args.from.as_deref().map(parse_time).transpose();
    let to = args.to.as_deref().map(parse_time).transpose();
    let (from, to) = (from.map_err(window_error)?, to.map_err(window_error)?);
    let since = match &args.since {
        Some(text) => Some(parse_duration(text).map_err(|e| {
            CliError::usage(format!("--since '{text}' is invalid"))
                .cause(e)
                .hint("write a number and a unit, e.g. --since 14d or --since 36h")
        })?),
        None if from.is_none() && args.from_file.is_none() => Some(DEFAULT_SINCE),
        None => None,
    };
    let window = match since {
        Some(ago) => AuditWindow::since(ago, now)
            .and_then(|w| AuditWindow::between(w.from, to))
            .map_err(window_error)?,
        None => AuditWindow::between(from, to).map_err(window_error)?,
    };
    let input = match &args.from_file {
        Some(path) => AuditInput::File(path.clone()),
        None => AuditInput::default(),
    };
    Ok(AuditOptions { input, window })
}

fn scope_spec(args: &ScopeArgs) -> Option<ScopeSpec> {
    let spec = args.to_spec();
    (!spec.is_empty()).then_some(spec)
}

fn audit_error(error: AuditError) -> CliError {
    let hint = error.hint();
    match error {
        AuditError::Scope(e) => CliError::from(e),
        AuditError::Client(e) => CliError::from(e),
        other => {
            let mut out = CliError::usage(other.to_string()).chain(&other);
            out.hint = hint;
            out
        }
    }
}

/// The failing users' file, empty for now; a private file (it lists people).
fn create(path: &Path) -> Result<(), CliError> {
    output::write_private(path, b"").map_err(|e| {
        CliError::usage(format!("cannot write {}", path.display()))
            .cause(e)
            .hint("check that the directory exists and is writable")
    })
}

/// One UPN per line, for `mailfix fix --users-file`.
fn write_failing_users(path: &Path, report: &AuditReport) -> Result<(), CliError> {
    let mut text = String::new();
    for user in report.failing() {
        text.push_str(&user.upn);
        text.push('\n');
    }
    output::write_private(path, text.as_bytes())
        .map_err(|e| CliError::runtime(format!("cannot write {}", path.display())).cause(e))
}
