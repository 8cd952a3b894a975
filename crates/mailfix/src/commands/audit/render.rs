//! `audit`'s output: the contingency table with its reading and the failing users (table), the
//! report as one document (json), one user per line (ndjson), one row per user (csv).

use chrono::{DateTime, SecondsFormat, Utc};
use mailfix_engine::audit::{AuditClass, AuditReport, AuditUser, SourceKind};

use crate::cli::OutputFormat;
use crate::error::CliError;
use crate::output;
use crate::table::Column;

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
        "Registration audit from the {source}: {period}, {}, {}{scope}\n",
        output::count(report.events, "event", "events"),
        output::count(report.users.len(), "user", "users")
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
    let columns = [
        Column::Text("user"),
        Column::Text("failed"),
        Column::Text("last"),
        Column::Prose("reason"),
        Column::Prose("likely cause"),
        Column::Command("remedy"),
    ];
    out.push_str(&output::table_of(&columns, rows));
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

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use mailfix_engine::audit::{ReasonCount, TableRow};

    use super::*;

    fn user(upn: &str, class: AuditClass, mail_empty: bool) -> AuditUser {
        let failing = class == AuditClass::Failing;
        AuditUser {
            id: format!("id-{upn}"),
            upn: upn.to_owned(),
            class,
            mail_empty: Some(mail_empty),
            synced: Some(false),
            mailbox_plan: Some("EXCHANGE_S_STANDARD".into()),
            attempts: 2,
            failures: if failing { 2 } else { 0 },
            successes: if failing { 0 } else { 2 },
            reasons: if failing {
                vec![ReasonCount {
                    reason: "User canceled security info registration.".into(),
                    count: 2,
                }]
            } else {
                vec![]
            },
            related_events: 2,
            first: Utc.with_ymd_and_hms(2024, 5, 1, 8, 0, 0).single(),
            last: Utc.with_ymd_and_hms(2024, 5, 2, 9, 30, 0).single(),
            cause: failing.then(|| "`mail` is empty (MF001)".to_owned()),
            remedy: failing.then(|| format!("mailfix fix --user {upn}")),
        }
    }

    fn report() -> AuditReport {
        let row = |class, mail_empty, mail_set| TableRow {
            class,
            mail_empty,
            mail_set,
            mail_unknown: 0,
        };
        AuditReport {
            source: SourceKind::Graph,
            since: Utc.with_ymd_and_hms(2024, 4, 20, 0, 0, 0).single(),
            until: None,
            events: 8,
            scope: None,
            skipped: Default::default(),
            table: vec![
                row(AuditClass::Failing, 1, 0),
                row(AuditClass::Recovered, 0, 0),
                row(AuditClass::Completed, 0, 1),
                row(AuditClass::NoAttempt, 0, 0),
            ],
            reading: "1 of 1 failing user has an empty `mail`; 0 of 1 completed user does".into(),
            users: vec![
                user("anna@contoso.com", AuditClass::Failing, true),
                user("bo@contoso.com", AuditClass::Completed, false),
            ],
            days: vec![],
            problems: vec![],
        }
    }

    #[test]
    fn table_output_reads_the_table_then_lists_failing_users() {
        let text = render(&report(), OutputFormat::Table).unwrap();
        // The failing users' table is wide and wraps with the terminal: checked by content.
        let (head, failing) = text.split_at(text.find("Failing users").unwrap());
        insta::assert_snapshot!(head, @r"
        Registration audit from the directory audit log: 2024-04-20T00:00:00Z .. now, 8 events, 2 users

        ┌────────────┬────────────┬──────────┐
        │ class      ┆ mail empty ┆ mail set │
        ╞════════════╪════════════╪══════════╡
        │ failing    ┆ 1          ┆ 0        │
        │ recovered  ┆ 0          ┆ 0        │
        │ completed  ┆ 0          ┆ 1        │
        │ no-attempt ┆ 0          ┆ 0        │
        └────────────┴────────────┴──────────┘

        1 of 1 failing user has an empty `mail`; 0 of 1 completed user does
        ");
        assert!(failing.starts_with("Failing users (1): failed and never succeeded since"));
        for part in [
            "anna@contoso.com",
            "2 of 2",
            "User canceled security info registration.",
            "mailfix fix --user anna@contoso.com",
            "mailfix fix --users-file failing.txt",
        ] {
            assert!(failing.contains(part), "{part} in {failing}");
        }
        assert!(
            !failing.contains("bo@contoso.com"),
            "only failing users are listed"
        );
    }

    #[test]
    fn csv_has_the_stable_header_and_one_row_per_user() {
        insta::assert_snapshot!(render(&report(), OutputFormat::Csv).unwrap(), @r"
        id,upn,class,mail_empty,synced,mailbox_plan,attempts,failures,successes,first,last,reasons,cause,remedy
        id-anna@contoso.com,anna@contoso.com,failing,true,false,EXCHANGE_S_STANDARD,2,2,0,2024-05-01T08:00:00Z,2024-05-02T09:30:00Z,User canceled security info registration. (2),`mail` is empty (MF001),mailfix fix --user anna@contoso.com
        id-bo@contoso.com,bo@contoso.com,completed,false,false,EXCHANGE_S_STANDARD,2,0,2,2024-05-01T08:00:00Z,2024-05-02T09:30:00Z,,,
        ");
    }
}
