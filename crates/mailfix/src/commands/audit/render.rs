//! `audit`'s output: the contingency table with its reading and the failing users (table), the
//! report as one document (json), one user per line (ndjson), one row per user (csv).

use chrono::{DateTime, SecondsFormat, Utc};
use mailfix_engine::audit::{AuditClass, AuditReport, AuditUser, SourceKind};

use crate::cli::OutputFormat;
use crate::error::CliError;
use crate::output;

/// The CSV columns, in order (stable).
pub const CSV_HEADER: [&str; 14] = [
    "id",
    "upn",
    "class",
    "mail_empty",
    "synced",
    "mailbox_plan",
    "attempts",
    "failures",
    "successes",
    "first",
    "last",
    "reasons",
    "cause",
    "remedy",
];

/// The report in the chosen format.
pub fn render(report: &AuditReport, format: OutputFormat) -> Result<String, CliError> {
    match format {
        OutputFormat::Table => Ok(table(report)),
        OutputFormat::Json => output::json(report),
        OutputFormat::Ndjson => output::ndjson(&report.users),
        OutputFormat::Csv => output::csv(&CSV_HEADER, report.users.iter().map(csv_row)),
    }
}

fn time(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_default()
}

fn flag(b: Option<bool>) -> String {
    b.map(|b| b.to_string()).unwrap_or_default()
}

fn reasons(user: &AuditUser) -> String {
    user.reasons
        .iter()
        .map(|r| format!("{} ({})", r.reason, r.count))
        .collect::<Vec<_>>()
        .join("; ")
}

fn csv_row(user: &AuditUser) -> Vec<String> {
    vec![
        user.id.clone(),
        user.upn.clone(),
        user.class.as_str().to_owned(),
        flag(user.mail_empty),
        flag(user.synced),
        user.mailbox_plan.clone().unwrap_or_default(),
        user.attempts.to_string(),
        user.failures.to_string(),
        user.successes.to_string(),
        time(user.first),
        time(user.last),
        reasons(user),
        user.cause.clone().unwrap_or_default(),
        user.remedy.clone().unwrap_or_default(),
    ]
}

/// The heading line: source, period, events, scope.
fn heading(report: &AuditReport) -> String {
    let source = match report.source {
        SourceKind::Graph => "directory audit log",
        SourceKind::Json => "audit log download (JSON)",
        SourceKind::Csv => "audit log download (CSV)",
    };
    let period = match (report.since, report.until) {
        (None, None) => "all events".to_owned(),
        (from, to) => format!(
            "{} .. {}",
            from.map_or("start".to_owned(), |t| time(Some(t))),
            to.map_or("now".to_owned(), |t| time(Some(t))),
        ),
    };
    let scope = report
        .scope
        .as_ref()
        .map(|s| format!(", scope {s}"))
        .unwrap_or_default();
    format!(
        "Registration audit from the {source}: {period}, {} events, {} users{scope}\n",
        report.events,
        report.users.len()
    )
}

fn table(report: &AuditReport) -> String {
    let unknown = report.table.iter().any(|r| r.mail_unknown > 0);
    let mut header = vec!["class", "mail empty", "mail set"];
    if unknown {
        header.push("not in directory");
    }
    let rows = report.table.iter().map(|r| {
        let mut row = vec![
            r.class.as_str().to_owned(),
            r.mail_empty.to_string(),
            r.mail_set.to_string(),
        ];
        if unknown {
            row.push(r.mail_unknown.to_string());
        }
        row
    });
    let mut out = heading(report);
    out.push('\n');
    out.push_str(&output::table(&header, rows));
    out.push_str(&format!("\n{}\n\n", report.reading));
    out.push_str(&failing(report));
    out
}

fn failing(report: &AuditReport) -> String {
    let failing: Vec<&AuditUser> = report.failing().collect();
    if failing.is_empty() {
        return "No failing users.\n".to_owned();
    }
    let rows = failing.iter().map(|u| {
        vec![
            u.upn.clone(),
            format!("{} of {}", u.failures, u.attempts),
            time(u.last),
            u.reasons
                .first()
                .map(|r| r.reason.clone())
                .unwrap_or_default(),
            u.cause.clone().unwrap_or_default(),
            u.remedy.clone().unwrap_or_default(),
        ]
    });
    let mut out = format!(
        "Failing users ({}): failed and never succeeded since\n",
        failing.len()
    );
    out.push_str(&output::table(
        &["user", "failed", "last", "reason", "likely cause", "remedy"],
        rows,
    ));
    if report
        .row(AuditClass::Failing)
        .is_some_and(|r| r.mail_empty > 0)
    {
        out.push_str(
            "\nTo fix every failing user with an empty `mail` at once: \
             mailfix audit --failing-users-file failing.txt && mailfix fix --users-file failing.txt\n",
        );
    }
    out
}
