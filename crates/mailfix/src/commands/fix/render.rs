//! How `fix` shows its plan and summary: a table for people, one JSON document for machines
//! (README "Fix" step 7), NDJSON/CSV with one line per user.

use mailfix_engine::fix::{FixReport, PreparedFix, ReportItem, RequestCounts};
use mailfix_engine::scope::NotFound;
use serde_json::json;

use crate::cli::OutputFormat;
use crate::connect::Context;
use crate::error::CliError;
use crate::not_found::WithNotFound;
use crate::output;
use crate::settings::Source;
use crate::table::Column;

/// Plan rows shown on stderr before the confirmation.
const PLAN_PREVIEW: usize = 10;

/// The dry run's output: the plan as data on stdout.
pub fn plan_data(
    ctx: &Context,
    prepared: &PreparedFix,
    missing: &[NotFound],
) -> Result<(), CliError> {
    let text = match ctx.settings.output {
        OutputFormat::Json => output::json(&plan_json(prepared, missing))?,
        OutputFormat::Ndjson => output::ndjson(plan_rows(prepared).iter().map(|(id, upn, alias, reason)| {
            json!({"id": id, "upn": upn, "alias": alias, "reason": reason})
        }))?,
        OutputFormat::Csv => output::csv(
            &["id", "upn", "alias", "reason"],
            plan_rows(prepared).into_iter().map(|(a, b, c, d)| vec![a, b, c, d]),
        )?,
        OutputFormat::Table => plan_table(prepared),
    };
    ctx.printer.data(&text);
    Ok(())
}

fn plan_json(prepared: &PreparedFix, missing: &[NotFound]) -> serde_json::Value {
    let plan: Vec<_> = prepared
        .plan
        .items
        .iter()
        .map(|p| json!({"id": p.user.id, "upn": p.user.upn, "alias": p.address}))
        .collect();
    let skipped: Vec<_> = skipped(prepared)
        .map(|(id, upn, reason)| json!({"id": id, "upn": upn, "reason": reason}))
        .collect();
    json!({
        "dry_run": true,
        "run": prepared.run,
        "scope": prepared.targets.scope,
        "domain": prepared.plan.domain,
        "scanned": prepared.targets.scanned,
        "targets": prepared.targets.users.len(),
        "changes": prepared.changes(),
        "plan": plan,
        "skipped": skipped,
        "skipped_members": prepared.targets.skipped_members,
        "not_found": missing,
    })
}

/// (id, upn, alias, reason) for every planned alias, then every skipped user.
fn plan_rows(prepared: &PreparedFix) -> Vec<(String, String, String, String)> {
    let planned = prepared.plan.items.iter().map(|p| {
        let user = p.user.clone();
        (user.id, user.upn, p.address.clone(), String::new())
    });
    let skipped = skipped(prepared).map(|(id, upn, reason)| (id, upn, String::new(), reason));
    planned.chain(skipped).collect()
}

fn skipped(prepared: &PreparedFix) -> impl Iterator<Item = (String, String, String)> + '_ {
    let scan = prepared
        .targets
        .skipped
        .iter()
        .map(|s| (s.user.id.clone(), s.user.upn.clone(), s.reason.clone()));
    let rejected = prepared
        .plan
        .rejected
        .iter()
        .map(|(u, reason)| (u.id.clone(), u.upn.clone(), reason.clone()));
    scan.chain(rejected)
}

fn plan_table(prepared: &PreparedFix) -> String {
    let mut out = match prepared.changes() {
        0 => "Plan: no temporary alias to add (dry run: nothing was changed)\n".to_owned(),
        n => format!(
            "Plan: {} on {} (dry run: nothing was changed, no run recorded)\n",
            aliases(n),
            prepared.plan.domain
        ),
    };
    if prepared.changes() > 0 {
        out.push_str(&output::table(
            &["user", "temporary alias"],
            prepared
                .plan
                .items
                .iter()
                .map(|p| vec![p.user.upn.clone(), p.address.clone()]),
        ));
    }
    let skipped: Vec<_> = skipped(prepared).collect();
    if !skipped.is_empty() {
        out.push_str(&format!(
            "Skipped {}:\n",
            output::count(skipped.len(), "user", "users")
        ));
        out.push_str(&output::table(
            &["user", "reason"],
            skipped
                .into_iter()
                .map(|(_, upn, reason)| vec![upn, reason]),
        ));
    }
    out.push_str(&scope_line(prepared));
    out
}

fn aliases(n: usize) -> String {
    output::count(n, "temporary alias", "temporary aliases")
}

fn scope_line(prepared: &PreparedFix) -> String {
    let t = &prepared.targets;
    let left_out: Vec<String> = t
        .skipped_members
        .iter()
        .map(|(reason, n)| format!("{n} {reason}"))
        .collect();
    let left_out = match left_out.is_empty() {
        true => String::new(),
        false => format!("; left out: {}", left_out.join(", ")),
    };
    format!(
        "Scope {}: {} read, {} with an empty mail that fix can repair{left_out}\n",
        t.scope,
        output::count(t.scanned, "user", "users"),
        t.users.len()
    )
}

/// The plan on stderr before the confirmation (the data on stdout is the summary).
pub fn plan_status(ctx: &Context, prepared: &PreparedFix) {
    let p = &ctx.printer;
    p.status(scope_line(prepared).trim_end());
    if prepared.changes() == 0 {
        return;
    }
    p.heading(&format!(
        "Plan for run {}: add {} on {}",
        prepared.run,
        aliases(prepared.changes()),
        prepared.plan.domain
    ));
    for item in prepared.plan.items.iter().take(PLAN_PREVIEW) {
        p.status(&format!("  {}  +smtp:{}", item.user.upn, item.address));
    }
    if prepared.changes() > PLAN_PREVIEW {
        p.status(&format!(
            "  … and {} more",
            prepared.changes() - PLAN_PREVIEW
        ));
    }
}

/// The summary on stdout; `missing` are the named users the directory does not have.
pub fn summary(ctx: &Context, report: &FixReport, missing: &[NotFound]) -> Result<(), CliError> {
    let rows = || outcome_rows(report);
    let text = match ctx.settings.output {
        OutputFormat::Json => output::json(&WithNotFound {
            report,
            not_found: missing,
        })?,
        OutputFormat::Ndjson => output::ndjson(rows().map(|(outcome, item)| {
            let mut value = serde_json::to_value(item).unwrap_or_default();
            value["outcome"] = json!(outcome);
            value
        }))?,
        OutputFormat::Csv => output::csv(
            &["outcome", "id", "upn", "alias", "reason", "latency_s"],
            rows().map(|(outcome, i)| {
                let latency = i.latency_s.map(|l| format!("{l:.3}")).unwrap_or_default();
                let (alias, reason) = (i.alias.clone(), i.reason.clone());
                let (id, upn) = (i.id.clone(), i.upn.clone());
                vec![
                    outcome.to_owned(),
                    id,
                    upn,
                    alias.unwrap_or_default(),
                    reason.unwrap_or_default(),
                    latency,
                ]
            }),
        )?,
        OutputFormat::Table => summary_table(ctx, report),
    };
    ctx.printer.data(&text);
    Ok(())
}

fn outcome_rows(report: &FixReport) -> impl Iterator<Item = (&'static str, &ReportItem)> {
    report
        .fixed
        .iter()
        .map(|i| ("fixed", i))
        .chain(report.stuck.iter().map(|i| ("stuck", i)))
        .chain(report.failed.iter().map(|i| ("failed", i)))
        .chain(report.pending.iter().map(|i| ("pending", i)))
        .chain(report.skipped.iter().map(|i| ("skipped", i)))
}

fn summary_table(ctx: &Context, report: &FixReport) -> String {
    let mut out = match (&report.run, report.status) {
        (Some(run), Some(status)) => format!(
            "Run {run} {status}: {} of {} targets fixed\n",
            report.fixed.len(),
            report.targets
        ),
        _ => "Nothing to fix: no user in scope has an empty mail that fix can repair\n".to_owned(),
    };
    out.push_str(&others_table(
        "alias",
        outcome_rows(report).filter(|(o, _)| *o != "fixed"),
    ));
    out.push_str(&counts(report));
    out.push_str(&footer(
        ctx,
        &report.requests,
        report.elapsed_s,
        report.next.as_deref(),
    ));
    out
}

/// The table of the users that did not succeed (outcome, user, alias, reason), or nothing when
/// every user did; `alias_header` names the alias column.
pub fn others_table<'o, 'a>(
    alias_header: &str,
    rows: impl Iterator<Item = (&'o str, &'a ReportItem)>,
) -> String {
    let rows: Vec<Vec<String>> = rows
        .map(|(outcome, i)| {
            vec![
                outcome.to_owned(),
                i.upn.clone(),
                i.alias.clone().unwrap_or_default(),
                i.reason.clone().unwrap_or_default(),
            ]
        })
        .collect();
    match rows.is_empty() {
        true => String::new(),
        false => output::table_of(
            &[
                Column::Text("outcome"),
                Column::Text("user"),
                Column::Text(alias_header),
                Column::Prose("reason"),
            ],
            rows,
        ),
    }
}

/// The counts and the latency line of a summary.
fn counts(report: &FixReport) -> String {
    let mut out = format!(
        "fixed {} · stuck {} · failed {} · skipped {}{}\n",
        report.fixed.len(),
        report.stuck.len(),
        report.failed.len(),
        report.skipped.len(),
        match report.pending.len() {
            0 => String::new(),
            n => format!(" · pending {n}"),
        }
    );
    let l = &report.latency;
    if let (Some(p50), Some(p90), Some(max)) = (l.p50_s, l.p90_s, l.max_s) {
        out.push_str(&latency_line(p50, p90, max));
    }
    out
}

/// The write-back latency line of a summary (seconds).
pub fn latency_line(p50: f64, p90: f64, max: f64) -> String {
    format!(
        "write-back latency: p50 {} · p90 {} · max {}\n",
        secs(p50),
        secs(p90),
        secs(max)
    )
}

/// The last lines of a summary: requests, elapsed time, the next command.
pub fn footer(ctx: &Context, r: &RequestCounts, elapsed_s: f64, next: Option<&str>) -> String {
    let lane = &r.exchange_concurrency;
    let lowered = match lane.lowest {
        n if n < lane.configured => format!(" · lowered to {n}"),
        _ => String::new(),
    };
    let mut out = format!(
        "requests: graph {} · exchange {} · throttled {} · retried {}\n\
         exchange at once: {}{lowered} · Exchange pushed back {}\nelapsed: {}\n",
        r.graph,
        r.exchange,
        r.throttled,
        r.retried,
        lane.configured,
        lane.pushed_back,
        secs(elapsed_s)
    );
    if let Some(next) = next {
        out.push_str(&format!("next: {}\n", with_journal(ctx, next)));
    }
    out
}

/// Seconds for people: one decimal under a minute, `4m58s` above.
pub fn secs(value: f64) -> String {
    if value < 60.0 {
        format!("{value:.1}s")
    } else {
        let whole = std::time::Duration::from_secs(value.round() as u64);
        mailfix_engine::duration::format_duration(whole)
    }
}

/// A next-step command, with `--journal` when the journal was chosen by flag.
pub fn with_journal(ctx: &Context, command: &str) -> String {
    let journal = &ctx.settings.journal;
    match journal.source {
        Source::Flag => format!("{command} --journal {}", journal.value.display()),
        _ => command.to_owned(),
    }
}
