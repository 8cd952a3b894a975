//! How `cleanup` shows its plan and summary.

use mailfix_engine::cleanup::{CleanupPlan, CleanupReport};
use mailfix_engine::fix::ReportItem;
use mailfix_engine::scope::NotFound;
use serde_json::json;

use crate::cli::OutputFormat;
use crate::commands::fix::{footer, others_table};
use crate::connect::Context;
use crate::error::CliError;
use crate::not_found::WithNotFound;
use crate::output;

const HEADER: [&str; 4] = ["id", "upn", "aliases", "from"];

/// The dry run's output: the removals as data on stdout.
pub fn plan_data(ctx: &Context, plan: &CleanupPlan, missing: &[NotFound]) -> Result<(), CliError> {
    let rows = plan.rows();
    let cells = || {
        rows.iter()
            .map(|(u, a, f)| vec![u.id.clone(), u.upn.clone(), a.clone(), f.clone()])
    };
    let text = match ctx.settings.output {
        OutputFormat::Json => output::json(&json!({
            "dry_run": true,
            "run": plan.run,
            "changes": plan.changes(),
            "removals": rows.iter().map(|(u, a, f)| json!({
                "id": u.id, "upn": u.upn, "aliases": a.split_whitespace().collect::<Vec<_>>(), "from": f
            })).collect::<Vec<_>>(),
            "not_found": missing,
        }))?,
        OutputFormat::Ndjson => output::ndjson(
            rows.iter()
                .map(|(u, a, f)| json!({"id": u.id, "upn": u.upn, "aliases": a, "from": f})),
        )?,
        OutputFormat::Csv => output::csv(&HEADER, cells())?,
        OutputFormat::Table => {
            let mut out = format!(
                "{} to clean up (dry run: nothing was changed)\n",
                items(plan.changes())
            );
            if !rows.is_empty() {
                out.push_str(&output::table(
                    &["user", "aliases", "from"],
                    cells().map(|c| c[1..].to_vec()),
                ));
            }
            out
        }
    };
    ctx.printer.data(&text);
    Ok(())
}

fn items(n: usize) -> String {
    output::count(n, "mailbox item", "mailbox items")
}

/// The plan on stderr before the confirmation.
pub fn plan_status(ctx: &Context, plan: &CleanupPlan) {
    let p = &ctx.printer;
    p.heading(&format!("{} to clean up", items(plan.changes())));
    for (user, aliases, from) in plan.rows().iter().take(10) {
        p.status(&format!("  {}  -{aliases}  ({from})", user.upn));
    }
    if plan.changes() > 10 {
        p.status(&format!("  … and {} more", plan.changes() - 10));
    }
}

/// The summary on stdout; `missing` are the users named for `--sweep` that do not exist.
pub fn summary(
    ctx: &Context,
    report: &CleanupReport,
    missing: &[NotFound],
) -> Result<(), CliError> {
    let rows: Vec<(&str, &ReportItem)> = [
        ("removed", &report.removed),
        ("absent", &report.absent),
        ("failed", &report.failed),
        ("pending", &report.pending),
    ]
    .into_iter()
    .flat_map(|(o, items)| items.iter().map(move |i| (o, i)))
    .collect();
    let text = match ctx.settings.output {
        OutputFormat::Json => output::json(&WithNotFound {
            report,
            not_found: missing,
        })?,
        OutputFormat::Ndjson => output::ndjson(rows.iter().map(|(o, i)| {
            json!({"outcome": o, "id": i.id, "upn": i.upn, "aliases": i.alias, "reason": i.reason})
        }))?,
        OutputFormat::Csv => output::csv(
            &["outcome", "id", "upn", "aliases", "reason"],
            rows.iter().map(|(o, i)| {
                let (alias, reason) = (i.alias.clone(), i.reason.clone());
                vec![(*o).to_owned(), i.id.clone(), i.upn.clone(), alias.unwrap_or_default(), reason.unwrap_or_default()]
            }),
        )?,
        OutputFormat::Table => table(ctx, report, &rows),
    };
    ctx.printer.data(&text);
    Ok(())
}

fn table(ctx: &Context, report: &CleanupReport, rows: &[(&str, &ReportItem)]) -> String {
    let mut out = match (&report.run, report.status) {
        (Some(run), Some(status)) => format!("Cleanup run {run} {status}\n"),
        _ => "Nothing to clean up\n".to_owned(),
    };
    out.push_str(&others_table(
        "aliases",
        rows.iter().copied().filter(|(o, _)| *o != "removed"),
    ));
    out.push_str(&format!(
        "removed {} · absent {} · failed {} · pending {}\n",
        report.removed.len(),
        report.absent.len(),
        report.failed.len(),
        report.pending.len(),
    ));
    out.push_str(&footer(
        ctx,
        &report.requests,
        report.elapsed_s,
        report.next.as_deref(),
    ));
    out
}
