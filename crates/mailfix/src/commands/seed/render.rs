//! How `seed` shows its plan (status lines on stderr) and ends its report (stdout: a table with the
//! rows that need attention and the counts, or the last fields of the JSON document; the rows
//! themselves went out through `sink`).

use std::time::Instant;

use mailfix_client::Client;
use mailfix_engine::duration::format_duration;
use mailfix_engine::events::Command;
use mailfix_engine::fix::RequestCounts;
use mailfix_engine::journal::Journal;
use mailfix_engine::seed::{RowReport, SeedPlan, SeedReport, SeedSummary};
use serde::Serialize;

use super::sink::{Attention, ReportSink};
use crate::cli::OutputFormat;
use crate::connect::Context;
use crate::error::CliError;
use crate::output;
use crate::table::Column;

/// The plan in a few status lines; on a terminal also the first writes.
pub fn plan(ctx: &Context, plan: &SeedPlan) {
    let c = &plan.counts;
    ctx.printer.status(&format!(
        "plan: {}; {} to create, {} to update, {} already registered; {} cannot be applied in \
         full ({}, {})",
        output::count(c.rows, "row", "rows"),
        output::count(c.creates, "method", "methods"),
        c.updates,
        c.unchanged,
        output::count(c.not_in_full, "row", "rows"),
        output::count(
            c.unusable,
            "invalid or blocked value",
            "invalid or blocked values"
        ),
        output::count(c.conflicts, "conflict", "conflicts"),
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
    let writes = plan.preview.iter().map(|w| {
        vec![
            w.line.to_string(),
            w.user.clone(),
            w.kind.to_string(),
            w.verb.to_owned(),
            w.value.clone(),
        ]
    });
    ctx.printer
        .status(output::table(&["line", "user", "method", "action", "value"], writes).trim_end());
    if plan.writes() > plan.preview.len() {
        ctx.printer.status(&format!(
            "... and {} more",
            plan.writes() - plan.preview.len()
        ));
    }
}

/// The last fields of the JSON document (its rows were written as they came). Field names are
/// stable.
#[derive(Serialize)]
struct Tail<'a> {
    interrupted: bool,
    summary: &'a SeedSummary,
    requests: RequestCounts,
    elapsed_s: f64,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    notes: &'a [String],
}

/// Ends the output: the JSON document's last fields, or the table of the rows that need
/// attention and the counts. Returns the rows the sink kept for `--html`.
pub fn output(
    ctx: &Context,
    client: &Client,
    started: Instant,
    report: &SeedReport,
    sink: ReportSink<'_>,
) -> Result<Vec<RowReport>, CliError> {
    let tail = Tail {
        interrupted: report.interrupted,
        summary: &report.summary,
        requests: RequestCounts::from(&client.counters()),
        elapsed_s: started.elapsed().as_secs_f64(),
        notes: &report.notes,
    };
    let mut attention = sink.finish(&tail)?;
    let kept = attention.kept.take().unwrap_or_default();
    if ctx.settings.output == OutputFormat::Table {
        ctx.printer.data(&table(report, attention));
    }
    Ok(kept)
}

/// The rows that need attention, then the counts.
fn table(report: &SeedReport, attention: Attention) -> String {
    let mut out = String::new();
    if report.dry_run {
        out.push_str("dry run: nothing was written\n");
    }
    if !attention.rows.is_empty() {
        let columns = [
            Column::Text("line"),
            Column::Text("user"),
            Column::Text("result"),
            Column::Prose("reason"),
        ];
        out.push_str(&output::table_of(&columns, attention.rows));
    }
    if attention.more > 0 {
        out.push_str(&format!(
            "... and {} more (every row is in --report FILE and -o json)\n",
            output::count(
                attention.more,
                "row that needs attention",
                "rows that need attention"
            )
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
        "{}; methods: {} created, {} updated, {} already registered, {} failed\n",
        output::count(s.rows, "row", "rows"),
        s.created,
        s.updated,
        s.unchanged,
        s.failed_writes
    ));
    if let Some(run) = &report.run {
        out.push_str(&format!("run: {run}\n"));
    }
    for note in &report.notes {
        out.push_str(&format!("note: {note}\n"));
    }
    out
}

/// After a failed run: how to take it up again.
pub fn resume_hint(journal: &Journal) -> Option<String> {
    let run = journal.latest_unfinished_run(Some(Command::Seed)).ok()??;
    Some(format!(
        "run {} is recorded; resume it with: mailfix seed --resume {}",
        run.id, run.id
    ))
}
