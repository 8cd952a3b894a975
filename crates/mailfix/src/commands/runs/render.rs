//! Tables and JSON for `runs` and `runs show`. Times are UTC, ISO 8601.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use mailfix_engine::RunId;
use mailfix_engine::fix::LatencySummary;
use mailfix_engine::journal::{ItemRecord, RunDetail, RunRecord};
use serde::Serialize;

use crate::cli::OutputFormat;
use crate::commands::fix::{latency_line, secs};
use crate::connect::Context;
use crate::error::CliError;
use crate::output;

/// One run in the list (the summary is left to `runs show`).
#[derive(Serialize)]
struct RunRow<'a> {
    id: &'a RunId,
    command: String,
    status: String,
    started_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
    tenant: Option<&'a str>,
    options: &'a serde_json::Value,
    items: usize,
    states: BTreeMap<String, usize>,
    latency: LatencySummary,
}

fn row(detail: &RunDetail) -> RunRow<'_> {
    let run: &RunRecord = &detail.run;
    RunRow {
        id: &run.id,
        command: run.command.to_string(),
        status: run.status.to_string(),
        started_at: run.started_at,
        finished_at: run.finished_at,
        tenant: run.tenant.as_deref(),
        options: &run.options,
        items: detail.items.len(),
        states: states(detail),
        latency: detail.latency().into(),
    }
}

fn states(detail: &RunDetail) -> BTreeMap<String, usize> {
    detail
        .counts()
        .into_iter()
        .map(|(state, n)| (state.to_string(), n))
        .collect()
}

fn time(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

fn states_text(detail: &RunDetail) -> String {
    states(detail)
        .iter()
        .map(|(state, n)| format!("{n} {state}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `runs`: newest first.
pub fn list(ctx: &Context, runs: &[RunDetail]) -> Result<(), CliError> {
    let header = [
        "run", "command", "status", "started", "finished", "items", "states",
    ];
    let cells = |d: &RunDetail| {
        vec![
            d.run.id.to_string(),
            d.run.command.to_string(),
            d.run.status.to_string(),
            time(Some(d.run.started_at)),
            time(d.run.finished_at),
            d.items.len().to_string(),
            states_text(d),
        ]
    };
    let text = match ctx.settings.output {
        OutputFormat::Json => output::json(&serde_json::json!({
            "runs": runs.iter().map(row).collect::<Vec<_>>()
        }))?,
        OutputFormat::Ndjson => output::ndjson(runs.iter().map(row))?,
        OutputFormat::Csv => output::csv(&header, runs.iter().map(cells))?,
        OutputFormat::Table if runs.is_empty() => format!(
            "No runs recorded in {}\n",
            ctx.settings.journal.value.display()
        ),
        OutputFormat::Table => output::table(&header, runs.iter().map(cells)),
    };
    ctx.printer.data(&text);
    Ok(())
}

/// `runs show ID`.
pub fn show(ctx: &Context, detail: &RunDetail) -> Result<(), CliError> {
    let header = [
        "user",
        "alias",
        "state",
        "added",
        "written back",
        "removed",
        "latency",
        "reason",
    ];
    let text = match ctx.settings.output {
        OutputFormat::Json => output::json(&serde_json::json!({
            "run": detail.run,
            "items": detail.items,
            "states": states(detail),
            "latency": LatencySummary::from(detail.latency()),
        }))?,
        OutputFormat::Ndjson => output::ndjson(detail.items.iter())?,
        OutputFormat::Csv => output::csv(&header, detail.items.iter().map(item_cells))?,
        OutputFormat::Table => show_table(detail, &header),
    };
    ctx.printer.data(&text);
    Ok(())
}

fn item_cells(item: &ItemRecord) -> Vec<String> {
    vec![
        item.user.upn.clone(),
        item.planned.clone(),
        item.state.to_string(),
        time(item.added_at),
        time(item.written_back_at),
        time(item.removed_at),
        item.latency
            .map(|l| secs(l.as_secs_f64()))
            .unwrap_or_default(),
        item.reason.clone().unwrap_or_default(),
    ]
}

fn show_table(detail: &RunDetail, header: &[&str]) -> String {
    let run = &detail.run;
    let mut out = format!(
        "Run {} · {} · {} · started {} · finished {}\n",
        run.id,
        run.command,
        run.status,
        time(Some(run.started_at)),
        match run.finished_at {
            Some(t) => time(Some(t)),
            None => "-".to_owned(),
        }
    );
    out.push_str(&format!(
        "{}: {}\n",
        crate::output::count(detail.items.len(), "item", "items"),
        states_text(detail)
    ));
    if let Some(l) = detail.latency() {
        out.push_str(&latency_line(
            l.p50.as_secs_f64(),
            l.p90.as_secs_f64(),
            l.max.as_secs_f64(),
        ));
    }
    if !detail.items.is_empty() {
        out.push_str(&output::table(header, detail.items.iter().map(item_cells)));
    }
    out
}
