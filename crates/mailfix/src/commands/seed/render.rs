//! How `seed` shows its plan (status lines on stderr) and its report (stdout: a table with the rows
//! that need attention and the counts, or JSON / NDJSON / CSV), and the `--report` CSV file.

use std::time::Instant;

use mailfix_client::Client;
use mailfix_engine::RunId;
use mailfix_engine::duration::format_duration;
use mailfix_engine::events::Command;
use mailfix_engine::fix::RequestCounts;
use mailfix_engine::journal::Journal;
use mailfix_engine::seed::{Decision, RowReport, RowStatus, SeedPlan, SeedReport, SeedSummary};
use serde::Serialize;

use crate::cli::OutputFormat;
use crate::connect::Context;
use crate::error::CliError;
use crate::output;

/// Writes listed before confirmation (the rest are counted).
const PLAN_LISTED: usize = 20;

/// The plan in a few status lines; on a terminal also the first writes.
pub fn plan(ctx: &Context, plan: &SeedPlan) {
    let methods = plan.rows.iter().flat_map(|r| &r.methods);
    let count = |f: fn(&Decision) -> bool| methods.clone().filter(|m| f(&m.decision)).count();
    let creates = count(|d| *d == Decision::Create);
    let updates = count(|d| matches!(d, Decision::Update { .. }));
    let unchanged = count(|d| *d == Decision::Skip);
    let unusable = plan
        .rows
        .iter()
        .filter(|r| r.status != RowStatus::Ready)
        .count();
    ctx.printer.status(&format!(
        "plan: {} rows; {creates} methods to create, {updates} to update, {unchanged} already registered; {unusable} rows cannot be applied",
        plan.rows.len()
    ));
    if plan.writes() > 0 {
        let per = mailfix_client::Limits::default().reports_requests;
        let window = ctx
            .settings
            .reports_window
            .as_ref()
            .map_or(std::time::Duration::from_secs(10), |w| w.value);
        let time = plan.time_at_reports_limit(per, window);
        ctx.printer.status(&format!(
            "pace: if Graph applies its reports limit ({per} requests per {}) to authentication \
             methods, the {} writes take at least {}; mailfix keeps to it once Graph shows it",
            format_duration(window),
            plan.writes(),
            format_duration(time)
        ));
    }
    if !ctx.printer.progress_allowed() || plan.writes() == 0 {
        return;
    }
    let writes: Vec<Vec<String>> = plan
        .rows
        .iter()
        .flat_map(|r| r.writes().map(move |m| (r, m)))
        .take(PLAN_LISTED)
        .map(|(r, m)| {
            let user = r.user.as_ref().map_or(r.upn.as_str(), |u| u.upn.as_str());
            vec![
                r.line.to_string(),
                user.to_owned(),
                m.kind.to_string(),
                m.decision.verb().to_owned(),
                m.value.clone(),
            ]
        })
        .collect();
    ctx.printer
        .status(output::table(&["line", "user", "method", "action", "value"], writes).trim_end());
    if plan.writes() > PLAN_LISTED {
        ctx.printer
            .status(&format!("... and {} more", plan.writes() - PLAN_LISTED));
    }
}

/// The machine-readable document (`-o json`). Field names are stable.
#[derive(Serialize)]
struct JsonReport<'a> {
    run: Option<&'a RunId>,
    dry_run: bool,
    interrupted: bool,
    rows: &'a [RowReport],
    summary: &'a SeedSummary,
    requests: RequestCounts,
    elapsed_s: f64,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    notes: &'a [String],
}

/// Prints the report in the chosen format.
pub fn output(
    ctx: &Context,
    client: &Client,
    started: Instant,
    report: &SeedReport,
) -> Result<(), CliError> {
    let text = match ctx.settings.output {
        OutputFormat::Table => table(report),
        OutputFormat::Json => output::json(&JsonReport {
            run: report.run.as_ref(),
            dry_run: report.dry_run,
            interrupted: report.interrupted,
            rows: &report.rows,
            summary: &report.summary,
            requests: RequestCounts::from(&client.counters()),
            elapsed_s: started.elapsed().as_secs_f64(),
            notes: &report.notes,
        })?,
        OutputFormat::Ndjson => output::ndjson(&report.rows)?,
        OutputFormat::Csv => report_csv(report)?,
    };
    ctx.printer.data(&text);
    Ok(())
}

/// The rows that need attention, then the counts.
fn table(report: &SeedReport) -> String {
    let mut out = String::new();
    if report.dry_run {
        out.push_str("dry run: nothing was written\n");
    }
    let attention: Vec<Vec<String>> = report
        .rows
        .iter()
        .filter(|r| !r.result.is_done())
        .map(|r| {
            vec![
                r.line.to_string(),
                r.upn.clone(),
                r.result.as_str().to_owned(),
                r.reason.clone().unwrap_or_default(),
            ]
        })
        .collect();
    if !attention.is_empty() {
        out.push_str(&output::table(
            &["line", "user", "result", "reason"],
            attention,
        ));
    }
    let s = &report.summary;
    let counts: Vec<Vec<String>> = s
        .results
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(result, n)| vec![(*result).to_owned(), n.to_string()])
        .collect();
    out.push_str(&output::table(&["result", "rows"], counts));
    out.push_str(&format!(
        "{} rows; methods: {} created, {} updated, {} already registered, {} failed\n",
        s.rows, s.created, s.updated, s.unchanged, s.failed_writes
    ));
    if let Some(run) = &report.run {
        out.push_str(&format!("run: {run}\n"));
    }
    for note in &report.notes {
        out.push_str(&format!("note: {note}\n"));
    }
    out
}

/// One line per input row: line, user, action, result, reason.
pub fn report_csv(report: &SeedReport) -> Result<String, CliError> {
    output::csv(
        &["line", "user", "action", "result", "reason"],
        report.rows.iter().map(|r| {
            vec![
                r.line.to_string(),
                r.upn.clone(),
                r.action.clone(),
                r.result.as_str().to_owned(),
                r.reason.clone().unwrap_or_default(),
            ]
        }),
    )
}

/// After a failed run: how to take it up again.
pub fn resume_hint(journal: &Journal) -> Option<String> {
    let run = journal.latest_unfinished_run(Some(Command::Seed)).ok()??;
    Some(format!(
        "run {} is recorded; resume it with: mailfix seed --resume {}",
        run.id, run.id
    ))
}
